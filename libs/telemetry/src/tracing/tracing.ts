/**
 * Distributed tracing (issue #7 item 1): the OpenTelemetry Node SDK (`@opentelemetry/sdk-node`), started once per
 * process by `startTracing({ serviceName })`, first thing in every app's main.ts (the all-in-one `npm start` calls it
 * once for all its apps).
 *
 * Export is OFF by default. The environment chooses it, as the OpenTelemetry specification names it:
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `OTEL_TRACES_EXPORTER` | `otlp` (OTLP over HTTP, JSON), `console` (spans printed to stdout), `none`; a comma-separated list for several | `otlp` when an OTLP endpoint is set, else `none` |
 * | `OTEL_EXPORTER_OTLP_ENDPOINT` | the collector's base URL, `/v1/traces` appended (e.g. `http://otel-collector:4318`) | unset |
 * | `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` | the full traces URL, wins over the above | unset |
 * | `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES` | resource attributes (the `serviceName` option wins over `OTEL_SERVICE_NAME`) | the app's name |
 * | `OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG`, `OTEL_BSP_*`, `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_PROPAGATORS` | read by the SDK | parentbased_always_on, W3C tracecontext + baggage |
 * | `OTEL_SDK_DISABLED` | `true`: no tracing at all | `false` |
 *
 * With no exporter the SDK is not started at all: the OpenTelemetry API stays the no-op one (no context manager, no
 * propagator), the bus injects no header and starts no span (libs/bus/src/tracing.ts), and `withSpan` calls its
 * function straight away, so the hot path pays one boolean test. Metrics and logs are not the SDK's business here
 * (libs/telemetry/src/metrics, ../logging): it is started with no metric reader and no log processor.
 */
import { context, isSpanContextValid, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import type { Sampler, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { setBusTracing } from '@kalshi-platform/bus';

// The SDK is loaded only when tracing starts: @opentelemetry/sdk-node pulls in every exporter (~0.4 s at start-up),
// which a process with tracing off (the default) never needs.
const sdkNode = () => require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
const sdkTrace = () => require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
const otlpHttp = () => require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
const resources = () => require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');

export { SpanKind, SpanStatusCode };
export type { Span, Attributes };

/** A bad tracing setting in the environment (the message names it). */
export class TracingConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TracingConfigError';
  }
}

export interface TracingOptions {
  /** `service.name` of the spans (e.g. `ingestion`, `platform`) */
  serviceName: string;
  /**
   * Exporter to use instead of the environment's choice (tests: an InMemorySpanExporter). Its spans go through a
   * SimpleSpanProcessor (exported as each span ends) unless `batch` is set.
   */
  exporter?: SpanExporter;
  /** with `exporter`: batch spans (BatchSpanProcessor) instead of exporting each as it ends */
  batch?: boolean;
  /** span processors to use instead of the environment's choice (and of `exporter`) */
  spanProcessors?: SpanProcessor[];
  /** sampler; default from `OTEL_TRACES_SAMPLER` (parent-based always-on) */
  sampler?: Sampler;
  /** environment to read (default `process.env`) */
  env?: NodeJS.ProcessEnv;
}

/** What `startTracing` did. */
export interface TracingHandle {
  /** true when spans are recorded and exported (an exporter is configured) */
  readonly enabled: boolean;
  readonly serviceName: string;
  /** the exporters in use: `otlp`, `console`, `custom` (options), or none */
  readonly exporters: readonly string[];
  /** Exports the spans still buffered. */
  flush(): Promise<void>;
  /** Flushes, stops the SDK and turns tracing off; `startTracing` may then be called again. */
  shutdown(): Promise<void>;
}

const DISABLED_EXPORTERS: readonly string[] = [];
let current: TracingHandle | null = null;
let tracingOn = false;

/** Whether tracing is on in this process (an exporter is configured and the SDK started). */
export function tracingEnabled(): boolean {
  return tracingOn;
}

/**
 * The exporters the environment asks for: `OTEL_TRACES_EXPORTER` (comma-separated; `none` wins), else `otlp` when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set, else none.
 * @throws TracingConfigError naming an unsupported exporter
 */
export function tracesExportersFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  const raw = (env.OTEL_TRACES_EXPORTER ?? '').trim();
  if (raw === '') return (env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '').trim() !== '' || (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? '').trim() !== '' ? ['otlp'] : [];
  const list = [...new Set(raw.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== ''))];
  if (list.includes('none')) return [];
  for (const e of list) if (e !== 'otlp' && e !== 'console') throw new TracingConfigError(`OTEL_TRACES_EXPORTER: unsupported exporter "${e}" (otlp, console or none)`);
  return list;
}

function isTrue(v: string | undefined): boolean {
  return (v ?? '').trim().toLowerCase() === 'true';
}

