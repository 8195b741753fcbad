/**
 * `kalshi-platform kill-switch` (issue #5 command-line contract) against real responders started here, since the test
 * checks the CLI's wire contract, not the execution app:
 * - NATS: a NestJS microservice (the repo's `createBusServer`) with a tiny controller answering
 *   `ctl.v1.execution.kill` / `ctl.v1.execution.resume` with canned KillSwitchResultV1 replies and recording each
 *   request (validated with `decodeKillSwitchCommandV1`). It runs on a private `nats-server` started on a free
 *   loopback port, so that neither a running execution app nor another suite's responder on the shared server
 *   (127.0.0.1:4222) sees these kill requests; without the binary it falls back to `NATS_URL` / 4222 and refuses to run
 *   if an execution app answers there (`ctl.v1.execution.status`).
 * - HTTP (`--url`): a node:http server standing in for `POST /kill-switch` and `POST /resume`.
 *
 * Levels: flag parsing, a commander program with `registerKillSwitch` in-process (stdout / stderr / exit code
 * captured), and the real `kalshi-platform` binary (bin/kalshi-platform.cjs) as a child process.
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientNats, Ctx, MessagePattern, Payload, RpcException, type ClientProxy, type NatsContext } from '@nestjs/microservices';
import { Command } from 'commander';
import { busRequest, createBusServer, decodeKillSwitchCommandV1, subjects, type KillSwitchCommandV1, type KillSwitchResultV1 } from '@kalshi-platform/bus';
import {
  DEFAULT_KILL_SWITCH_NATS_URL,
  DEFAULT_KILL_SWITCH_TIMEOUT_MS,
  formatKillSwitchResult,
  KillSwitchArgError,
  killSwitchOptionsFromFlags,
  killSwitchProblems,
  registerKillSwitch,
} from '../src/commands/kill-switch';

jest.setTimeout(60_000);

const REPO = join(__dirname, '..', '..', '..');
const ME = `cli:${userInfo().username}`;
const OK: KillSwitchResultV1 = { v: 1, engaged: true, changed: true, canceled: 3, openAfter: 0, errors: [] };
const RESUMED: KillSwitchResultV1 = { v: 1, engaged: false, changed: true, canceled: 0, openAfter: 0, errors: [] };

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createNetServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

const argError = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof KillSwitchArgError) return e.message;
    throw e;
  }
  throw new Error('expected a KillSwitchArgError');
};

describe('killSwitchOptionsFromFlags', () => {
  it('defaults: NATS on 127.0.0.1:4222, by cli:<os user>, reason "operator kill switch", 10 s, table', () => {
    expect(killSwitchOptionsFromFlags({}, {})).toEqual({
      target: { kind: 'nats', url: DEFAULT_KILL_SWITCH_NATS_URL },
      resume: false,
      by: ME,
      reason: 'operator kill switch',
      timeoutMs: DEFAULT_KILL_SWITCH_TIMEOUT_MS,
      format: 'table',
    });
    expect(DEFAULT_KILL_SWITCH_NATS_URL).toBe('nats://127.0.0.1:4222');
  });

  it('flags beat the environment; EXECUTION_URL (HTTP) beats NATS_URL', () => {
    expect(killSwitchOptionsFromFlags({}, { NATS_URL: 'nats://bus:4222' }).target).toEqual({ kind: 'nats', url: 'nats://bus:4222' });
    expect(killSwitchOptionsFromFlags({}, { NATS_URL: 'nats://bus:4222', EXECUTION_URL: 'http://exec:8090/' }).target).toEqual({ kind: 'http', url: 'http://exec:8090' });
    expect(killSwitchOptionsFromFlags({ nats: 'nats://a:1' }, { EXECUTION_URL: 'http://exec:8090' }).target).toEqual({ kind: 'nats', url: 'nats://a:1' });
    expect(killSwitchOptionsFromFlags({ url: 'https://exec.example' }, { NATS_URL: 'nats://bus:4222' }).target).toEqual({ kind: 'http', url: 'https://exec.example' });
    const o = killSwitchOptionsFromFlags({ resume: true, reason: ' all clear ', by: 'alice', timeoutMs: '250', format: 'json' }, {});
    expect(o).toMatchObject({ resume: true, reason: 'all clear', by: 'alice', timeoutMs: 250, format: 'json' });
  });

  it('bad flags are KillSwitchArgErrors naming the flag', () => {
    expect(argError(() => killSwitchOptionsFromFlags({ resume: true }, {}))).toBe('--reason is required with --resume (say why trading may start again)');
    expect(argError(() => killSwitchOptionsFromFlags({ nats: 'nats://a:1', url: 'http://b:2' }, {}))).toBe('--nats and --url are exclusive: give one');
    expect(argError(() => killSwitchOptionsFromFlags({ url: 'ftp://b:2' }, {}))).toBe('--url: expected http:// or https://, got "ftp://b:2"');
    expect(argError(() => killSwitchOptionsFromFlags({ url: 'not a url' }, {}))).toBe('--url: expected http://host:port, got "not a url"');
    expect(argError(() => killSwitchOptionsFromFlags({}, { EXECUTION_URL: 'exec:8090' }))).toMatch(/^EXECUTION_URL: /);
    expect(argError(() => killSwitchOptionsFromFlags({ nats: 'http://bus:4222' }, {}))).toMatch(/^--nats: NATS URL "http:\/\/bus:4222" must start with nats:\/\//);
    expect(argError(() => killSwitchOptionsFromFlags({}, { NATS_URL: 'bus:4222' }))).toMatch(/^NATS_URL: /);
    expect(argError(() => killSwitchOptionsFromFlags({ nats: ' ' }, {}))).toBe('--nats: is empty');
    for (const t of ['0', '-5', '1.5', 'soon', '']) expect(argError(() => killSwitchOptionsFromFlags({ timeoutMs: t }, {}))).toMatch(/^--timeout-ms: expected a positive whole number/);
    expect(argError(() => killSwitchOptionsFromFlags({ format: 'yaml' }, {}))).toBe('--format: must be one of table, json, got "yaml"');
    expect(argError(() => killSwitchOptionsFromFlags({ by: ' ' }, {}))).toBe('--by: is empty');
    expect(argError(() => killSwitchOptionsFromFlags({ reason: '' }, {}))).toBe('--reason: is empty');
  });
});

describe('formatKillSwitchResult / killSwitchProblems', () => {
  const kill = { resume: false, by: 'cli:x' };
  const resume = { resume: true, by: 'cli:x' };
  it('summarises engage and resume in one line', () => {
    expect(formatKillSwitchResult(kill, OK)).toBe('kill switch ENGAGED by cli:x: 3 order(s) canceled, 0 still open at the exchange');
    expect(formatKillSwitchResult(kill, { ...OK, changed: false, canceled: 0 })).toBe('kill switch ENGAGED by cli:x: 0 order(s) canceled, 0 still open at the exchange (it was already engaged)');
    expect(formatKillSwitchResult(resume, RESUMED)).toBe('kill switch DISENGAGED by cli:x');
    expect(formatKillSwitchResult(resume, { ...RESUMED, changed: false })).toBe('kill switch DISENGAGED by cli:x (it was not engaged)');
    expect(killSwitchProblems(kill, OK)).toEqual([]);
    expect(killSwitchProblems(resume, RESUMED)).toEqual([]);
  });
  it('open orders left, errors, or the wrong state are problems (exit 1)', () => {
    expect(killSwitchProblems(kill, { ...OK, openAfter: 2, errors: ['cancel O-1: HTTP 503'] })).toEqual([
      '2 order(s) still open at the exchange after the cancel sweep: check them and cancel by hand',
      'error: cancel O-1: HTTP 503',
    ]);
    expect(killSwitchProblems(kill, { ...OK, engaged: false })).toEqual(['the execution app reports the kill switch NOT engaged']);
    expect(killSwitchProblems(resume, { ...RESUMED, engaged: true })).toEqual(['the execution app reports the kill switch still engaged']);
  });
});

/** A commander program with only `kill-switch`, run in this process: stdout, stderr and the exit code captured. */
async function cliInProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { NATS_URL: process.env.NATS_URL, EXECUTION_URL: process.env.EXECUTION_URL };
  delete process.env.NATS_URL;
  delete process.env.EXECUTION_URL;
  Object.assign(process.env, env);
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true)),
    jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true)),
    jest.spyOn(process, 'exit').mockImplementation((code?: string | number | null) => {
      throw new Error(`process.exit(${code})`);
    }),
  ];
  let code = 0;
  try {
    const program = new Command('kalshi-platform').exitOverride();
    registerKillSwitch(program);
    await program.parseAsync(['kill-switch', ...args], { from: 'user' });
  } catch (e) {
    const m = /^process\.exit\((\d+)\)$/.exec((e as Error).message);
    if (!m) throw e;
    code = Number(m[1]);
  } finally {
    for (const s of spies) s.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** The real `kalshi-platform` binary, asynchronously: the responders live in this process and must keep answering. */
function cliChild(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
  delete env.NATS_URL;
  delete env.EXECUTION_URL;
  delete env.JEST_WORKER_ID;
  const child = spawn(process.execPath, [join(REPO, 'bin', 'kalshi-platform.cjs'), 'kill-switch', ...args], { cwd: REPO, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

// ---- NATS: the canned responder -------------------------------------------------------------------------------

const natsReceived: Array<{ subject: string; command: KillSwitchCommandV1; raw: unknown }> = [];
let natsReply: { kill: KillSwitchResultV1 | 'refuse'; resume: KillSwitchResultV1 } = { kill: OK, resume: RESUMED };

/** Answers the execution app's kill / resume subjects with canned results (the CLI's wire contract, not the app). */
@Controller()
class CannedExecutionController {
  @MessagePattern(subjects.executionKill)
  kill(@Payload() data: unknown, @Ctx() ctx: NatsContext): KillSwitchResultV1 {
    natsReceived.push({ subject: ctx.getSubject(), command: decodeKillSwitchCommandV1(data), raw: data });
    if (natsReply.kill === 'refuse') throw new RpcException('kill switch sweep failed: exchange unreachable');
    return natsReply.kill;
  }

  @MessagePattern(subjects.executionResume)
  resume(@Payload() data: unknown, @Ctx() ctx: NatsContext): KillSwitchResultV1 {
    natsReceived.push({ subject: ctx.getSubject(), command: decodeKillSwitchCommandV1(data), raw: data });
    return natsReply.resume;
  }
}

@Module({ controllers: [CannedExecutionController] })
class CannedExecutionModule {}

/** A private nats-server on a free loopback port, or (without the binary) the shared one if no execution app is on it. */
async function startNats(): Promise<{ url: string; proc?: ChildProcess }> {
  const bin = process.env.KILL_SWITCH_TEST_NATS_SERVER ?? 'nats-server';
  const port = await freePort();
  const proc = spawn(bin, ['-a', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  const started = await new Promise<boolean>((resolve) => {
    let log = '';
    const timer = setTimeout(() => resolve(false), 10_000);
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      resolve(ok);
    };
    proc.on('error', () => done(false));
    proc.stderr?.on('data', (d) => {
      log += String(d);
      if (log.includes('Server is ready')) done(true);
    });
  });
  if (started) return { url: `nats://127.0.0.1:${port}`, proc };
  proc.kill();
  const url = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const probe = new ClientNats({ servers: [url], timeout: 2000, maxReconnectAttempts: 0 }) as unknown as ClientProxy;
  try {
    await probe.connect();
    const live = await busRequest(probe, subjects.executionStatus, {}, 1000).then(
      () => true,
      () => false,
    );
    if (live) throw new Error(`an execution app answers ${subjects.executionStatus} on ${url}: not sending it kill requests from a test (install nats-server or set KILL_SWITCH_TEST_NATS_SERVER)`);
  } finally {
    await probe.close();
  }
  return { url };
}

describe('kill-switch over NATS (the CLI wire contract against a canned NestJS responder)', () => {
  let nats: { url: string; proc?: ChildProcess };

  beforeAll(async () => {
    nats = await startNats();
  });
  afterAll(() => {
    nats?.proc?.kill();
  });

  it('no responder on the subject: exit 1, says nothing answers on the URL and that the switch is not confirmed', async () => {
    const r = await cliInProcess(['--nats', nats.url, '--timeout-ms', '2000']);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: `kalshi-platform kill-switch: no execution app answers on ${nats.url} (nothing subscribes to ctl.v1.execution.kill); the kill switch is NOT confirmed engaged; check the execution app\n`,
    });
  });

  it('NATS server down (connection refused): exit 1 naming the URL', async () => {
    const url = `nats://127.0.0.1:${await freePort()}`;
    const r = await cliInProcess(['--nats', url]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^kalshi-platform kill-switch: cannot connect to NATS at ${url}: .*CONNECTION_REFUSED.*; the kill switch is NOT confirmed engaged`));
  });

  describe('with the canned responder', () => {
    let app: INestMicroservice;
    beforeAll(async () => {
      app = await NestFactory.createMicroservice(CannedExecutionModule, { strategy: createBusServer({ kind: 'nats', url: nats.url }), logger: false });
      await app.listen();
    });
    afterAll(async () => {
      await app?.close();
    });
    beforeEach(() => {
      natsReceived.length = 0;
      natsReply = { kill: OK, resume: RESUMED };
    });

    it('engage with the defaults: sends {v:1, by: cli:<user>, reason: "operator kill switch"} on ctl.v1.execution.kill, exit 0', async () => {
      const r = await cliInProcess([], { NATS_URL: nats.url });
      expect(r).toEqual({ code: 0, stdout: `kill switch ENGAGED by ${ME}: 3 order(s) canceled, 0 still open at the exchange\n`, stderr: '' });
      expect(natsReceived).toEqual([{ subject: 'ctl.v1.execution.kill', command: { v: 1, by: ME, reason: 'operator kill switch' }, raw: { v: 1, by: ME, reason: 'operator kill switch' } }]);
    });

    it('--format json prints the reply as JSON; --by / --reason go on the wire', async () => {
      const r = await cliInProcess(['--nats', nats.url, '--by', 'ops:alice', '--reason', 'runaway quoting', '--format', 'json']);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toEqual(OK);
      expect(natsReceived.map((x) => x.raw)).toEqual([{ v: 1, by: 'ops:alice', reason: 'runaway quoting' }]);
    });

    it('orders still open after the sweep, or errors: exit 1 with each problem on stderr (the JSON still printed)', async () => {
      natsReply.kill = { v: 1, engaged: true, changed: false, canceled: 1, openAfter: 2, errors: ['cancel O-7: HTTP 503', 'cancel O-9: timeout'] };
      const table = await cliInProcess(['--nats', nats.url, '--by', 'b']);
      expect(table).toEqual({
        code: 1,
        stdout: 'kill switch ENGAGED by b: 1 order(s) canceled, 2 still open at the exchange (it was already engaged)\n',
        stderr:
          'kalshi-platform kill-switch: 2 order(s) still open at the exchange after the cancel sweep: check them and cancel by hand\n' +
          'kalshi-platform kill-switch: error: cancel O-7: HTTP 503\n' +
          'kalshi-platform kill-switch: error: cancel O-9: timeout\n',
      });
      natsReply.kill = { ...OK, errors: ['reconcile after the sweep failed'] };
      const json = await cliInProcess(['--nats', nats.url, '--format', 'json']);
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout)).toEqual(natsReply.kill);
      expect(json.stderr).toBe('kalshi-platform kill-switch: error: reconcile after the sweep failed\n');
    });

    it('the responder refuses (an RPC error): exit 1 with its message', async () => {
      natsReply.kill = 'refuse';
      const r = await cliInProcess(['--nats', nats.url]);
      expect(r).toEqual({
        code: 1,
        stdout: '',
        stderr: `kalshi-platform kill-switch: the execution app on ${nats.url} (ctl.v1.execution.kill) refused the request: kill switch sweep failed: exchange unreachable; the kill switch is NOT confirmed engaged; check the execution app\n`,
      });
    });

    it('--resume --reason sends on ctl.v1.execution.resume, exit 0; --resume without --reason exits 2 and sends nothing', async () => {
      const r = await cliInProcess(['--nats', nats.url, '--resume', '--reason', 'exchange back', '--by', 'ops:bob']);
      expect(r).toEqual({ code: 0, stdout: 'kill switch DISENGAGED by ops:bob\n', stderr: '' });
      expect(natsReceived).toEqual([{ subject: 'ctl.v1.execution.resume', command: { v: 1, by: 'ops:bob', reason: 'exchange back' }, raw: { v: 1, by: 'ops:bob', reason: 'exchange back' } }]);
      natsReceived.length = 0;
      const bad = await cliInProcess(['--nats', nats.url, '--resume']);
      expect(bad).toEqual({ code: 2, stdout: '', stderr: 'kalshi-platform kill-switch: --reason is required with --resume (say why trading may start again)\n' });
      expect(natsReceived).toEqual([]);
    });

    it('real process (bin/kalshi-platform.cjs): exit 0 with the JSON reply, 1 when orders stay open, 2 for --resume without --reason', async () => {
      const ok = await cliChild(['--nats', nats.url, '--by', 'ops:carol', '--format', 'json']);
      expect({ status: ok.status, stderr: ok.stderr }).toEqual({ status: 0, stderr: '' });
      expect(JSON.parse(ok.stdout)).toEqual(OK);
      expect(natsReceived.map((x) => x.raw)).toEqual([{ v: 1, by: 'ops:carol', reason: 'operator kill switch' }]);

      natsReply.kill = { ...OK, openAfter: 1 };
      const open = await cliChild(['--nats', nats.url, '--by', 'ops:carol']);
      expect(open).toEqual({
        status: 1,
        stdout: 'kill switch ENGAGED by ops:carol: 3 order(s) canceled, 1 still open at the exchange\n',
        stderr: 'kalshi-platform kill-switch: 1 order(s) still open at the exchange after the cancel sweep: check them and cancel by hand\n',
      });

      const bad = await cliChild(['--nats', nats.url, '--resume']);
      expect(bad).toEqual({ status: 2, stdout: '', stderr: 'kalshi-platform kill-switch: --reason is required with --resume (say why trading may start again)\n' });
      expect(natsReceived).toHaveLength(2);
    });
  });
});

// ---- HTTP: the canned execution app ---------------------------------------------------------------------------

describe('kill-switch over HTTP --url (the CLI wire contract against a canned node:http server)', () => {
  let server: HttpServer;
  let url: string;
  const requests: Array<{ method?: string; path?: string; contentType?: string; body: unknown }> = [];
  let reply: { status: number; body: unknown } | 'hang' = { status: 200, body: OK };
  const hanging: ServerResponse[] = [];

  beforeAll(async () => {
    server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
      let text = '';
      req.on('data', (d) => (text += d));
      req.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // recorded as text
        }
        requests.push({ method: req.method, path: req.url, contentType: req.headers['content-type'], body });
        if (reply === 'hang') {
          hanging.push(res);
          return;
        }
        res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const res of hanging) res.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    requests.length = 0;
    reply = { status: 200, body: OK };
  });

  it('POST <url>/kill-switch with JSON {by, reason}: exit 0, one-line summary; EXECUTION_URL works without --url', async () => {
    const r = await cliInProcess(['--url', `${url}/`, '--by', 'ops:dan']);
    expect(r).toEqual({ code: 0, stdout: 'kill switch ENGAGED by ops:dan: 3 order(s) canceled, 0 still open at the exchange\n', stderr: '' });
    expect(requests).toEqual([{ method: 'POST', path: '/kill-switch', contentType: 'application/json', body: { by: 'ops:dan', reason: 'operator kill switch' } }]);
    const viaEnv = await cliInProcess(['--format', 'json'], { EXECUTION_URL: url, NATS_URL: 'nats://127.0.0.1:1' });
    expect(viaEnv.code).toBe(0);
    expect(JSON.parse(viaEnv.stdout)).toEqual(OK);
    expect(requests[1]).toEqual({ method: 'POST', path: '/kill-switch', contentType: 'application/json', body: { by: ME, reason: 'operator kill switch' } });
  });

  it('--resume posts to <url>/resume', async () => {
    reply = { status: 200, body: RESUMED };
    const r = await cliInProcess(['--url', url, '--resume', '--reason', 'incident closed', '--by', 'ops:dan']);
    expect(r).toEqual({ code: 0, stdout: 'kill switch DISENGAGED by ops:dan\n', stderr: '' });
    expect(requests).toEqual([{ method: 'POST', path: '/resume', contentType: 'application/json', body: { by: 'ops:dan', reason: 'incident closed' } }]);
  });

  it('openAfter > 0: exit 1 (JSON output still the reply)', async () => {
    reply = { status: 200, body: { ...OK, openAfter: 4 } };
    const r = await cliInProcess(['--url', url, '--format', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ ...OK, openAfter: 4 });
    expect(r.stderr).toBe('kalshi-platform kill-switch: 4 order(s) still open at the exchange after the cancel sweep: check them and cancel by hand\n');
  });

  it('a 400 with a message, a reply that is not a KillSwitchResultV1: exit 1 with the reason', async () => {
    reply = { status: 400, body: { statusCode: 400, message: 'KillSwitchCommandV1.reason must be a string', error: 'Bad Request' } };
    const bad = await cliInProcess(['--url', url]);
    expect(bad).toEqual({
      code: 1,
      stdout: '',
      stderr: `kalshi-platform kill-switch: the execution app at ${url}/kill-switch answered HTTP 400: KillSwitchCommandV1.reason must be a string; the kill switch is NOT confirmed engaged; check the execution app\n`,
    });
    reply = { status: 200, body: { ok: true } };
    const odd = await cliInProcess(['--url', url]);
    expect(odd.code).toBe(1);
    expect(odd.stderr).toBe(`kalshi-platform kill-switch: unexpected reply from the execution app at ${url}: unsupported KillSwitchResultV1 version undefined; the kill switch is NOT confirmed engaged; check the execution app\n`);
  });

  it('no answer: timeout and connection refused exit 1 naming the URL', async () => {
    reply = 'hang';
    const slow = await cliInProcess(['--url', url, '--timeout-ms', '300']);
    expect(slow).toEqual({ code: 1, stdout: '', stderr: `kalshi-platform kill-switch: no reply from the execution app at ${url}/kill-switch within 300 ms; the kill switch is NOT confirmed engaged; check the execution app\n` });
    const closed = `http://127.0.0.1:${await freePort()}`;
    const refused = await cliInProcess(['--url', closed]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`^kalshi-platform kill-switch: cannot reach the execution app at ${closed}/kill-switch: .*ECONNREFUSED.*; the kill switch is NOT confirmed engaged`));
  });

  it('real process (bin/kalshi-platform.cjs) over --url: exit 1 when orders stay open, with the summary and the problem', async () => {
    reply = { status: 200, body: { ...OK, canceled: 5, openAfter: 2 } };
    const r = await cliChild(['--url', url, '--by', 'ops:erin', '--reason', 'drill']);
    expect(r).toEqual({
      status: 1,
      stdout: 'kill switch ENGAGED by ops:erin: 5 order(s) canceled, 2 still open at the exchange\n',
      stderr: 'kalshi-platform kill-switch: 2 order(s) still open at the exchange after the cancel sweep: check them and cancel by hand\n',
    });
    expect(requests).toEqual([{ method: 'POST', path: '/kill-switch', contentType: 'application/json', body: { by: 'ops:erin', reason: 'drill' } }]);
  });
});
