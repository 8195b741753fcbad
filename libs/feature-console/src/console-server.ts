/**
 * The trading console's web server (issue #7 item 5): fastify serving the page (plain HTML, CSS and an ES module from
 * `libs/feature-console/public/`, no bundler), lightweight-charts' standalone build from node_modules, a JSON API, and
 * one WebSocket endpoint (`ws`) that pushes the model to every open page.
 *
 * - `GET /` (index.html), `/console.css`, `/console.js`, `/vendor/lightweight-charts.js`
 * - `GET /api/state` — the same snapshot a page gets when its WebSocket opens
 * - `POST /api/kill-switch` `{"reason": "...", "by"?: "..."}` — engages execution's kill switch over the bus
 *   (`ctl.v1.execution.kill`): every later order refused, the breaker tripped, every open order canceled; replies with
 *   the KillSwitchResultV1. `POST /api/kill-switch/resume` disengages it (`ctl.v1.execution.resume`). Both take JSON
 *   only (a cross-site form cannot send it), and the server binds to loopback unless told otherwise.
 * - `GET /ws` (WebSocket) — `{"type":"snapshot",...}` on connect (a late page sees the current state), then
 *   `{"type":"update",...}` with what changed, at most one every `throttleMs` (so each market at most that often).
 *   A page that cannot keep up (more than 4 MB unsent) is skipped and sent a fresh snapshot once it has drained.
 *
 * The server outlives the pipelines that feed it: {@link RunningConsole.attach} subscribes it to one bus (the replay's,
 * then the sportsbook phase's) and the returned feed closes with that pipeline; the page keeps the last state.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import { fastify, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { WebSocket, WebSocketServer } from 'ws';
import { subjects, type BusTransport, type KillSwitchCommandV1, type KillSwitchResultV1 } from '@kalshi-platform/bus';
import { startConsoleFeed, type ConsoleFeed, type ConsoleFeedOptions } from './console-feed';
import { ConsoleState, type ConsoleStateOptions, type RunView } from './console-state';

/** Where the console listens and how often it pushes. */
export interface ConsoleServerOptions {
  /** TCP port; 0 = any free port (see {@link RunningConsole.port}); default 3000 */
  port?: number;
  /** interface; default `127.0.0.1` (set `0.0.0.0` to open it from a phone on the LAN: anyone who reaches it can engage the kill switch) */
  host?: string;
  /** at most one update per page every this many ms (the per-market throttle); default 100 */
  throttleMs?: number;
  /** status poll period of every feed, ms; default 1000 */
  pollMs?: number;
  /** sizes of the model */
  state?: ConsoleStateOptions;
}

/** A started console. */
export interface RunningConsole {
  /** `http://host:port/` */
  readonly url: string;
  readonly port: number;
  /** the model (tests and hosts may read it) */
  readonly state: ConsoleState;
  /** Subscribes the console to a bus; close the returned feed with the pipeline. @throws when the feed cannot start */
  attach(transport: BusTransport, o: Omit<ConsoleFeedOptions, 'pollMs'>): Promise<ConsoleFeed>;
  /** What the run is doing (shown in the page's header). */
  setRun(r: Partial<RunView>): void;
  /** Request/reply on the bus of the latest open feed. @throws when no feed is open, or the remote error / a timeout */
  request<T>(subject: string, data?: unknown, timeoutMs?: number): Promise<T>;
  /** Engages execution's kill switch (`ctl.v1.execution.kill`). @throws like {@link request} */
  kill(by: string, reason: string): Promise<KillSwitchResultV1>;
  /** Disengages it (`ctl.v1.execution.resume`). @throws like {@link request} */
  resume(by: string, reason: string): Promise<KillSwitchResultV1>;
  /** open WebSocket pages */
  clients(): number;
  /** Closes every page, feed and the HTTP server. Idempotent. */
  close(): Promise<void>;
}

