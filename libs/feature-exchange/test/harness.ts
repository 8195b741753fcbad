/**
 * Test harness for the mock exchange: starting it quietly on 127.0.0.1:0, a raw `ws` client that records
 * every frame, upgrade attempts that report the HTTP refusal, polling waits, and the demo capture's oracle.
 * Everything here talks over real loopback sockets; nothing is mocked.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import WebSocket from 'ws';
import { formatPriceDollars, formatSizeFp, type Level } from '@kalshi-platform/market';
import { ExchangeConfig, RunningExchange, startExchange } from '../src/exchange';

export const SAMPLE_DIR = resolve(__dirname, '../../../data/samples/kalshi-demo-ws-capture-2026-07-01');
export const CAPTURE = resolve(SAMPLE_DIR, 'ws_session_orderbook_delta_fill.jsonl');

export interface OracleBook {
  last_seq: number;
  yes_dollars_fp: Array<[string, string]>;
  no_dollars_fp: Array<[string, string]>;
  best_yes_bid: string;
  best_no_bid: string;
  implied_yes_ask: string;
}

export const ORACLE: Record<string, OracleBook> = JSON.parse(readFileSync(resolve(SAMPLE_DIR, 'DERIVED_expected_final_books.json'), 'utf8'));
export const MARKETS = Object.keys(ORACLE).sort();

/** Numeric levels as Kalshi's fixed-point strings, for comparison with the oracle. */
export const fpLevels = (levels: readonly Level[]): Array<[string, string]> => levels.map(([p, q]) => [formatPriceDollars(p), formatSizeFp(q)]);

/** Starts a mock exchange on 127.0.0.1:0 over the demo capture, silent, unauthenticated WS allowed unless overridden. */
export function startQuiet(over: Partial<ExchangeConfig> = {}): Promise<RunningExchange> {
  return startExchange({
    host: '127.0.0.1',
    port: 0,
    capturePath: CAPTURE,
    speed: 'max',
    dropFrames: 0,
    seed: 1,
    dialect: 'fixed_point',
    allowUnauthenticated: true,
    logger: false,
    ...over,
  });
}

/** Polls `cond` every 5 ms; rejects naming `what` after `timeoutMs`. */
export async function waitUntil(cond: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Any JSON frame as received. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** A raw `ws` client that records every text frame it receives (raw text and parsed JSON). */
export class RawClient {
  readonly texts: string[] = [];
  readonly frames: Json[] = [];
  closeInfo: { code: number; reason: string } | null = null;
  private nextId = 1;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      this.texts.push(text);
      let parsed: Json;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = { unparsable: text };
      }
      this.frames.push(parsed);
    });
    ws.on('close', (code, reason) => {
      this.closeInfo = { code, reason: reason.toString() };
    });
    ws.on('error', () => undefined);
  }

  /** Opens a connection; rejects when the upgrade is refused. */
  static connect(url: string, headers: Record<string, string> = {}): Promise<RawClient> {
    return new Promise((resolveP, reject) => {
      const ws = new WebSocket(url, { headers, perMessageDeflate: false });
      const c = new RawClient(ws);
      ws.once('open', () => resolveP(c));
      ws.once('unexpected-response', (_req, res) => {
        reject(new Error(`upgrade refused: HTTP ${res.statusCode}`));
        ws.terminate();
      });
      ws.once('error', reject);
    });
  }

  /** Sends a command with the next id (or a raw string verbatim); returns the id. */
  send(cmd: string | Record<string, unknown>): number {
    if (typeof cmd === 'string') {
      this.ws.send(cmd);
      return -1;
    }
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ id, ...cmd }));
    return id;
  }

  /** Resolves with the first frame (at or after index `from`) matching `pred`. */
  async waitFor(pred: (f: Json) => boolean, what: string, from = 0, timeoutMs = 5_000): Promise<Json> {
    let found: Json;
    await waitUntil(
      () => {
        for (let i = from; i < this.frames.length; i++) {
          if (pred(this.frames[i])) {
            found = this.frames[i];
            return true;
          }
        }
        return false;
      },
      what,
      timeoutMs,
    );
    return found;
  }

  /** The reply frame carrying `id` (error, ok, subscribed, unsubscribed). */
  reply(id: number, from = 0): Promise<Json> {
    return this.waitFor((f) => f.id === id, `reply to command ${id}`, from);
  }

  whenClosed(timeoutMs = 5_000): Promise<{ code: number; reason: string }> {
    return waitUntil(() => this.closeInfo !== null, 'connection close', timeoutMs).then(() => this.closeInfo!);
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Attempts an upgrade and reports the outcome: `open`, or the HTTP status and body of the refusal. */
export function tryUpgrade(url: string, headers: Record<string, string> = {}): Promise<{ open: true } | { open: false; status: number; body: string }> {
  return new Promise((resolveP, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    ws.once('open', () => {
      ws.close();
      resolveP({ open: true });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        resolveP({ open: false, status: res.statusCode ?? 0, body });
        ws.terminate();
      });
    });
    ws.on('error', (e) => reject(e));
  });
}

/**
 * Waits until the replay is done and this client received every frame the gateway sent it (the gateway counts
 * frames per connection; the client is the only connection in the tests that use this).
 */
export async function drain(ex: RunningExchange, c: RawClient, timeoutMs = 10_000): Promise<void> {
  await ex.replay!.whenDone();
  await waitUntil(() => c.frames.length >= ex.gateway.stats.framesSent, `all ${ex.gateway.stats.framesSent} frames to arrive`, timeoutMs);
}
