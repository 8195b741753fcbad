/**
 * `kalshi-platform record` (issue #4): records a Kalshi WebSocket v2 feed to disk. Every text frame the exchange
 * sends is written byte for byte (no re-encoding), one frame per line, to gzip-compressed JSONL files rotated by UTC
 * hour: `DIR/kalshi-ws-YYYYMMDDTHH.jsonl.gz`, named after the UTC hour in which the frame was received (by the
 * recorder's clock). A file of an hour that already exists is appended to as a new gzip member (`zcat` and
 * `zlib.gunzip` read concatenated members). On disconnect the recorder reconnects with exponential backoff and
 * resubscribes, logging the gap. `stop()` (SIGINT / SIGTERM in the CLI) ends the gzip stream properly.
 */
import { createWriteStream, mkdirSync, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createGzip, type Gzip } from 'node:zlib';
import type { Command } from 'commander';
import WebSocket from 'ws';
import { signRequest } from '@kalshi-platform/kalshi';

export const DEFAULT_WS_URL = 'wss://external-api-ws.kalshi.com/trade-api/ws/v2';
export const DEFAULT_CHANNELS = ['orderbook_delta', 'trade', 'ticker'];

export interface RecorderCredentials {
  keyId: string;
  privateKeyPem: string;
}

export interface RecorderOptions {
  outDir: string;
  wsUrl: string;
  channels: string[];
  /** market tickers; all markets when empty / undefined */
  tickers?: string[];
  /** signs the upgrade when given */
  credentials?: RecorderCredentials;
  /** clock (ms since epoch) deciding the hourly file of each frame; default Date.now */
  now?: () => number;
  /** a status line every this many ms (default 5,000; 0 = none) */
  statusIntervalMs?: number;
  /** reconnect backoff: first delay and cap, ms (default 250 / 30,000), doubled per failed attempt, +-20% jitter */
  backoff?: { initialMs?: number; maxMs?: number };
  /** log and status lines (default console.error) */
  log?: (line: string) => void;
}

export interface RecorderStats {
  frames: number;
  /** bytes of frame text written (before compression, without newlines) */
  bytes: number;
  /** binary frames received and not recorded */
  binaryFramesSkipped: number;
  /** every file written to, in order */
  files: string[];
  currentFile: string | null;
  connects: number;
  disconnects: number;
}

export interface Recorder {
  readonly stats: RecorderStats;
  /** resolves once a connection is open and the subscribe command has been sent */
  whenSubscribed(): Promise<void>;
  /** closes the connection (no reconnect), finishes the gzip stream and the file; idempotent */
  stop(): Promise<RecorderStats>;
}

/** `kalshi-ws-YYYYMMDDTHH.jsonl.gz` of the UTC hour of `ms`. */
export function hourlyFileName(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `kalshi-ws-${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T${p(d.getUTCHours())}.jsonl.gz`;
}

interface OpenFile {
  name: string;
  gz: Gzip;
  closed: Promise<void>;
}

function openGzFile(path: string): OpenFile {
  const gz = createGzip();
  const file: WriteStream = createWriteStream(path, { flags: 'a' });
  const closed = new Promise<void>((resolve, reject) => {
    file.once('close', resolve);
    file.once('error', reject);
    gz.once('error', reject);
  });
  gz.pipe(file);
  return { name: path, gz, closed };
}