const PUBLIC_DIR = resolve(__dirname, '../public');
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };
const MAX_BUFFERED = 4 * 1024 * 1024;
const RESUME_BUFFERED = 256 * 1024;
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** lightweight-charts' standalone build (defines `window.LightweightCharts`); its package exports no such subpath, hence the path. */
function lightweightChartsPath(): string {
  return join(dirname(require.resolve('lightweight-charts/package.json')), 'dist', 'lightweight-charts.standalone.production.js');
}

interface Asset {
  body: Buffer;
  type: string;
}

function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const [route, file] of [
    ['/', join(PUBLIC_DIR, 'index.html')],
    ['/console.css', join(PUBLIC_DIR, 'console.css')],
    ['/console.js', join(PUBLIC_DIR, 'console.js')],
    ['/vendor/lightweight-charts.js', lightweightChartsPath()],
  ] as const) {
    assets.set(route, { body: readFileSync(file), type: TYPES[file.slice(file.lastIndexOf('.'))] });
  }
  return assets;
}

interface Page {
  ws: WebSocket;
  /** skipped updates: send a snapshot once drained */
  stale: boolean;
  alive: boolean;
}

/** Validates a kill-switch body: `{reason: 1..500 chars, by?: 1..100 chars}`. Returns an error message or the command. */
function killCommand(body: unknown, defaultBy: string): KillSwitchCommandV1 | string {
  if (typeof body !== 'object' || body === null) return 'body must be a JSON object {"reason": "..."}';
  const b = body as Record<string, unknown>;
  const reason = typeof b.reason === 'string' ? b.reason.trim() : '';
  if (reason.length === 0 || reason.length > 500) return 'reason must be a non-empty string of at most 500 characters';
  let by = defaultBy;
  if (b.by !== undefined) {
    if (typeof b.by !== 'string' || b.by.trim().length === 0 || b.by.length > 100) return 'by must be a non-empty string of at most 100 characters';
    by = b.by.trim();
  }
  return { v: 1, by, reason };
}

/**
 * Starts the console's web server (see the module docstring). Feed it with {@link RunningConsole.attach}.
 * @throws Error naming host and port when it cannot listen (e.g. the port is taken); RangeError for a bad port
 */
