/**
 * `kalshi-platform record` over real loopback sockets against the mock exchange replaying the demo capture: the
 * gunzipped output equals, byte for byte and in order, the frames the exchange wrote to the recorder's socket (tapped
 * on the server side); hourly rotation with an injected clock; a mid-stream stop leaves valid gzip; the CLI process
 * exits 0 on SIGINT with a readable file.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import WebSocket from 'ws';
import { startExchange, type RunningExchange } from '@kalshi-platform/feature-exchange';
import { hourlyFileName, runRecorder } from '../src/commands/record';

const ROOT = resolve(__dirname, '../../..');
const CAPTURE = resolve(ROOT, 'data/samples/kalshi-demo-ws-capture-2026-07-01/ws_session_orderbook_delta_fill.jsonl');
const CHANNELS = ['orderbook_delta', 'fill', 'trade', 'ticker'];

async function waitUntil(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Texts the server side of every connection sent, in order (a tap on ws's send for server sockets). */
function tapServerSends(): { texts: string[]; restore(): void } {
  const texts: string[] = [];
  const proto = WebSocket.prototype as unknown as { send: (d: unknown, ...rest: unknown[]) => void };
  const orig = proto.send;
  proto.send = function (this: { _isServer?: boolean }, d: unknown, ...rest: unknown[]) {
    if (this._isServer) texts.push(Buffer.isBuffer(d) ? d.toString('utf8') : String(d));
    return orig.call(this, d, ...rest);
  };
  return { texts, restore: () => (proto.send = orig) };
}

const replayOf = (ex: RunningExchange) => {
  if (!ex.replay) throw new Error('not a replay exchange');
  return ex.replay;
};

const linesOf = (path: string): string[] => {
  const text = gunzipSync(readFileSync(path)).toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
};

