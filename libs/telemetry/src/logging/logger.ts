/**
 * Structured logs (issue #7): pino JSON lines, one per log call, and a NestJS LoggerService adapter so every
 * `new Logger(context)` of the services writes through it.
 *
 * A line: `{"level":"warn","time":"2026-07-01T12:00:00.000Z","service":"ingestion","context":"ingestion",
 * "trace_id":"…","span_id":"…","msg":"…", …fields}` — `trace_id` / `span_id` are those of the active span (absent outside
 * a span, or when tracing is off).
 *
 * Secrets never reach the output: pino `redact` censors the keys of {@link SECRET_KEYS} at the top level and one level
 * down (`[Redacted]`), a scrubber censors them at any depth (matched without case, `-` or `_`), and every string — the
 * message, field values, error messages and stacks — has its PEM blocks (`-----BEGIN … PRIVATE KEY-----`…) and
 * `apiKey=` / `token=` URL parameters replaced.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `LOG_FORMAT` | `json` (one JSON object a line) or `pretty` (a readable line: time, level, [context], message, fields) | `json` when the output is not a TTY, else `pretty` |
 * | `LOG_LEVEL` | `trace`, `debug`, `info`, `warn`, `error`, `fatal` or `silent` (NestJS names `verbose` and `log` accepted) | `info` |
 */
import type { LoggerService, LogLevel } from '@nestjs/common';
import { Logger as NestLogger } from '@nestjs/common';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { activeTraceIds } from '../tracing';

/** A bad logging setting in the environment (the message names it). */
export class LoggingConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LoggingConfigError';
  }
}

/** Field names whose values are always censored (and their snake_case / header spellings). */
export const SECRET_KEYS: readonly string[] = [
  'privateKeyPem',
  'private_key_pem',
  'privateKey',
  'private_key',
  'password',
  'passwd',
  'apiKey',
  'api_key',
  'apikey',
  'KALSHI-ACCESS-SIGNATURE',
  'kalshi-access-signature',
  'authorization',
  'Authorization',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'secret',
  'clientSecret',
  'client_secret',
];

/** What a censored value is replaced with. */
export const REDACTED = '[Redacted]';

const normalize = (k: string) => k.toLowerCase().replace(/[-_]/g, '');
const SECRET_SET = new Set(SECRET_KEYS.map(normalize));