export async function startConsoleServer(o: ConsoleServerOptions = {}): Promise<RunningConsole> {
  const port = o.port ?? 3000;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`console: port must be an integer 0..65535, got ${port}`);
  const host = o.host ?? '127.0.0.1';
  const throttleMs = o.throttleMs ?? 100;
  const state = new ConsoleState(o.state);
  const assets = loadAssets();
  const feeds: ConsoleFeed[] = [];
  const pages = new Set<Page>();

  const currentFeed = (): ConsoleFeed => {
    for (let i = feeds.length - 1; i >= 0; i--) if (!feeds[i].closed) return feeds[i];
    throw new Error('no pipeline is running: the run that fed the console has ended');
  };
  const request = <T>(subject: string, data: unknown = {}, timeoutMs = 15_000): Promise<T> => {
    try {
      return currentFeed().request<T>(subject, data, timeoutMs);
    } catch (e) {
      return Promise.reject(e);
    }
  };
  const command = async (subject: string, cmd: KillSwitchCommandV1): Promise<KillSwitchResultV1> => {
    const feed = currentFeed();
    const r = await feed.request<KillSwitchResultV1>(subject, cmd, 30_000);
    const k = state.killView();
    state.setKill({ ...k, engaged: r.engaged, by: r.engaged ? cmd.by : null, reason: r.engaged ? cmd.reason : null, atMs: r.engaged ? Date.now() : null });
    void feed.poll().catch(() => undefined);
    return r;
  };

  const app: FastifyInstance = fastify({ logger: false, bodyLimit: 16 * 1024 });
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('Content-Security-Policy', CSP);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Cache-Control', 'no-cache');
    return payload;
  });
  for (const [route, a] of assets) app.get(route, async (_req, reply) => reply.type(a.type).send(a.body));
  app.get('/api/state', async () => state.snapshot());
  const killRoute = (subject: string) => async (req: FastifyRequest, reply: FastifyReply) => {
    const cmd = killCommand(req.body, `console@${req.ip}`);
    if (typeof cmd === 'string') {
      reply.code(400);
      return { ok: false, error: cmd };
    }
    try {
      return { ok: true, result: await command(subject, cmd) };
    } catch (e) {
      reply.code(503);
      return { ok: false, error: (e as Error).message };
    }
  };
  app.post('/api/kill-switch', killRoute(subjects.executionKill));
  app.post('/api/kill-switch/resume', killRoute(subjects.executionResume));

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 });
  const send = (p: Page, text: string) => {
    if (p.ws.readyState === WebSocket.OPEN) p.ws.send(text);
  };
  wss.on('connection', (ws: WebSocket) => {
    const page: Page = { ws, stale: false, alive: true };
    pages.add(page);
    ws.on('pong', () => (page.alive = true));
    ws.on('message', () => undefined); // the page only listens
    ws.on('close', () => pages.delete(page));
    ws.on('error', () => pages.delete(page));
    send(page, JSON.stringify(state.snapshot()));
  });
  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    const origin = req.headers.origin;
    // a page of another site must not read the feed (browsers send Origin on every WebSocket handshake)
    let sameOrigin = true;
    if (origin) {
      try {
        sameOrigin = new URL(origin).host === req.headers.host;
      } catch {
        sameOrigin = false;
      }
    }
    if (path !== '/ws' || !sameOrigin) {
      socket.write(`HTTP/1.1 ${path !== '/ws' ? '404 Not Found' : '403 Forbidden'}\r\nConnection: close\r\n\r\n`);
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const flush = setInterval(() => {
    const u = state.takeUpdate();
    const text = u ? JSON.stringify(u) : null;
    for (const p of pages) {
      if (p.stale) {
        if (p.ws.bufferedAmount < RESUME_BUFFERED) {
          p.stale = false;
          send(p, JSON.stringify(state.snapshot()));
        }
      } else if (text !== null) {
        if (p.ws.bufferedAmount > MAX_BUFFERED) p.stale = true;
        else send(p, text);
      }
    }
  }, throttleMs);
  flush.unref?.();
  const ping = setInterval(() => {
    for (const p of pages) {
      if (!p.alive) {
        p.ws.terminate();
        pages.delete(p);
        continue;
      }
      p.alive = false;
      p.ws.ping();
    }
  }, 30_000);
  ping.unref?.();

  try {
    await app.listen({ port, host });
  } catch (e) {
    clearInterval(flush);
    clearInterval(ping);
    await app.close().catch(() => undefined);
    throw new Error(`console: cannot serve on ${host}:${port}: ${(e as Error).message}`);
  }
  const addr = app.server.address();
  const boundPort = typeof addr === 'object' && addr ? addr.port : port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  let closing: Promise<void> | null = null;
  return {
    url: `http://${urlHost}:${boundPort}/`,
    port: boundPort,
    state,
    attach: async (transport, fo) => {
      const feed = await startConsoleFeed(state, transport, { ...fo, pollMs: o.pollMs });
      feeds.push(feed);
      return feed;
    },
    setRun: (r) => state.setRun(r),
    request,
    kill: (by, reason) => command(subjects.executionKill, { v: 1, by, reason }),
    resume: (by, reason) => command(subjects.executionResume, { v: 1, by, reason }),
    clients: () => pages.size,
    close: () =>
      (closing ??= (async () => {
        clearInterval(flush);
        clearInterval(ping);
        for (const p of pages) p.ws.close(1001, 'console closing');
        for (const f of feeds) await f.close().catch(() => undefined);
        await new Promise<void>((r) => wss.close(() => r()));
        for (const p of pages) p.ws.terminate();
        await app.close();
      })()),
  };
}
