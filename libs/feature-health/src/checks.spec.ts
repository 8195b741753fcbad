/**
 * The ready-made checks against real services on loopback: NATS (`NATS_URL`, default nats://127.0.0.1:4222),
 * PostgreSQL (`TEST_DATABASE_URL`, default postgres://postgres@127.0.0.1:5432/test), Redis (`REDIS_URL`, default
 * redis://127.0.0.1:6379) and loopback HTTP / TCP servers; dead ends are closed ports and silent sockets, never a
 * remote address.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect as tcpConnect, createServer, type Server, type Socket } from 'node:net';
import Redis from 'ioredis';
import { Client } from 'pg';
import { freshnessCheck, httpCheck, natsCheck, postgresCheck, redactUrl, redisCheck } from './index';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function listen(s: Server | HttpServer, port = 0): Promise<number> {
  await new Promise<void>((r) => s.listen(port, '127.0.0.1', r));
  return (s.address() as { port: number }).port;
}

/** A TCP proxy to `target` that can be cut (every socket destroyed, the port closed) and restarted on the same port. */
class Proxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}
  async start(): Promise<number> {
    this.server = createServer((client) => {
      const upstream = tcpConnect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    this.port = await listen(this.server, this.port);
    return this.port;
  }
  async cut(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = null;
    const closed = new Promise((r) => s.close(r));
    for (const sock of this.sockets) sock.destroy();
    await closed;
  }
}

describe('natsCheck', () => {
  it('is up against the real NATS server, with one connection kept open', async () => {
    const c = natsCheck(NATS_URL);
    try {
      const a = await c.check();
      expect(a.ok).toBe(true);
      expect(a.detail).toMatch(/^connected to .*4222, rtt \d+\.\d ms$/);
      expect(c.name).toBe('nats');
      expect((await c.check()).ok).toBe(true);
    } finally {
      await c.close?.();
    }
    expect(await c.check()).toEqual({ ok: false, detail: 'health check closed' });
  });

  it('is down at once for a closed port, and tries again on the next check', async () => {
    const port = await closedPort();
    const c = natsCheck(`nats://user:secret@127.0.0.1:${port}`, { timeoutMs: 1_000 });
    try {
      const t0 = Date.now();
      const r = await c.check();
      expect(Date.now() - t0).toBeLessThan(1_500);
      expect(r.ok).toBe(false);
      expect(r.detail).toContain(`cannot connect to nats://127.0.0.1:${port}`);
      expect(r.detail).not.toContain('secret');
      expect((await c.check()).ok).toBe(false);
    } finally {
      await c.close?.();
    }
  });

  it('does not hang on a server that accepts and never speaks', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => void sockets.push(s));
    const port = await listen(silent);
    const c = natsCheck(`nats://127.0.0.1:${port}`, { timeoutMs: 300 });
    try {
      const t0 = Date.now();
      const r = await c.check();
      expect(Date.now() - t0).toBeLessThan(1_500);
      expect(r.ok).toBe(false);
      expect(r.detail).toMatch(/^cannot connect to nats:\/\/127\.0\.0\.1:\d+: /);
    } finally {
      await c.close?.();
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it('reports a lost connection as down while reconnecting, and up again once reconnected', async () => {
    const u = new URL(NATS_URL);
    const proxy = new Proxy({ host: u.hostname, port: Number(u.port || 4222) });
    const port = await proxy.start();
    const c = natsCheck(`nats://127.0.0.1:${port}`, { timeoutMs: 500 });
    const until = async (ok: boolean, detail: RegExp) => {
      const t0 = Date.now();
      for (;;) {
        const r = await c.check();
        if (r.ok === ok && detail.test(r.detail ?? '')) return r;
        if (Date.now() - t0 > 10_000) throw new Error(`still ${JSON.stringify(r)}`);
        await new Promise((res) => setTimeout(res, 50));
      }
    };
    try {
      expect((await c.check()).ok).toBe(true);
      await proxy.cut();
      // down from the moment the socket is gone (a PING in flight may time out first), then the client's status says why
      expect((await c.check()).ok).toBe(false);
      await until(false, /^(disconnected|reconnecting) \(nats:\/\/127\.0\.0\.1:\d+\)$/);
      await proxy.start(); // same port
      await until(true, /^connected to /);
    } finally {
      await c.close?.();
      await proxy.cut().catch(() => undefined);
    }
  }, 20_000);
});

describe('postgresCheck', () => {
  it('is up when a real SELECT 1 answers, down on an error or a dead server', async () => {
    const pg = new Client({ connectionString: PG_URL });
    await pg.connect();
    try {
      const ok = await postgresCheck(() => pg.query('SELECT 1')).check();
      expect(ok).toEqual({ ok: true, detail: expect.stringMatching(/^answered in \d+\.\d ms$/) });
      const bad = await postgresCheck(() => pg.query('SELEC 1')).check();
      expect(bad.ok).toBe(false);
      expect(bad.detail).toContain('syntax error');
    } finally {
      await pg.end();
    }
    const port = await closedPort();
    const dead = new Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/test`, connectionTimeoutMillis: 1_000 });
    const r = await postgresCheck(() => dead.connect(), { timeoutMs: 1_500 }).check();
    expect(r.ok).toBe(false);
    expect(r.detail).toContain('ECONNREFUSED');
    // a query that outlives the time limit is down, named
    const pg2 = new Client({ connectionString: PG_URL });
    await pg2.connect();
    try {
      const slow = await postgresCheck(() => pg2.query('SELECT pg_sleep(1)'), { timeoutMs: 100 }).check();
      expect(slow).toEqual({ ok: false, detail: 'postgres: no answer within 100 ms' });
    } finally {
      await pg2.end();
    }
    expect(postgresCheck(async () => 1).name).toBe('postgres');
  });
});

describe('redisCheck', () => {
  it('is up when a real PING answers, down for a dead server', async () => {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
    try {
      const c = redisCheck(() => redis.ping());
      expect(c.name).toBe('redis');
      expect(await c.check()).toEqual({ ok: true, detail: expect.stringMatching(/^answered in /) });
    } finally {
      redis.disconnect();
    }
    const port = await closedPort();
    const dead = new Redis(`redis://127.0.0.1:${port}`, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    dead.on('error', () => undefined);
    try {
      const r = await redisCheck(() => dead.ping(), { timeoutMs: 1_000 }).check();
      expect(r.ok).toBe(false);
      expect(r.detail).toBeTruthy();
    } finally {
      dead.disconnect();
    }
  });
});

describe('freshnessCheck', () => {
  it('is up while now - last <= maxAge, with the age in the detail (injected clock)', async () => {
    let now = 1_000_000;
    let last = 0;
    const c = freshnessCheck('feed', () => last, 60_000, () => now);
    expect(c.name).toBe('feed');
    expect(await c.check()).toEqual({ ok: false, detail: 'nothing yet (max age 60000 ms)' });
    last = now;
    expect(await c.check()).toEqual({ ok: true, detail: 'last 0 ms ago (max 60000 ms)' });
    now += 60_000;
    expect(await c.check()).toEqual({ ok: true, detail: 'last 60000 ms ago (max 60000 ms)' });
    now += 1;
    expect(await c.check()).toEqual({ ok: false, detail: 'last 60001 ms ago (max 60000 ms)' });
    last = Number.NaN;
    expect((await c.check()).ok).toBe(false);
    expect(() => freshnessCheck('x', () => 0, -1)).toThrow(RangeError);
  });
});

describe('httpCheck', () => {
  it('is up on 2xx, down on another status, a closed port or no answer in time', async () => {
    const sockets = new Set<Socket>();
    const server = createHttpServer((req, res) => {
      if (req.url === '/ok') res.writeHead(200).end('{"exchange_active":true}');
      else if (req.url === '/hang') return;
      else res.writeHead(503).end();
    });
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    const port = await listen(server);
    try {
      const ok = await httpCheck('exchange', `http://127.0.0.1:${port}/ok`).check();
      expect(ok).toEqual({ ok: true, detail: expect.stringMatching(new RegExp(`^GET http://127\\.0\\.0\\.1:${port}/ok: HTTP 200 in \\d+\\.\\d ms$`)) });
      const unavailable = await httpCheck('exchange', `http://127.0.0.1:${port}/down`).check();
      expect(unavailable.ok).toBe(false);
      expect(unavailable.detail).toContain('HTTP 503');
      const t0 = Date.now();
      expect(await httpCheck('exchange', `http://127.0.0.1:${port}/hang`, 200).check()).toEqual({ ok: false, detail: `GET http://127.0.0.1:${port}/hang: no answer within 200 ms` });
      expect(Date.now() - t0).toBeLessThan(1_500);
      const closed = await closedPort();
      const refused = await httpCheck('exchange', `http://u:pw@127.0.0.1:${closed}/x`).check();
      expect(refused.ok).toBe(false);
      expect(refused.detail).toContain('ECONNREFUSED');
      expect(refused.detail).not.toContain('pw');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  it('redactUrl drops credentials', () => {
    expect(redactUrl('nats://a:b@h:4222')).toBe('nats://h:4222');
    expect(redactUrl('http://h/x')).toBe('http://h/x');
  });
});
