/**
 * A loopback stand-in for QuestDB's ILP-over-HTTP endpoint, for tests and local runs without a QuestDB server:
 * `POST /write` answers 204 and records the body's lines (or a scripted failure status); anything else is 404.
 * It speaks only what the official client sends; it does not parse or validate ILP.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Minimal ILP-over-HTTP endpoint: POST /write -> 204 (or a scripted failure), records accepted lines. */
export class FakeQuestDb {
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

  get lines(): string[] {
    return this.batches.flat();
  }

  /** Forgets the recorded lines. */
  reset(): void {
    this.batches.length = 0;
  }
}