/** Starts recording; see the module docstring. Resolves once the output directory exists and the first connect began. */
export async function runRecorder(opts: RecorderOptions): Promise<Recorder> {
  const now = opts.now ?? Date.now;
  const log = opts.log ?? ((l: string) => console.error(l));
  const initialMs = opts.backoff?.initialMs ?? 250;
  const maxMs = opts.backoff?.maxMs ?? 30_000;
  mkdirSync(opts.outDir, { recursive: true });

  const stats: RecorderStats = { frames: 0, bytes: 0, binaryFramesSkipped: 0, files: [], currentFile: null, connects: 0, disconnects: 0 };
  const closing: Array<Promise<void>> = [];
  let current: OpenFile | null = null;
  let stopping = false;
  let stopped: Promise<RecorderStats> | null = null;
  let ws: WebSocket | null = null;
  let attempt = 0;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let disconnectedAt: number | null = null;
  let subscribed!: () => void;
  const subscribedP = new Promise<void>((r) => (subscribed = r));

  const fileFor = (ms: number): OpenFile => {
    const path = join(opts.outDir, hourlyFileName(ms));
    if (current?.name === path) return current;
    if (current) {
      current.gz.end();
      closing.push(current.closed);
      log(`record: rotated ${current.name} -> ${path}`);
    }
    current = openGzFile(path);
    current.closed.catch((e: Error) => log(`record: write error on ${path}: ${e.message}`));
    stats.files.push(path);
    stats.currentFile = path;
    return current;
  };

  const onMessage = (data: WebSocket.RawData, isBinary: boolean): void => {
    if (stopping) return;
    if (isBinary) {
      stats.binaryFramesSkipped++;
      return;
    }
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    const f = fileFor(now());
    f.gz.write(buf);
    f.gz.write('\n');
    stats.frames++;
    stats.bytes += buf.length;
  };

  const connect = (): void => {
    reconnectTimer = null;
    if (stopping) return;
    const headers: Record<string, string> = {};
    if (opts.credentials) {
      Object.assign(headers, signRequest({ keyId: opts.credentials.keyId, privateKey: opts.credentials.privateKeyPem }, 'GET', new URL(opts.wsUrl).pathname));
    }
    const sock = new WebSocket(opts.wsUrl, { headers, perMessageDeflate: false });
    ws = sock;
    sock.on('message', onMessage);
    sock.once('open', () => {
      stats.connects++;
      attempt = 0;
      const params: Record<string, unknown> = { channels: opts.channels };
      if (opts.tickers && opts.tickers.length > 0) params.market_tickers = opts.tickers;
      sock.send(JSON.stringify({ id: 1, cmd: 'subscribe', params }));
      if (disconnectedAt !== null) {
        log(`record: reconnected and resubscribed; gap of ${Date.now() - disconnectedAt} ms (frames between disconnect and now were not recorded), after frame ${stats.frames}`);
        disconnectedAt = null;
      }
      subscribed();
    });
    sock.once('unexpected-response', (_req, res) => {
      log(`record: upgrade refused: HTTP ${res.statusCode}`);
      sock.terminate();
    });
    sock.on('error', (e) => log(`record: socket error: ${e.message}`));
    sock.once('close', (code, reason) => {
      if (ws === sock) ws = null;
      if (stopping) return;
      if (disconnectedAt === null) {
        disconnectedAt = Date.now();
        stats.disconnects++;
        log(`record: disconnected (code ${code}${reason.length ? ` ${reason.toString()}` : ''}); gap starts after frame ${stats.frames}`);
      }
      const base = Math.min(maxMs, initialMs * 2 ** attempt++);
      const delay = Math.round(base * (0.8 + 0.4 * Math.random()));
      log(`record: reconnecting in ${delay} ms (attempt ${attempt})`);
      reconnectTimer = setTimeout(connect, delay);
    });
  };

  const statusMs = opts.statusIntervalMs ?? 5_000;
  const statusTimer =
    statusMs > 0
      ? setInterval(() => {
          current?.gz.flush(); // a crash loses at most one interval: everything before is a complete deflate block
          log(`record: frames=${stats.frames} bytes=${stats.bytes} file=${stats.currentFile ?? '-'} connected=${ws?.readyState === WebSocket.OPEN ? 'yes' : 'no'}`);
        }, statusMs)
      : null;

  connect();

  const stop = (): Promise<RecorderStats> => {
    if (stopped) return stopped;
    stopping = true;
    stopped = (async () => {
      if (statusTimer) clearInterval(statusTimer);
      if (reconnectTimer) clearTimeout(reconnectTimer);
      const sock = ws as WebSocket | null;
      if (sock) {
        sock.removeListener('message', onMessage);
        if (sock.readyState === WebSocket.CONNECTING) sock.terminate();
        else sock.close(1000, 'recorder stopped');
        setTimeout(() => sock.terminate(), 1_000).unref();
      }
      const last = current as OpenFile | null;
      if (last) {
        last.gz.end();
        closing.push(last.closed);
      }
      await Promise.all(closing);
      return { ...stats, files: [...stats.files] };
    })();
    return stopped;
  };

  return { stats, whenSubscribed: () => subscribedP, stop };
}