/** True when a field of that name holds a secret. */
export function isSecretKey(key: string): boolean {
  return SECRET_SET.has(normalize(key));
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
// a PEM block cut short (truncated message): from its BEGIN line through the base64 that follows
const PEM_OPEN = /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----(?!\[Redacted\])[A-Za-z0-9+/=\s\\n]+/g;
const URL_SECRET = /\b((?:api[_-]?key|access[_-]?token|token|signature)=)[^&\s#"'<>]+/gi;

/** A string with its PEM blocks and `apiKey=` / `token=` parameters (URLs, text) censored. Idempotent. */
export function scrubString(s: string): string {
  let out = s;
  if (out.includes('-----BEGIN')) out = out.replace(PEM_BLOCK, '-----BEGIN $1-----[Redacted]-----END $1-----').replace(PEM_OPEN, '-----BEGIN $1-----[Redacted]');
  if (out.includes('=')) out = out.replace(URL_SECRET, `$1${REDACTED}`);
  return out;
}

const MAX_DEPTH = 8;

/** A copy of a log value with secret fields censored and every string scrubbed (cycles and depth > 8 cut). */
export function scrubValue(v: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof v === 'string') return scrubString(v);
  if (v === null || typeof v !== 'object') return v;
  if (seen.has(v)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  seen.add(v);
  if (v instanceof Error) {
    const e: Record<string, unknown> = { type: v.name, message: scrubString(v.message), stack: v.stack === undefined ? undefined : scrubString(v.stack) };
    for (const [k, x] of Object.entries(v)) e[k] = isSecretKey(k) ? REDACTED : scrubValue(x, depth + 1, seen);
    if (v.cause !== undefined) e.cause = scrubValue(v.cause, depth + 1, seen);
    return e;
  }
  if (Array.isArray(v)) return v.map((x) => scrubValue(x, depth + 1, seen));
  if (v instanceof Date || Buffer.isBuffer(v) || ArrayBuffer.isView(v)) return v;
  if (v instanceof Map) return scrubValue(Object.fromEntries(v), depth, seen);
  if (v instanceof Set) return scrubValue([...v], depth, seen);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = isSecretKey(k) ? REDACTED : scrubValue(x, depth + 1, seen);
  return out;
}

/** pino `redact` paths: every secret key at the top level and one level down. */
export function redactPaths(): string[] {
  const paths: string[] = [];
  for (const k of SECRET_KEYS) {
    const p = /^[A-Za-z_$][\w$]*$/.test(k) ? k : `["${k}"]`;
    paths.push(p, p.startsWith('[') ? `*${p}` : `*.${p}`);
  }
  return paths;
}

export type LogFormat = 'json' | 'pretty';
const PINO_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
type PinoLevel = (typeof PINO_LEVELS)[number];

/** `LOG_LEVEL` -> a pino level (NestJS's `verbose` = trace, `log` = info). @throws LoggingConfigError */
export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): PinoLevel {
  const v = (env.LOG_LEVEL ?? '').trim().toLowerCase();
  if (v === '') return 'info';
  if (v === 'verbose') return 'trace';
  if (v === 'log') return 'info';
  if ((PINO_LEVELS as readonly string[]).includes(v)) return v as PinoLevel;
  throw new LoggingConfigError(`LOG_LEVEL: unsupported level "${env.LOG_LEVEL}" (${PINO_LEVELS.join(', ')})`);
}

/** `LOG_FORMAT` -> json | pretty; unset: json unless `isTty`. @throws LoggingConfigError */
export function logFormatFromEnv(isTty: boolean, env: NodeJS.ProcessEnv = process.env): LogFormat {
  const v = (env.LOG_FORMAT ?? '').trim().toLowerCase();
  if (v === '') return isTty ? 'pretty' : 'json';
  if (v === 'json' || v === 'pretty') return v;
  throw new LoggingConfigError(`LOG_FORMAT: unsupported format "${env.LOG_FORMAT}" (json or pretty)`);
}

export interface CreateLoggerOptions {
  /** the `service` field of every line (the app's name) */
  service: string;
  /** where lines go: `stdout` (default), `stderr`, or any stream (tests) */
  destination?: 'stdout' | 'stderr' | DestinationStream;
  /** default `LOG_FORMAT` */
  format?: LogFormat;
  /** default `LOG_LEVEL` */
  level?: PinoLevel;
  /** environment to read (default `process.env`) */
  env?: NodeJS.ProcessEnv;
}

const PRETTY_SKIP = new Set(['level', 'time', 'msg', 'context', 'service', 'trace_id', 'span_id']);

/** Turns pino's JSON lines into readable ones: `12:00:00.000 WARN  [context] message {fields} trace=…`. */
export function prettyStream(out: { write(s: string): unknown }): DestinationStream {
  return {
    write(line: string) {
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(line);
      } catch {
        out.write(line);
        return;
      }
      const time = typeof o.time === 'string' ? o.time.slice(11, 23) : '';
      const level = String(o.level ?? '').toUpperCase().padEnd(5);
      const ctx = o.context ? ` [${String(o.context)}]` : '';
      const rest: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(o)) if (!PRETTY_SKIP.has(k)) rest[k] = v;
      const err = rest.err as { stack?: string } | undefined;
      if (err?.stack) delete rest.err;
      const fields = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
      const trace = o.trace_id ? ` trace=${String(o.trace_id)} span=${String(o.span_id)}` : '';
      out.write(`${time} ${level}${ctx} ${String(o.msg ?? '')}${fields}${trace}\n${err?.stack ? `${err.stack}\n` : ''}`);
    },
  };
}

/**
 * A pino logger writing JSON lines (or pretty ones) with trace ids and secret redaction; see the module comment.
 * @throws LoggingConfigError for a bad `LOG_LEVEL` / `LOG_FORMAT`
 */
