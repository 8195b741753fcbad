/**
 * A loopback stand-in for QuestDB's ILP-over-HTTP endpoint, for tests and local runs without a QuestDB server:
 * `POST /write` answers 204 and records the body's lines (or a scripted failure status); anything else is 404.
 * It speaks only what the official client sends; it does not parse or validate ILP.
 *
 * Optionally (when `onExec` / `onExp` are set) it also answers QuestDB's REST `GET /exec?query=` and
 * `GET /exp?query=&fmt=...` by delegating to those handlers, which stand in for the SQL engine (tests of
 * `QuestDbAdmin`). Without them those paths stay 404 as before. Request headers are recorded in `headers`.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What an `onExec` / `onExp` handler answers: an HTTP status and a body (an object is sent as JSON). */
export interface FakeQuestDbReply {
  status: number;
  body: unknown;
  contentType?: string;
}

/** Minimal ILP-over-HTTP endpoint: POST /write -> 204 (or a scripted failure), records accepted lines. */
export class FakeQuestDb {
  /** Handles `GET /exec`: gets the `query` parameter and all URL parameters. Unset = 404. */
  onExec: ((query: string, params: URLSearchParams) => FakeQuestDbReply | Promise<FakeQuestDbReply>) | null = null;
  /** Handles `GET /exp`: gets the `query` parameter and all URL parameters (fmt, compression_codec, ...). Unset = 404. */
  onExp: ((query: string, params: URLSearchParams) => FakeQuestDbReply | Promise<FakeQuestDbReply>) | null = null;
  /** Headers of every request, in order (e.g. to check `authorization`). */
  readonly headers: http.IncomingHttpHeaders[] = [];
  /** Bodies of accepted (204) requests, split into lines. */
  readonly batches: string[][] = [];
  readonly urls: string[] = [];
  /** Status codes to answer for the next requests (consumed in order); empty = 204. */
  script: number[] = [];
  requests = 0;
  private server: http.Server | null = null;
  port = 0;

  async start(port = 0): Promise<void> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests++;
        this.urls.push(`${req.method} ${req.url}`);
        this.headers.push(req.headers);
        const url = new URL(req.url ?? '/', 'http://fake');
        const rest = url.pathname === '/exec' ? this.onExec : url.pathname === '/exp' ? this.onExp : null;
        if (req.method === 'GET' && rest) {
          void this.answer(res, () => rest(url.searchParams.get('query') ?? '', url.searchParams));
          return;
        }
        const status = this.script.shift() ?? 204;
        if (req.method !== 'POST' || !req.url?.startsWith('/write')) {
          res.writeHead(404).end();
        } else if (status === 204) {
          this.batches.push(Buffer.concat(chunks).toString('utf8').split('\n').filter((l) => l.length > 0));
          res.writeHead(204).end();
        } else {
          res
            .writeHead(status, { 'content-type': 'application/json' })
            .end(JSON.stringify({ code: status >= 500 ? 'internal error' : 'invalid', message: 'scripted failure', line: 1, errorId: 'x' }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async answer(res: http.ServerResponse, handler: () => FakeQuestDbReply | Promise<FakeQuestDbReply>): Promise<void> {
    try {
      const reply = await handler();
      const isBytes = reply.body instanceof Uint8Array;
      const body = isBytes ? Buffer.from(reply.body as Uint8Array) : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      res
        .writeHead(reply.status, { 'content-type': reply.contentType ?? (isBytes ? 'application/octet-stream' : 'application/json') })
        .end(body);
    } catch (err) {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
    }
  }

  get lines(): string[] {
    return this.batches.flat();
  }

  /** Forgets the recorded lines and headers. */
  reset(): void {
    this.batches.length = 0;
    this.headers.length = 0;
  }
}
