/**
 * Structured logs (issue #7): JSON lines with level, time, context, msg and the active span's trace_id / span_id;
 * secrets (PEM private keys, API keys, signatures, passwords, tokens) never come out, whether in fields, nested
 * fields, the message, an error, or a URL.
 */
import { generateKeyPairSync } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { startTracing, withSpan, type TracingHandle } from '../tracing';
import { createAppLogger, createLogger, LoggingConfigError, logFormatFromEnv, logLevelFromEnv, prettyStream, REDACTED, scrubString } from './logger';

const PEM = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PEM_BODY = PEM.split('\n')[1];

function sink() {
  const lines: string[] = [];
  return { lines, stream: { write: (s: string) => void lines.push(s) }, json: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

let tracing: TracingHandle;
beforeAll(() => {
  tracing = startTracing({ serviceName: 'logger-spec', exporter: new InMemorySpanExporter() });
});
afterAll(async () => {
  await tracing.shutdown();
});

describe('JSON logs', () => {
  it('one JSON line per call: level, time, service, context, msg; trace_id/span_id inside a span only', () => {
    const s = sink();
    const log = createLogger({ service: 'ingestion', destination: s.stream, format: 'json', level: 'info' });
    log.child({ context: 'feed' }).info('outside');
    let ids = { traceId: '', spanId: '' };
    withSpan('frame', {}, (span) => {
      ids = span.spanContext();
      log.child({ context: 'feed' }).warn({ market: 'KX-1' }, 'inside');
    });
    log.debug('below the level');
    const [a, b] = s.json();
    expect(s.lines).toHaveLength(2);
    expect(a).toEqual({ level: 'info', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), service: 'ingestion', context: 'feed', msg: 'outside' });
    expect(b).toMatchObject({ level: 'warn', context: 'feed', msg: 'inside', market: 'KX-1', trace_id: ids.traceId, span_id: ids.spanId });
  });

  it('redacts secrets: keys (top level, nested, any depth), PEM blocks and apiKey= anywhere, error messages', () => {
    const s = sink();
    const log = createLogger({ service: 't', destination: s.stream, format: 'json', level: 'info' });
    withSpan('order', {}, () => {
      log.info(
        {
          privateKeyPem: PEM,
          private_key_pem: PEM,
          password: 'hunter2',
          apiKey: 'k-123',
          headers: { 'KALSHI-ACCESS-SIGNATURE': 'c2lnbmF0dXJl', authorization: 'Bearer abc', 'KALSHI-ACCESS-KEY': 'key-id-is-public' },
          deep: { a: { b: { token: 'tok', note: `key is ${PEM}` } } },
          url: 'https://api.the-odds-api.com/v4/sports/odds?regions=us&apiKey=0123456789abcdef&markets=h2h',
        },
        `loaded ${PEM} from https://x.test/?apiKey=SECRETKEY`,
      );
      log.error(new Error(`bad key ${PEM}`));
    });
    const out = s.lines.join('');
    for (const secret of [PEM_BODY, 'hunter2', 'k-123', 'c2lnbmF0dXJl', 'Bearer abc', 'tok"', '0123456789abcdef', 'SECRETKEY']) expect(out).not.toContain(secret);
    const [a, e] = s.json();
    expect(a).toMatchObject({
      privateKeyPem: REDACTED,
      private_key_pem: REDACTED,
      password: REDACTED,
      apiKey: REDACTED,
      headers: { 'KALSHI-ACCESS-SIGNATURE': REDACTED, authorization: REDACTED, 'KALSHI-ACCESS-KEY': 'key-id-is-public' },
      deep: { a: { b: { token: REDACTED, note: 'key is -----BEGIN PRIVATE KEY-----[Redacted]-----END PRIVATE KEY-----\n' } } },
      url: `https://api.the-odds-api.com/v4/sports/odds?regions=us&apiKey=${REDACTED}&markets=h2h`,
      msg: `loaded -----BEGIN PRIVATE KEY-----[Redacted]-----END PRIVATE KEY-----\n from https://x.test/?apiKey=${REDACTED}`,
      trace_id: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(e).toMatchObject({ level: 'error', msg: expect.stringContaining('bad key -----BEGIN PRIVATE KEY-----[Redacted]'), err: { type: 'Error' } });
    expect(JSON.stringify(e.err)).not.toContain(PEM_BODY);
  });

  it('scrubs a truncated PEM and a JSON-escaped one', () => {
    expect(scrubString(`{"private_key_pem":"${PEM.slice(0, 120).replace(/\n/g, '\\n')}`)).not.toContain(PEM_BODY.slice(0, 30));
    expect(scrubString(JSON.stringify({ pem: PEM }))).not.toContain(PEM_BODY);
    expect(scrubString('no secrets = here')).toBe('no secrets = here');
  });

  it('LOG_LEVEL and LOG_FORMAT: defaults, Nest names, errors naming the variable', () => {
    expect(logLevelFromEnv({})).toBe('info');
    expect(logLevelFromEnv({ LOG_LEVEL: 'verbose' })).toBe('trace');
    expect(logLevelFromEnv({ LOG_LEVEL: 'WARN' })).toBe('warn');
    expect(() => logLevelFromEnv({ LOG_LEVEL: 'loud' })).toThrow(LoggingConfigError);
    expect(logFormatFromEnv(false, {})).toBe('json');
    expect(logFormatFromEnv(true, {})).toBe('pretty');
    expect(logFormatFromEnv(true, { LOG_FORMAT: 'json' })).toBe('json');
    expect(() => logFormatFromEnv(false, { LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
  });

  it('pretty: one readable line, still redacted', () => {
    const lines: string[] = [];
    const log = createLogger({ service: 't', destination: prettyStream({ write: (s: string) => lines.push(s) }), format: 'json', level: 'info' });
    log.child({ context: 'exec' }).warn({ password: 'p4ss', n: 1 }, 'order refused');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN {2}\[exec\] order refused \{"password":"\[Redacted\]","n":1\}\n$/);
  });
});

describe('NestJS adapter', () => {
  afterAll(() => Logger.overrideLogger(false as never));

  it('new Logger(context) writes JSON through pino: context, error stack, object messages, setLogLevels', () => {
    const s = sink();
    const { nest } = createAppLogger({ service: 'detection', destination: s.stream, format: 'json', level: 'trace' });
    const logger = new Logger('detection');
    logger.log('started');
    withSpan('bbo', {}, () => logger.warn(`signal refused, apiKey=abc&x=1 ${PEM}`));
    logger.error('boom', 'Error: boom\n    at f (file.ts:1:2)');
    logger.log({ msg: 'with fields', privateKeyPem: PEM, n: 2 });
    Logger.error('static error', 'ctx');
    nest.setLogLevels(['error']);
    logger.log('filtered out');
    logger.error('kept');
    const j = s.json();
    expect(j.map((x) => [x.level, x.context, x.msg])).toEqual([
      ['info', 'detection', 'started'],
      ['warn', 'detection', `signal refused, apiKey=${REDACTED}&x=1 -----BEGIN PRIVATE KEY-----[Redacted]-----END PRIVATE KEY-----\n`],
      ['error', 'detection', 'boom'],
      ['info', 'detection', 'with fields'],
      ['error', 'ctx', 'static error'],
      ['error', 'detection', 'kept'],
    ]);
    expect(j[1].trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(j[0].trace_id).toBeUndefined();
    expect(j[2].stack).toBe('Error: boom\n    at f (file.ts:1:2)');
    expect(j[3]).toMatchObject({ privateKeyPem: REDACTED, n: 2 });
  });
});