export function createLogger(o: CreateLoggerOptions): Logger {
  const env = o.env ?? process.env;
  const level = o.level ?? logLevelFromEnv(env);
  const dest = o.destination ?? 'stdout';
  const fd = dest === 'stdout' ? 1 : dest === 'stderr' ? 2 : null;
  const isTty = fd === 1 ? !!process.stdout.isTTY : fd === 2 ? !!process.stderr.isTTY : false;
  const format = o.format ?? logFormatFromEnv(isTty, env);
  // synchronous writes: the apps exit with process.exit, which must not lose the last lines
  const raw: DestinationStream = fd === null ? (dest as DestinationStream) : pino.destination({ dest: fd, sync: true });
  const stream = format === 'pretty' ? prettyStream(raw) : raw;
  const options: LoggerOptions = {
    level,
    base: { service: o.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'msg',
    formatters: {
      level: (label) => ({ level: label }),
      log: (obj) => scrubValue(obj) as Record<string, unknown>,
    },
    // formatters.log has already turned every Error into { type, message, stack, … } (scrubbed)
    serializers: { err: (e: unknown) => e },
    mixin: () => activeTraceIds() ?? {},
    redact: { paths: redactPaths(), censor: REDACTED },
    hooks: {
      logMethod(args, method) {
        // the message and its interpolation arguments (fields are scrubbed by formatters.log); an Error as first
        // argument becomes { err } with its message as the message, both scrubbed
        const a = args as unknown[];
        if (a[0] instanceof Error) {
          const e = a[0];
          a[0] = { err: scrubValue(e) };
          if (typeof a[1] !== 'string') a.splice(1, 0, e.message);
        }
        for (let i = 0; i < a.length; i++) if (typeof a[i] === 'string') a[i] = scrubString(a[i] as string);
        return method.apply(this, a as Parameters<typeof method>);
      },
    },
  };
  return pino(options, stream);
}

const NEST_TO_PINO: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = {
  verbose: 'trace',
  debug: 'debug',
  log: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
};
const STACK_LIKE = /^(.)+\n\s+at .+:\d+:\d+/;

/**
 * NestJS LoggerService over a pino logger: `new Logger('ingestion').warn('x')` -> `{"level":"warn","context":"ingestion",
 * "msg":"x",…}`. An object message becomes fields, an Error `err`; `Logger.error(message, stack, context)` keeps the
 * stack as `stack`. `setLogLevels` (what NestFactory's `logger: LogLevel[]` option calls) keeps Nest's semantics: only
 * the listed levels are written (on top of pino's `LOG_LEVEL` threshold).
 */
export class PinoNestLogger implements LoggerService {
  private levels: Set<LogLevel> | null = null;

  constructor(readonly pino: Logger) {}

  log(message: unknown, ...optionalParams: unknown[]): void {
    this.write('log', message, optionalParams);
  }
  error(message: unknown, ...optionalParams: unknown[]): void {
    this.write('error', message, optionalParams);
  }
  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.write('warn', message, optionalParams);
  }
  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.write('debug', message, optionalParams);
  }
  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.write('verbose', message, optionalParams);
  }
  fatal(message: unknown, ...optionalParams: unknown[]): void {
    this.write('fatal', message, optionalParams);
  }

  setLogLevels(levels: LogLevel[]): void {
    this.levels = new Set(levels);
  }

  private write(level: LogLevel, message: unknown, params: unknown[]): void {
    if (this.levels !== null && !this.levels.has(level)) return;
    const pinoLevel = NEST_TO_PINO[level];
    if (!this.pino.isLevelEnabled(pinoLevel)) return;
    const rest = [...params];
    let context: string | undefined;
    let stack: string | undefined;
    if (level === 'error') {
      if (rest.length >= 2 && (typeof rest[rest.length - 1] === 'string' || rest[rest.length - 1] === undefined)) {
        context = rest.pop() as string | undefined;
        const s = rest.shift();
        if (typeof s === 'string') stack = s;
        else if (s !== undefined) rest.unshift(s);
      } else if (rest.length === 1 && typeof rest[0] === 'string') {
        if (STACK_LIKE.test(rest[0])) stack = rest.shift() as string;
        else context = rest.shift() as string;
      } else if (rest.length === 1 && rest[0] === undefined) {
        rest.shift();
      }
    } else if (rest.length > 0 && typeof rest[rest.length - 1] === 'string') {
      context = rest.pop() as string;
    }
    const fields: Record<string, unknown> = {};
    if (context !== undefined) fields.context = context;
    if (stack !== undefined) fields.stack = stack;
    if (rest.length > 0) fields.extra = rest;
    let msg: string | undefined;
    if (typeof message === 'string') msg = message;
    else if (message instanceof Error) {
      fields.err = message;
      msg = message.message;
    } else if (message !== null && typeof message === 'object') {
      Object.assign(fields, message);
      const m = (message as { msg?: unknown; message?: unknown }).msg ?? (message as { message?: unknown }).message;
      if (typeof m === 'string') {
        msg = m;
        delete fields.msg;
        delete fields.message;
      }
    } else msg = String(message);
    this.pino[pinoLevel](fields, msg);
  }
}

export interface AppLogger {
  /** the pino logger (`logger.child({ context })` for a component) */
  logger: Logger;
  /** the NestJS adapter: pass it as `NestFactory.create(…, { logger })` or `app.useLogger(…)` */
  nest: PinoNestLogger;
}

/**
 * The logger of an app: a pino logger ({@link createLogger}) and its NestJS adapter, installed as Nest's logger
 * (`Logger.overrideLogger`) so every `new Logger(context)` — also of apps created without the `logger` option — writes
 * through it.
 * @throws LoggingConfigError for a bad `LOG_LEVEL` / `LOG_FORMAT`
 */
export function createAppLogger(o: CreateLoggerOptions): AppLogger {
  const logger = createLogger(o);
  const nest = new PinoNestLogger(logger);
  NestLogger.overrideLogger(nest);
  return { logger, nest };
}
