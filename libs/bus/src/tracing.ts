/**
 * Trace context on the bus (issue #7): every publish carries the W3C trace context of the publisher (`traceparent`,
 * `tracestate`, and `baggage` when that propagator is registered) in the message headers, and every handler runs inside
 * a span whose parent comes from those headers, so one trace follows a Kalshi frame from ingestion through the ticker
 * plant and detection to execution, across processes (NATS headers) and inside one process (the in-process transport
 * carries the same headers).
 *
 * Spans (OpenTelemetry messaging conventions, `messaging.system` = `nats`):
 * - publish: `<subject template> publish`, kind PRODUCER (`emit`), ended as soon as the message is handed to the
 *   transport; the template replaces the partition and ticker tokens of `md.v1` / `book.v1` subjects by `*`
 *   (`md.v1.*.delta.*`) so span names stay few; the subject itself is `messaging.destination.name`;
 * - request: `<subject template> send`, kind CLIENT, from the request to the reply;
 * - consume: `<subject pattern> process` (the handler's subscription, e.g. `md.v1.p3.>`), kind CONSUMER for an event,
 *   SERVER for a request; it ends when the handler's promise settles.
 *
 * Only `@opentelemetry/api` is used here (the SDK is started by libs/telemetry's `startTracing`, which turns the bus
 * tracing on). While it is off — the default — the transports skip all of this: no header, no span, no context lookup.
 */
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
} from '@opentelemetry/api';
import { NatsRecord } from '@nestjs/microservices';
import { headers as natsHeaders, type MsgHdrs } from 'nats';
import { Observable } from 'rxjs';
import { BOOK_PREFIX, MD_PREFIX } from './subjects';

/** Instrumentation scope of the bus spans. */
export const BUS_TRACER_NAME = '@kalshi-platform/bus';

/** Headers of a message on the in-process transport (lower-case names, string values). */
export type BusHeaders = Record<string, string>;

let enabled = false;
let tracer: Tracer | null = null;

/**
 * Turns the bus tracing on or off (libs/telemetry's `startTracing` / `shutdown` call it). Off: the transports inject
 * no header and start no span.
 */
export function setBusTracing(on: boolean): void {
  enabled = on;
  tracer = on ? trace.getTracer(BUS_TRACER_NAME) : null;
}

/** Whether publishes carry the trace context and handlers run inside spans. */
export function busTracingEnabled(): boolean {
  return enabled;
}

const objectSetter: TextMapSetter<BusHeaders> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};
const objectGetter: TextMapGetter<BusHeaders> = {
  get(carrier, key) {
    return carrier[key] ?? carrier[key.toLowerCase()];
  },
  keys(carrier) {
    return Object.keys(carrier);
  },
};
const natsSetter: TextMapSetter<MsgHdrs> = {
  set(carrier, key, value) {
    carrier.set(key, value);
  },
};
const natsGetter: TextMapGetter<MsgHdrs> = {
  get(carrier, key) {
    const v = carrier.get(key);
    return v === '' ? undefined : v;
  },
  keys(carrier) {
    return carrier.keys();
  },
};

/** Writes the trace context of `ctx` (default: the active one) into a header object; returns it. */
export function injectTraceHeaders(ctx: Context = context.active(), carrier: BusHeaders = {}): BusHeaders {
  propagation.inject(ctx, carrier, objectSetter);
  return carrier;
}

/** Reads a trace context from a header object onto `base` (default: the root context, like a message from afar). */
export function extractTraceContext(headers: BusHeaders | undefined, base: Context = ROOT_CONTEXT): Context {
  return headers ? propagation.extract(base, headers, objectGetter) : base;
}

/** Writes the trace context of `ctx` into NATS message headers (created when absent); returns them. */
export function injectNatsTraceHeaders(ctx: Context = context.active(), carrier: MsgHdrs = natsHeaders()): MsgHdrs {
  propagation.inject(ctx, carrier, natsSetter);
  return carrier;
}

/** Reads a trace context from NATS message headers onto `base` (default: the root context). */
export function extractNatsTraceContext(headers: MsgHdrs | undefined, base: Context = ROOT_CONTEXT): Context {
  return headers ? propagation.extract(base, headers, natsGetter) : base;
}

/** NATS headers -> the in-process header object (every value of a repeated header but the first is dropped). */
export function natsHeadersToObject(h: MsgHdrs): BusHeaders {
  const out: BusHeaders = {};
  for (const k of h.keys()) out[k.toLowerCase()] = h.get(k);
  return out;
}

/** subject -> its template (few distinct subjects: one per market and kind) */
const templates = new Map<string, string>();

/**
 * A subject with its high-cardinality tokens (the partition and the ticker of `md.v1` / `book.v1` subjects) replaced by
 * `*`: `md.v1.p3.delta.KXBTCD-26JUL0317-T60499~99` -> `md.v1.*.delta.*`. Other subjects are returned as they are.
 */