/**
 * Starts tracing for this process: the OpenTelemetry Node SDK with the exporter the options or the environment choose
 * (none by default: then nothing is started and tracing stays a no-op), the AsyncLocalStorage context manager, the
 * W3C propagators, and the bus's trace context (libs/bus). Idempotent: a second call returns the first handle (one
 * SDK per process; the all-in-one app's services share it).
 * @throws TracingConfigError for an unsupported `OTEL_TRACES_EXPORTER`
 */
export function startTracing(options: TracingOptions): TracingHandle {
  if (current) return current;
  const env = options.env ?? process.env;
  let processors: SpanProcessor[];
  let exporters: string[];
  if (options.spanProcessors && options.spanProcessors.length > 0) {
    processors = options.spanProcessors;
    exporters = ['custom'];
  } else if (options.exporter) {
    const { BatchSpanProcessor, SimpleSpanProcessor } = sdkTrace();
    processors = [options.batch ? new BatchSpanProcessor(options.exporter) : new SimpleSpanProcessor(options.exporter)];
    exporters = ['custom'];
  } else {
    exporters = isTrue(env.OTEL_SDK_DISABLED) ? [] : tracesExportersFromEnv(env);
    processors = exporters.map((e) => {
      const { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor } = sdkTrace();
      return e === 'otlp' ? new BatchSpanProcessor(new (otlpHttp().OTLPTraceExporter)()) : new SimpleSpanProcessor(new ConsoleSpanExporter());
    });
  }
  if (processors.length === 0) {
    const off: TracingHandle = {
      enabled: false,
      serviceName: options.serviceName,
      exporters: DISABLED_EXPORTERS,
      flush: async () => undefined,
      shutdown: async () => {
        if (current === off) current = null;
      },
    };
    current = off;
    return off;
  }
  const { envDetector, processDetector } = resources();
  const sdk = new (sdkNode().NodeSDK)({
    serviceName: options.serviceName,
    spanProcessors: processors,
    sampler: options.sampler,
    // traces only: metrics are prom-client's (../metrics), logs are pino's (../logging)
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
    // no host detector: it reads the machine id at start, and the env + process attributes are what a trace needs
    resourceDetectors: [envDetector, processDetector],
  });
  sdk.start();
  tracingOn = true;
  setBusTracing(true);
  const handle: TracingHandle = {
    enabled: true,
    serviceName: options.serviceName,
    exporters,
    flush: async () => {
      await Promise.all(processors.map((p) => p.forceFlush()));
    },
    shutdown: async () => {
      if (current !== handle) return;
      current = null;
      tracingOn = false;
      setBusTracing(false);
      try {
        await sdk.shutdown();
      } finally {
        // the API's globals (tracer provider, context manager, propagator) back to the no-op ones
        trace.disable();
        context.disable();
        propagation.disable();
      }
    },
  };
  current = handle;
  return handle;
}

/** The running tracing handle, if `startTracing` was called. */
export function currentTracing(): TracingHandle | null {
  return current;
}

/** Instrumentation scope of the spans started by `withSpan`. */
export const TELEMETRY_TRACER_NAME = '@kalshi-platform/telemetry';

let tracer: Tracer | null = null;
const NOOP_SPAN: Span = trace.wrapSpanContext({ traceId: '00000000000000000000000000000000', spanId: '0000000000000000', traceFlags: 0 });

export interface WithSpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
}

function failSpan(span: Span, e: unknown): void {
  span.recordException(e instanceof Error ? e : String(e));
  span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
}

/**
 * Runs `fn` inside a new span `name`, child of the active one, and returns what `fn` returns. The span ends when `fn`
 * returns, or when its promise settles; an exception or a rejection is recorded on it (status ERROR) and passed on.
 * Tracing off: `fn` runs at once with a non-recording span.
 */
export function withSpan<T>(name: string, options: WithSpanOptions, fn: (span: Span) => T): T {
  if (!tracingOn) return fn(NOOP_SPAN);
  tracer ??= trace.getTracer(TELEMETRY_TRACER_NAME);
  const parent = context.active();
  const span = tracer.startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, parent);
  let result: T;
  try {
    result = context.with(trace.setSpan(parent, span), fn, undefined, span);
  } catch (e) {
    failSpan(span, e);
    span.end();
    throw e;
  }
  if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    (result as unknown as PromiseLike<unknown>).then(
      () => span.end(),
      (e: unknown) => {
        failSpan(span, e);
        span.end();
      },
    );
  } else {
    span.end();
  }
  return result;
}

/** The trace and span ids of the active span (`trace_id` / `span_id` of the logs), or undefined outside any span. */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  const span = trace.getSpan(context.active());
  if (!span) return undefined;
  const sc = span.spanContext();
  return isSpanContextValid(sc) ? { trace_id: sc.traceId, span_id: sc.spanId } : undefined;
}
