/**
 * The health server over real loopback HTTP: 200 / 503 with terminus's body naming the failing checks, the process
 * entry of /healthz, time limits, closing, and that starting it leaves the host app's Nest logger alone.
 */
import { createServer, type Server } from 'node:net';
import { ConsoleLogger, Logger, type LoggerService } from '@nestjs/common';
import { Counter, register } from 'prom-client';
import { PROCESS_CHECK, PROMETHEUS_TEXT_CONTENT_TYPE, runHealthChecks, startHealthServer, type HealthCheck, type RunningHealthServer } from './index';

const up = (name: string, detail?: string): HealthCheck => ({ name, check: async () => ({ ok: true, detail }) });
const down = (name: string, detail?: string): HealthCheck => ({ name, check: async () => ({ ok: false, detail }) });

async function get(port: number, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('startHealthServer', () => {
  const servers: RunningHealthServer[] = [];
  const start = async (...a: Parameters<typeof startHealthServer>) => {
    const s = await startHealthServer(...a);
    servers.push(s);
    return s;
  };
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('answers 200 on /healthz and /readyz when every check is up, in terminus format', async () => {
    const s = await start({ port: 0, host: '127.0.0.1', ready: [up('nats', 'connected'), up('postgres')] });
    expect(s.port).toBeGreaterThan(0);
    const live = await get(s.port, '/healthz');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({
      status: 'ok',
      info: { [PROCESS_CHECK]: { status: 'up', detail: expect.stringMatching(new RegExp(`^pid ${process.pid}, up \\d+ s$`)) } },
      error: {},
      details: { [PROCESS_CHECK]: { status: 'up', detail: expect.any(String) } },
    });
    const ready = await get(s.port, '/readyz');
    expect(ready).toEqual({
      status: 200,
      body: {
        status: 'ok',
        info: { nats: { status: 'up', detail: 'connected' }, postgres: { status: 'up' } },
        error: {},
        details: { nats: { status: 'up', detail: 'connected' }, postgres: { status: 'up' } },
      },
    });
  });

  it('answers 503 naming the failing checks, the same body as runHealthChecks', async () => {
    const ready = [up('nats', 'connected'), down('feed', 'last frame 75012 ms ago (max 60000 ms)'), down('reference-data')];
    const s = await start({ port: 0, host: '127.0.0.1', ready });
    const r = await get(s.port, '/readyz');
    expect(r.status).toBe(503);
    expect(r.body).toEqual({
      status: 'error',
      info: { nats: { status: 'up', detail: 'connected' } },
      error: { feed: { status: 'down', detail: 'last frame 75012 ms ago (max 60000 ms)' }, 'reference-data': { status: 'down' } },
      details: { nats: { status: 'up', detail: 'connected' }, feed: { status: 'down', detail: 'last frame 75012 ms ago (max 60000 ms)' }, 'reference-data': { status: 'down' } },
    });
    expect(await runHealthChecks(ready)).toEqual(r.body);
    // liveness is not readiness: the process is alive
    expect((await get(s.port, '/healthz')).status).toBe(200);
  });

  it('counts a throwing check and a hanging one as down, within the time limit', async () => {
    const throws: HealthCheck = {
      name: 'throws',
      check: async () => {
        throw new Error('boom\nsecond line');
      },
    };
    const hangs: HealthCheck = { name: 'hangs', check: () => new Promise(() => undefined) };
    const s = await start({ port: 0, host: '127.0.0.1', ready: [throws, hangs, up('fine')], checkTimeoutMs: 200 });
    const t0 = Date.now();
    const r = await get(s.port, '/readyz');
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(r.status).toBe(503);
    expect(r.body.error).toEqual({ throws: { status: 'down', detail: 'boom' }, hangs: { status: 'down', detail: 'timed out after 200 ms' } });
    expect(r.body.info).toEqual({ fine: { status: 'up' } });
  });

  it('a failing live check makes /healthz 503 (and leaves /readyz alone)', async () => {
    const s = await start({ port: 0, host: '127.0.0.1', live: [down('event-loop', 'blocked')], ready: [up('nats')] });
    const live = await get(s.port, '/healthz');
    expect(live.status).toBe(503);
    expect(live.body.error).toEqual({ 'event-loop': { status: 'down', detail: 'blocked' } });
    expect(Object.keys(live.body.info as object)).toEqual([PROCESS_CHECK]);
    expect((await get(s.port, '/readyz')).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${s.port}/nope`)).status).toBe(404);
  });

  it('refuses duplicate names, the reserved live name and a bad port', async () => {
    await expect(startHealthServer({ port: 0, ready: [up('a'), down('a')] })).rejects.toThrow('two checks named "a" in ready');
    await expect(startHealthServer({ port: 0, live: [up(PROCESS_CHECK)] })).rejects.toThrow('reserved');
    await expect(startHealthServer({ port: 70_000 })).rejects.toThrow('port must be an integer 0..65535');
    await expect(runHealthChecks([up('x'), up('x')])).rejects.toThrow('two checks named "x"');
  });

  it('fails with the address when the port is taken', async () => {
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    try {
      await expect(startHealthServer({ port, host: '127.0.0.1' })).rejects.toThrow(new RegExp(`health: cannot serve on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });

  it('close() stops serving and closes the checks, once', async () => {
    let closes = 0;
    const c: HealthCheck = { ...up('closable'), close: async () => void closes++ };
    const s = await startHealthServer({ port: 0, host: '127.0.0.1', live: [c], ready: [c] });
    expect((await get(s.port, '/readyz')).status).toBe(200);
    await Promise.all([s.close(), s.close()]);
    expect(closes).toBe(1);
    await expect(fetch(`http://127.0.0.1:${s.port}/readyz`)).rejects.toThrow();
  });

  it('serves GET /metrics: the default registry in text format 0.0.4, process metrics without a prefix, what the app registered', async () => {
    const requests = new Counter({ name: 'health_spec_requests_total', help: 'A metric of the host app.', labelNames: ['route'] });
    requests.inc({ route: '/x' }, 3);
    try {
      const s = await start({ port: 0, host: '127.0.0.1' });
      const res = await fetch(`http://127.0.0.1:${s.port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(PROMETHEUS_TEXT_CONTENT_TYPE);
      expect(PROMETHEUS_TEXT_CONTENT_TYPE).toBe(register.contentType);
      const text = await res.text();
      expect(text).toContain('# HELP health_spec_requests_total A metric of the host app.\n# TYPE health_spec_requests_total counter\nhealth_spec_requests_total{route="/x"} 3\n');
      expect(text).toMatch(/^# TYPE process_cpu_user_seconds_total counter$/m);
      expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
      expect(text).toMatch(/^# TYPE nodejs_eventloop_lag_seconds gauge$/m);
      expect(text.endsWith('\n')).toBe(true);
      // a second server in the process (and a second scrape) registers the default metrics once
      const s2 = await start({ port: 0, host: '127.0.0.1' });
      const again = await (await fetch(`http://127.0.0.1:${s2.port}/metrics`)).text();
      expect(again.match(/^# TYPE process_cpu_user_seconds_total /gm)).toHaveLength(1);
      // metrics: false -> no route
      const off = await start({ port: 0, host: '127.0.0.1', metrics: false });
      expect((await fetch(`http://127.0.0.1:${off.port}/metrics`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${off.port}/healthz`)).status).toBe(200);
    } finally {
      register.removeSingleMetric('health_spec_requests_total');
    }
  });

  it("leaves the host app's Nest logger in place (logger: false is process-wide in Nest)", async () => {
    const statics = Logger as unknown as { staticInstanceRef?: LoggerService };
    const before = statics.staticInstanceRef;
    const lines: string[] = [];
    const capture = new ConsoleLogger();
    capture.log = (m: unknown) => void lines.push(String(m));
    Logger.overrideLogger(capture);
    try {
      await start({ port: 0, host: '127.0.0.1' });
      new Logger('host').log('still logging');
      expect(lines).toEqual(['still logging']);
    } finally {
      statics.staticInstanceRef = before;
    }
  });
});