/** Reads credentials: a `{key_id, private_key_pem}` JSON file, else a key id with a PEM file. */
export function loadCredentials(file?: string, keyId?: string, keyPath?: string): RecorderCredentials | undefined {
  if (file) {
    const j = JSON.parse(readFileSync(file, 'utf8')) as { key_id?: string; private_key_pem?: string };
    if (!j.key_id || !j.private_key_pem) throw new Error(`${file}: expected {"key_id", "private_key_pem"}`);
    return { keyId: j.key_id, privateKeyPem: j.private_key_pem };
  }
  if (keyId && keyPath) return { keyId, privateKeyPem: readFileSync(keyPath, 'utf8') };
  if (keyId || keyPath) throw new Error('credentials need both KALSHI_API_KEY_ID and KALSHI_PRIVATE_KEY_PATH');
  return undefined;
}

const list = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0);

export const registerRecord = (program: Command): void => {
  program
    .command('record')
    .description(
      'Record every WebSocket text frame, byte-identical, one per line, to gzip JSONL files rotated every UTC hour ' +
        '(DIR/kalshi-ws-YYYYMMDDTHH.jsonl.gz, by the UTC hour a frame is received; an existing hour file is appended to). ' +
        'Reconnects with backoff and resubscribes; SIGINT/SIGTERM finish the file and exit 0.',
    )
    .requiredOption('--out <dir>', 'output directory')
    .option('--channels <list>', 'comma-separated channels', DEFAULT_CHANNELS.join(','))
    .option('--tickers <list>', 'comma-separated market tickers (default: all markets)')
    .option('--ws-url <url>', 'WebSocket URL (env KALSHI_WS_URL)')
    .option('--credentials <file>', 'JSON {key_id, private_key_pem} (env KALSHI_CREDENTIALS_FILE, or KALSHI_API_KEY_ID + KALSHI_PRIVATE_KEY_PATH)')
    .option('--status-interval <ms>', 'status line interval, ms', '5000')
    .action(async (o: { out: string; channels: string; tickers?: string; wsUrl?: string; credentials?: string; statusInterval: string }) => {
      const env = process.env;
      const credentials = o.credentials
        ? loadCredentials(o.credentials)
        : loadCredentials(env.KALSHI_CREDENTIALS_FILE || undefined, env.KALSHI_API_KEY_ID || undefined, env.KALSHI_PRIVATE_KEY_PATH || undefined);
      const wsUrl = o.wsUrl ?? (env.KALSHI_WS_URL || DEFAULT_WS_URL);
      const channels = list(o.channels);
      if (channels.length === 0) throw new Error('--channels is empty');
      const rec = await runRecorder({
        outDir: o.out,
        wsUrl,
        channels,
        tickers: o.tickers ? list(o.tickers) : undefined,
        credentials,
        statusIntervalMs: Number(o.statusInterval),
        log: (l) => console.error(l),
      });
      console.error(`record: ${wsUrl} channels=${channels.join(',')} -> ${o.out}${credentials ? ' (signed)' : ''}`);
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGINT', () => resolve('SIGINT'));
        process.once('SIGTERM', () => resolve('SIGTERM'));
      });
      const s = await rec.stop();
      console.error(`record: ${signal}: stopped; frames=${s.frames} bytes=${s.bytes} files=${s.files.length}`);
      process.exitCode = 0;
      setTimeout(() => process.exit(0), 2_000).unref();
    });
};