describe('record', () => {
  let dir: string;
  let ex: RunningExchange;
  let creds: { keyId: string; privateKeyPem: string };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'record-'));
    ex = await startExchange({ host: '127.0.0.1', port: 0, mode: 'replay', capturePath: CAPTURE, logger: false, credentialsOut: join(dir, 'creds.json'), speed: 'max' });
    const j = JSON.parse(readFileSync(join(dir, 'creds.json'), 'utf8'));
    creds = { keyId: j.key_id, privateKeyPem: j.private_key_pem };
  });
  afterEach(async () => {
    await ex.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records the full replay byte-identical to what the exchange sent, one valid JSON line per frame', async () => {
    const tap = tapServerSends();
    try {
      const rec = await runRecorder({ outDir: join(dir, 'out'), wsUrl: ex.wsUrl, channels: CHANNELS, credentials: creds, statusIntervalMs: 0, log: () => undefined });
      await rec.whenSubscribed();
      await replayOf(ex).whenDone();
      await waitUntil(() => ex.gateway.stats.framesSent > 0 && rec.stats.frames === ex.gateway.stats.framesSent, 'every frame');
      const s = await rec.stop();
      expect(s.files).toEqual([join(dir, 'out', hourlyFileName(Date.now()))]);
      const lines = linesOf(s.files[0]);
      expect(tap.texts.length).toBe(ex.gateway.stats.framesSent);
      expect(lines.length).toBeGreaterThan(1000);
      expect(lines).toEqual(tap.texts);
      expect(s.frames).toBe(lines.length);
      expect(s.bytes).toBe(lines.reduce((n, l) => n + Buffer.byteLength(l), 0));
      for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
      expect(JSON.parse(lines[0]).type).toBe('subscribed');
    } finally {
      tap.restore();
    }
  });

  it('rotates at a UTC hour boundary of the injected clock: two files, no frame lost or duplicated', async () => {
    const tap = tapServerSends();
    try {
      const h0 = Date.UTC(2026, 6, 1, 13, 59, 59, 0);
      let calls = 0;
      // the clock crosses 14:00 after the 500th frame (the recorder reads it once per frame)
      const now = () => (++calls > 500 ? h0 + 2_000 : h0);
      const rec = await runRecorder({ outDir: join(dir, 'out'), wsUrl: ex.wsUrl, channels: CHANNELS, credentials: creds, statusIntervalMs: 0, log: () => undefined, now });
      await rec.whenSubscribed();
      await replayOf(ex).whenDone();
      await waitUntil(() => rec.stats.frames === ex.gateway.stats.framesSent, 'every frame');
      const s = await rec.stop();
      expect(s.files.map((f) => f.slice(f.lastIndexOf('/') + 1))).toEqual(['kalshi-ws-20260701T13.jsonl.gz', 'kalshi-ws-20260701T14.jsonl.gz']);
      expect(readdirSync(join(dir, 'out')).sort()).toEqual(['kalshi-ws-20260701T13.jsonl.gz', 'kalshi-ws-20260701T14.jsonl.gz']);
      const a = linesOf(s.files[0]);
      const b = linesOf(s.files[1]);
      expect(a.length).toBe(500);
      expect([...a, ...b]).toEqual(tap.texts);
    } finally {
      tap.restore();
    }
  });

  it('stop mid-stream leaves a complete gzip file whose every line is a whole frame', async () => {
    await ex.close();
    // paced replay (the ~5 min capture at 100x) so the stop lands while frames are still flowing
    ex = await startExchange({ host: '127.0.0.1', port: 0, mode: 'replay', capturePath: CAPTURE, logger: false, credentialsOut: join(dir, 'creds.json'), speed: 'realtime', realtimeFactor: 100 });
    const j = JSON.parse(readFileSync(join(dir, 'creds.json'), 'utf8'));
    creds = { keyId: j.key_id, privateKeyPem: j.private_key_pem };
    const rec = await runRecorder({ outDir: join(dir, 'out'), wsUrl: ex.wsUrl, channels: CHANNELS, credentials: creds, statusIntervalMs: 0, log: () => undefined });
    await waitUntil(() => rec.stats.frames >= 100, 'some frames');
    const s = await rec.stop();
    expect(replayOf(ex).state).toBe('running');
    const lines = linesOf(s.files[0]);
    expect(lines.length).toBe(s.frames);
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
  });

  it('reconnects after a forced disconnect, resubscribes and logs the gap', async () => {
    const logs: string[] = [];
    const rec = await runRecorder({ outDir: join(dir, 'out'), wsUrl: ex.wsUrl, channels: ['ticker'], credentials: creds, statusIntervalMs: 0, log: (l) => logs.push(l), backoff: { initialMs: 20 } });
    await rec.whenSubscribed();
    await waitUntil(() => rec.stats.frames >= 1, 'subscribed reply');
    ex.gateway.disconnectAll();
    await waitUntil(() => rec.stats.connects === 2 && rec.stats.frames >= 2, 'reconnect + resubscribe');
    const s = await rec.stop();
    expect(s.disconnects).toBe(1);
    expect(logs.some((l) => /disconnected .*gap starts after frame 1/.test(l))).toBe(true);
    expect(logs.some((l) => /reconnected and resubscribed; gap of \d+ ms/.test(l))).toBe(true);
    const lines = linesOf(s.files[0]).map((l) => JSON.parse(l));
    expect(lines.filter((f) => f.type === 'subscribed')).toHaveLength(2);
  });

  it('CLI: node tools/run.cjs apps/cli/src/main.ts record ... exits 0 on SIGINT with a readable file', async () => {
    const out = join(dir, 'cli-out');
    const child = spawn(
      process.execPath,
      ['tools/run.cjs', 'apps/cli/src/main.ts', 'record', '--out', out, '--channels', 'orderbook_delta,fill', '--ws-url', ex.wsUrl, '--credentials', join(dir, 'creds.json'), '--status-interval', '200'],
      { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    await waitUntil(() => /record: frames=[1-9]\d* bytes=\d+ file=\S+kalshi-ws-\d{8}T\d{2}\.jsonl\.gz/.test(stderr), `a status line with frames (stderr: ${stderr})`, 30_000);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/SIGINT: stopped; frames=\d+/);
    const files = readdirSync(out);
    expect(files).toHaveLength(1);
    const lines = linesOf(join(out, files[0]));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
  }, 60_000);
});