export function subjectTemplate(subject: string): string {
  let t = templates.get(subject);
  if (t === undefined) {
    t = subject;
    if (subject.startsWith(MD_PREFIX + '.p') || subject.startsWith(BOOK_PREFIX + '.p')) {
      const tokens = subject.split('.');
      if (tokens.length === 5) t = `${tokens[0]}.${tokens[1]}.*.${tokens[3]}.*`;
    }
    if (templates.size >= 100_000) templates.clear();
    templates.set(subject, t);
  }
  return t;
}

function attributes(subject: string, operation: 'publish' | 'send' | 'process', pattern?: string): Attributes {
  const a: Attributes = {
    'messaging.system': 'nats',
    'messaging.destination.name': subject,
    'messaging.operation.name': operation,
    'messaging.operation.type': operation === 'process' ? 'process' : 'send',
  };
  if (pattern !== undefined) a['messaging.destination.template'] = pattern;
  return a;
}

function getTracer(): Tracer {
  return tracer ?? trace.getTracer(BUS_TRACER_NAME);
}

function fail(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/**
 * Starts the PRODUCER span of a publish on `subject`, child of the active context. Returns the span and the context
 * to inject (the span inside the active context); the caller ends the span once the message is handed over.
 */
export function startPublishSpan(subject: string): { span: Span; ctx: Context } {
  const parent = context.active();
  const span = getTracer().startSpan(`${subjectTemplate(subject)} publish`, { kind: SpanKind.PRODUCER, attributes: attributes(subject, 'publish') }, parent);
  return { span, ctx: trace.setSpan(parent, span) };
}

/**
 * Runs a message handler inside the span `<pattern> process` (kind CONSUMER for an event, SERVER for a request) whose
 * parent is `parent` (the context extracted from the message headers). The span ends when `fn`'s result settles (at
 * once for a value); an exception or a rejection marks it as an error and is passed on.
 */
export function runConsumeSpan<T>(pattern: string, subject: string, parent: Context, kind: SpanKind.CONSUMER | SpanKind.SERVER, fn: () => T): T {
  const span = getTracer().startSpan(`${pattern} process`, { kind, attributes: attributes(subject, 'process', pattern) }, parent);
  let result: T;
  try {
    result = context.with(trace.setSpan(parent, span), fn);
  } catch (e) {
    fail(span, e);
    span.end();
    throw e;
  }
  if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    (result as unknown as PromiseLike<unknown>).then(
      () => span.end(),
      (e: unknown) => {
        fail(span, e);
        span.end();
      },
    );
  } else {
    span.end();
  }
  return result;
}

/**
 * A request (`ClientProxy.send`) inside the CLIENT span `<subject template> send`, child of the context active at the
 * call: `send` gets the context to inject; the span ends with the reply (complete or error) or an unsubscribe.
 */
export function tracedRequest<T>(subject: string, send: (ctx: Context) => Observable<T>): Observable<T> {
  const parent = context.active();
  return new Observable<T>((subscriber) => {
    const span = getTracer().startSpan(`${subjectTemplate(subject)} send`, { kind: SpanKind.CLIENT, attributes: attributes(subject, 'send') }, parent);
    const ctx = trace.setSpan(parent, span);
    let ended = false;
    const end = () => {
      if (!ended) {
        ended = true;
        span.end();
      }
    };
    const inner = context.with(ctx, () => send(ctx)).subscribe({
      next: (v) => subscriber.next(v),
      error: (e: unknown) => {
        fail(span, e);
        end();
        subscriber.error(e);
      },
      complete: () => {
        end();
        subscriber.complete();
      },
    });
    return () => {
      inner.unsubscribe();
      end();
    };
  });
}

/** The payload and headers of a message given to a client: a NatsRecord is unwrapped (its headers as an object). */
export function unwrapRecord(data: unknown): { data: unknown; headers: BusHeaders | undefined } {
  if (data instanceof NatsRecord) {
    const h = data.headers as MsgHdrs | BusHeaders | undefined;
    const headers = h === undefined || h === null ? undefined : typeof (h as MsgHdrs).keys === 'function' && typeof (h as MsgHdrs).get === 'function' ? natsHeadersToObject(h as MsgHdrs) : { ...(h as BusHeaders) };
    return { data: data.data, headers };
  }
  return { data, headers: undefined };
}

/** `data` as a NatsRecord carrying the trace context of `ctx` (merged into the headers of a NatsRecord given). */
export function withNatsTraceHeaders(data: unknown, ctx: Context): NatsRecord {
  if (data instanceof NatsRecord) return new NatsRecord(data.data, injectNatsTraceHeaders(ctx, (data.headers as MsgHdrs | undefined) ?? natsHeaders()));
  return new NatsRecord(data, injectNatsTraceHeaders(ctx));
}
