/**
 * `kalshi-platform kill-switch [--nats URL | --url http://host:8090] [--reason TEXT] [--by NAME] [--resume]
 * [--timeout-ms N] [--format table|json]` (issue #5, command-line contract: keep it stable): trips the execution app's
 * breaker and cancels every open order; `--resume` disengages the switch again.
 *
 * - Transport: NATS request/reply (`ctl.v1.execution.kill` / `ctl.v1.execution.resume`, NestJS framing through a
 *   `ClientNats` and `busRequest`) on `--nats`, else env `NATS_URL`, else `nats://127.0.0.1:4222`; or HTTP
 *   (`POST <url>/kill-switch` / `POST <url>/resume`) when `--url` or env `EXECUTION_URL` is given (a flag beats an env
 *   variable; `--nats` and `--url` together are a bad flag). Request: KillSwitchCommandV1 `{v:1, by, reason}` (the HTTP
 *   body is `{by, reason}`); reply: KillSwitchResultV1 `{v:1, engaged, changed, canceled, openAfter, errors}`.
 * - `--by` defaults to `cli:<os user name>`; `--reason` defaults to "operator kill switch" when engaging and is
 *   required with `--resume`. `--timeout-ms` (default 10000) bounds the connection and the reply.
 * - Output: one line (`kill switch ENGAGED by cli:x: 3 order(s) canceled, 0 still open at the exchange`) or, with
 *   `--format json`, the reply as JSON. Problems go to stderr.
 * - Exit codes: 0 when the switch is engaged with nothing left open (or, with `--resume`, disengaged) and no errors;
 *   1 when the execution app does not answer (no responder, connection refused, timeout: the message names the URL and
 *   says the switch is NOT confirmed), refuses the request, or replies with `openAfter` != 0 or `errors`; 2 for bad
 *   flags ({@link KillSwitchArgError}).
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { ClientNats, type ClientProxy } from '@nestjs/microservices';
import { busRequest, busTransportFromConfig, subjects, type KillSwitchCommandV1, type KillSwitchResultV1 } from '@kalshi-platform/bus';
import { optionsOrExit } from './flags';

export const KILL_SWITCH_OUTPUT_FORMATS = ['table', 'json'] as const;
export const DEFAULT_KILL_SWITCH_NATS_URL = 'nats://127.0.0.1:4222';
export const DEFAULT_KILL_SWITCH_REASON = 'operator kill switch';
export const DEFAULT_KILL_SWITCH_TIMEOUT_MS = 10_000;

/** Where the execution app is reached. */
export type KillSwitchTarget = { kind: 'nats'; url: string } | { kind: 'http'; url: string };

export interface KillSwitchOptions {
  target: KillSwitchTarget;
  /** true: disengage (`resume`); false: engage (`kill`) */
  resume: boolean;
  by: string;
  reason: string;
  timeoutMs: number;
  format: (typeof KILL_SWITCH_OUTPUT_FORMATS)[number];
}

/** Bad command-line input: exit 2. */
export class KillSwitchArgError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KillSwitchArgError';
  }
}

/** The execution app did not answer, refused the request or answered something that is not a KillSwitchResultV1: exit 1. */
export class KillSwitchUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KillSwitchUnreachableError';
  }
}

/** Raw commander flags. */
export interface KillSwitchCliFlags {
  nats?: string;
  url?: string;
  reason?: string;
  by?: string;
  resume?: boolean;
  timeoutMs?: string;
  format?: string;
}

/** `cli:<os user name>` (falls back to env USER / USERNAME, then `unknown`). */
export function defaultKillSwitchBy(env: NodeJS.ProcessEnv = process.env): string {
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch {
    name = undefined;
  }
  return `cli:${name || env.USER || env.USERNAME || 'unknown'}`;
}

/**
 * Flags (then env `EXECUTION_URL`, `NATS_URL`) -> options.
 * @throws KillSwitchArgError naming the flag (or env variable)
 */
export function killSwitchOptionsFromFlags(flags: KillSwitchCliFlags, env: NodeJS.ProcessEnv = process.env): KillSwitchOptions {
  const resume = flags.resume === true;
  if (flags.nats !== undefined && flags.url !== undefined) throw new KillSwitchArgError('--nats and --url are exclusive: give one');
  let target: KillSwitchTarget;
  const httpUrl = flags.url ?? (flags.nats === undefined ? env.EXECUTION_URL?.trim() || undefined : undefined);
  if (httpUrl !== undefined) {
    const name = flags.url !== undefined ? '--url' : 'EXECUTION_URL';
    let parsed: URL;
    try {
      parsed = new URL(httpUrl);
    } catch {
      throw new KillSwitchArgError(`${name}: expected http://host:port, got ${JSON.stringify(httpUrl)}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new KillSwitchArgError(`${name}: expected http:// or https://, got ${JSON.stringify(httpUrl)}`);
    target = { kind: 'http', url: httpUrl.replace(/\/+$/, '') };
  } else {
    const name = flags.nats !== undefined ? '--nats' : 'NATS_URL';
    const url = (flags.nats ?? env.NATS_URL)?.trim() || (flags.nats !== undefined ? '' : DEFAULT_KILL_SWITCH_NATS_URL);
    if (url === '') throw new KillSwitchArgError('--nats: is empty');
    try {
      busTransportFromConfig(url);
    } catch (e) {
      throw new KillSwitchArgError(`${name}: ${(e as Error).message}`);
    }
    target = { kind: 'nats', url };
  }
  let reason: string;
  if (flags.reason !== undefined) {
    reason = flags.reason.trim();
    if (reason === '') throw new KillSwitchArgError('--reason: is empty');
  } else if (resume) {
    throw new KillSwitchArgError('--reason is required with --resume (say why trading may start again)');
  } else {
    reason = DEFAULT_KILL_SWITCH_REASON;
  }
  let by: string;
  if (flags.by !== undefined) {
    by = flags.by.trim();
    if (by === '') throw new KillSwitchArgError('--by: is empty');
  } else {
    by = defaultKillSwitchBy(env);
  }
  let timeoutMs = DEFAULT_KILL_SWITCH_TIMEOUT_MS;
  if (flags.timeoutMs !== undefined) {
    if (!/^[1-9][0-9]{0,6}$/.test(flags.timeoutMs)) throw new KillSwitchArgError(`--timeout-ms: expected a positive whole number of milliseconds, got ${JSON.stringify(flags.timeoutMs)}`);
    timeoutMs = Number(flags.timeoutMs);
  }
  const format = flags.format ?? 'table';
  if (!(KILL_SWITCH_OUTPUT_FORMATS as readonly string[]).includes(format)) throw new KillSwitchArgError(`--format: must be one of ${KILL_SWITCH_OUTPUT_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  return { target, resume, by, reason, timeoutMs, format: format as KillSwitchOptions['format'] };
}

/** Checks the reply's shape. @throws Error naming the bad field */
export function decodeKillSwitchResult(x: unknown): KillSwitchResultV1 {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new Error(`expected a KillSwitchResultV1 object, got ${JSON.stringify(x)}`);
  const o = x as Record<string, unknown>;
  if (o.v !== 1) throw new Error(`unsupported KillSwitchResultV1 version ${JSON.stringify(o.v)}`);
  for (const k of ['engaged', 'changed']) if (typeof o[k] !== 'boolean') throw new Error(`KillSwitchResultV1.${k} must be a boolean, got ${JSON.stringify(o[k])}`);
  for (const k of ['canceled', 'openAfter']) if (!Number.isInteger(o[k]) || (o[k] as number) < 0) throw new Error(`KillSwitchResultV1.${k} must be a non-negative integer, got ${JSON.stringify(o[k])}`);
  if (!Array.isArray(o.errors) || o.errors.some((e) => typeof e !== 'string')) throw new Error(`KillSwitchResultV1.errors must be an array of strings, got ${JSON.stringify(o.errors)}`);
  return o as unknown as KillSwitchResultV1;
}

/** `message: code: cause` of an error (duck-typed: fetch's and nats' errors may come from another realm). */
const describeError = (e: unknown): string => {
  if (typeof e === 'string') return e;
  if (typeof e !== 'object' || e === null) return JSON.stringify(e);
  const { message, code, cause } = e as { message?: unknown; code?: unknown; cause?: unknown };
  if (typeof message !== 'string') return JSON.stringify(e);
  let causeMsg: string | undefined;
  if (typeof cause === 'object' && cause !== null) {
    const c = cause as { message?: unknown; code?: unknown };
    causeMsg = (typeof c.message === 'string' && c.message !== '' ? c.message : undefined) ?? (typeof c.code === 'string' ? c.code : undefined);
  }
  return [message, typeof code === 'string' && code !== message ? code : undefined, causeMsg].filter((x) => x !== undefined && x !== '').join(': ');
};

/** NestJS's ClientNats reply to a NATS "no responders" status (its EmptyResponseException is not exported). */
const isNoResponders = (e: unknown): boolean => {
  if (typeof e !== 'object' || e === null) return false;
  return e.constructor?.name === 'EmptyResponseException' || /^Empty response\. There are no subscribers/.test(String((e as { message?: unknown }).message));
};

const NOT_CONFIRMED = (o: KillSwitchOptions): string => (o.resume ? 'the kill switch is NOT confirmed disengaged' : 'the kill switch is NOT confirmed engaged; check the execution app');

async function requestOverNats(opts: KillSwitchOptions, command: KillSwitchCommandV1): Promise<unknown> {
  const subject = opts.resume ? subjects.executionResume : subjects.executionKill;
  const where = `the execution app on ${opts.target.url} (${subject})`;
  const client = new ClientNats({ servers: [opts.target.url], name: 'kalshi-platform-cli kill-switch', timeout: opts.timeoutMs, maxReconnectAttempts: 0 }) as unknown as ClientProxy;
  try {
    try {
      await client.connect();
    } catch (e) {
      throw new KillSwitchUnreachableError(`cannot connect to NATS at ${opts.target.url}: ${describeError(e)}; ${NOT_CONFIRMED(opts)}`);
    }
    try {
      return await busRequest<unknown>(client, subject, command, opts.timeoutMs);
    } catch (e) {
      const name = (e as { name?: unknown })?.name;
      if (name === 'TimeoutError') throw new KillSwitchUnreachableError(`no reply from ${where} within ${opts.timeoutMs} ms; ${NOT_CONFIRMED(opts)}`);
      if (isNoResponders(e)) throw new KillSwitchUnreachableError(`no execution app answers on ${opts.target.url} (nothing subscribes to ${subject}); ${NOT_CONFIRMED(opts)}`);
      throw new KillSwitchUnreachableError(`${where} refused the request: ${describeError(e)}; ${NOT_CONFIRMED(opts)}`);
    }
  } finally {
    await Promise.resolve(client.close()).catch(() => undefined);
  }
}

async function requestOverHttp(opts: KillSwitchOptions, command: KillSwitchCommandV1): Promise<unknown> {
  const url = `${opts.target.url}/${opts.resume ? 'resume' : 'kill-switch'}`;
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ by: command.by, reason: command.reason }),
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    text = await res.text();
  } catch (e) {
    const name = (e as { name?: unknown })?.name;
    if (name === 'TimeoutError' || name === 'AbortError') throw new KillSwitchUnreachableError(`no reply from the execution app at ${url} within ${opts.timeoutMs} ms; ${NOT_CONFIRMED(opts)}`);
    throw new KillSwitchUnreachableError(`cannot reach the execution app at ${url}: ${describeError(e)}; ${NOT_CONFIRMED(opts)}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const message = typeof body === 'object' && body !== null && 'message' in body ? (body as { message: unknown }).message : text.slice(0, 500);
    throw new KillSwitchUnreachableError(
      `the execution app at ${url} answered HTTP ${res.status}: ${typeof message === 'string' ? message : JSON.stringify(message)}; ${NOT_CONFIRMED(opts)}`,
    );
  }
  if (body === undefined) throw new KillSwitchUnreachableError(`the execution app at ${url} answered HTTP ${res.status} with a body that is not JSON: ${JSON.stringify(text.slice(0, 200))}; ${NOT_CONFIRMED(opts)}`);
  return body;
}

/**
 * Sends the command to the execution app and returns its reply.
 * @throws KillSwitchUnreachableError when it does not answer, refuses, or replies with something else than a KillSwitchResultV1
 */
export async function runKillSwitch(opts: KillSwitchOptions): Promise<KillSwitchResultV1> {
  const command: KillSwitchCommandV1 = { v: 1, by: opts.by, reason: opts.reason };
  const raw = opts.target.kind === 'nats' ? await requestOverNats(opts, command) : await requestOverHttp(opts, command);
  try {
    return decodeKillSwitchResult(raw);
  } catch (e) {
    throw new KillSwitchUnreachableError(`unexpected reply from the execution app at ${opts.target.url}: ${(e as Error).message}; ${NOT_CONFIRMED(opts)}`);
  }
}

/** Problems of a reply (each one makes the exit code 1); empty when the command did what was asked. */
export function killSwitchProblems(opts: Pick<KillSwitchOptions, 'resume'>, r: KillSwitchResultV1): string[] {
  const out: string[] = [];
  if (!opts.resume && !r.engaged) out.push('the execution app reports the kill switch NOT engaged');
  if (opts.resume && r.engaged) out.push('the execution app reports the kill switch still engaged');
  if (!opts.resume && r.openAfter !== 0) out.push(`${r.openAfter} order(s) still open at the exchange after the cancel sweep: check them and cancel by hand`);
  for (const e of r.errors) out.push(`error: ${e}`);
  return out;
}

/** The one-line human summary. */
export function formatKillSwitchResult(opts: Pick<KillSwitchOptions, 'resume' | 'by'>, r: KillSwitchResultV1): string {
  if (opts.resume) return `kill switch ${r.engaged ? 'STILL ENGAGED' : 'DISENGAGED'} by ${opts.by}${r.changed ? '' : ' (it was not engaged)'}`;
  const state = r.engaged ? 'ENGAGED' : 'NOT ENGAGED';
  return `kill switch ${state} by ${opts.by}: ${r.canceled} order(s) canceled, ${r.openAfter} still open at the exchange${r.engaged && !r.changed ? ' (it was already engaged)' : ''}`;
}

/** Registers `kill-switch` on the program. */
export const registerKillSwitch = (program: Command): void => {
  program
    .command('kill-switch')
    .description(
      "Engage the execution app's kill switch: trips the breaker and cancels every open order (over NATS, or HTTP with --url). " +
        'Exit 0 only when it is engaged with nothing left open; --resume disengages it.',
    )
    .option('--nats <url>', `NATS server of the execution app (default: env NATS_URL, else ${DEFAULT_KILL_SWITCH_NATS_URL})`)
    .option('--url <url>', "the execution app's HTTP address, e.g. http://127.0.0.1:8090 (default: env EXECUTION_URL; overrides NATS)")
    .option('--reason <text>', `why (required with --resume; default "${DEFAULT_KILL_SWITCH_REASON}")`)
    .option('--by <name>', 'who (default cli:<os user name>)')
    .option('--resume', 'disengage the kill switch instead (requires --reason)')
    .option('--timeout-ms <n>', `how long to wait for the connection and the reply (default ${DEFAULT_KILL_SWITCH_TIMEOUT_MS})`)
    .option('--format <format>', 'table | json', 'table')
    .action(async (flags: KillSwitchCliFlags) => {
      const opts = optionsOrExit('kill-switch', (e) => e instanceof KillSwitchArgError, () => killSwitchOptionsFromFlags(flags));
      let r: KillSwitchResultV1;
      try {
        r = await runKillSwitch(opts);
      } catch (e) {
        if (!(e instanceof KillSwitchUnreachableError)) throw e;
        process.stderr.write(`kalshi-platform kill-switch: ${e.message}\n`);
        process.exit(1);
      }
      process.stdout.write(opts.format === 'json' ? `${JSON.stringify(r, null, 2)}\n` : `${formatKillSwitchResult(opts, r)}\n`);
      const problems = killSwitchProblems(opts, r);
      for (const p of problems) process.stderr.write(`kalshi-platform kill-switch: ${p}\n`);
      if (problems.length > 0) process.exit(1);
    });
};
