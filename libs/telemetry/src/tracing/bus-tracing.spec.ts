/**
 * The trace context crosses the bus (issue #7): on both transports (in-process and real NATS on loopback, NATS_URL or
 * nats://127.0.0.1:4222) a publish inside a span carries its W3C `traceparent` in the message headers, and the handler
 * runs inside the span `<pattern> process` whose parent is the publish span (events: PRODUCER -> CONSUMER; requests:
 * CLIENT -> SERVER). With tracing off nothing is added.
 */
import 'reflect-metadata';
import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, MessagePattern, NatsRecord, Payload } from '@nestjs/microservices';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { headers as natsHeaders, type MsgHdrs } from 'nats';
import {
  busRequest,
  busTracingEnabled,
  createBusClient,
  createBusServer,
  extractTraceContext,
  InProcessBroker,
  injectTraceHeaders,
  subjectTemplate,
  type BusHeaders,
  type BusTransport,
} from '@kalshi-platform/bus';
import { activeTraceIds, startTracing, tracesExportersFromEnv, tracingEnabled, TracingConfigError, withSpan, type TracingHandle } from './tracing';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
// unique subjects: other test files may use the same NATS server at the same time
const PREFIX = `tracetest.p${process.pid}x${Date.now() % 1_000_000}`;
const EVENTS = `${PREFIX}.ev.>`;
const ECHO = `${PREFIX}.echo`;

interface Seen {
  subject: string;
  headers: BusHeaders;
  active: { trace_id: string; span_id: string } | undefined;
  data: unknown;
}
const seen: Seen[] = [];

/** NatsContext.getHeaders() (MsgHdrs) or InProcessContext.getHeaders() (object) -> an object. */
function headersOf(ctx: { getHeaders?: () => unknown }): BusHeaders {
  const h = ctx.getHeaders?.() as MsgHdrs | BusHeaders | undefined;
  if (!h) return {};
  if (typeof (h as MsgHdrs).keys === 'function' && typeof (h as MsgHdrs).get === 'function') {
    const out: BusHeaders = {};
    for (const k of (h as MsgHdrs).keys()) out[k] = (h as MsgHdrs).get(k);
    return out;
  }
  return { ...(h as BusHeaders) };
}

@Controller()
class ProbeController {
  @EventPattern(EVENTS)
  onEvent(@Payload() data: unknown, @Ctx() ctx: { getSubject(): string; getHeaders?: () => unknown }) {
    seen.push({ subject: ctx.getSubject(), headers: headersOf(ctx), active: activeTraceIds(), data });
  }

  @MessagePattern(ECHO)
  echo(@Payload() data: { x: number }, @Ctx() ctx: { getHeaders?: () => unknown }) {
    return { doubled: data.x * 2, headers: headersOf(ctx), active: activeTraceIds() };
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

const exporter = new InMemorySpanExporter();
let tracing: TracingHandle;

const spanId = (s: ReadableSpan) => s.spanContext().spanId;
const traceId = (s: ReadableSpan) => s.spanContext().traceId;
const parentId = (s: ReadableSpan) => s.parentSpanContext?.spanId;

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 5_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(() => {
  tracing = startTracing({ serviceName: 'bus-tracing-spec', exporter });
});
afterAll(async () => {
  await tracing.shutdown();
});

describe('trace context helpers', () => {
  it('inject/extract round trip through a header object (W3C traceparent)', () => {
    expect(tracing.enabled).toBe(true);
    expect(busTracingEnabled()).toBe(true);
    withSpan('outer', {}, (span) => {
      const h = injectTraceHeaders();
      const sc = span.spanContext();
      expect(h.traceparent).toBe(`00-${sc.traceId}-${sc.spanId}-01`);
      const back = trace.getSpanContext(extractTraceContext(h))!;
      expect(back).toMatchObject({ traceId: sc.traceId, spanId: sc.spanId, isRemote: true });
    });
    expect(injectTraceHeaders()).toEqual({}); // outside any span: nothing to carry
  });

  it('subject templates keep span names few: partition and ticker of md/book subjects become *', () => {
    expect(subjectTemplate('md.v1.p3.delta.KXBTCD-26JUL0317-T60499~99')).toBe('md.v1.*.delta.*');
    expect(subjectTemplate('book.v1.p0.bbo.X')).toBe('book.v1.*.bbo.*');
    expect(subjectTemplate('signal.v1.trade.sportsbook_edge')).toBe('signal.v1.trade.sportsbook_edge');
  });

  it('OTEL_TRACES_EXPORTER / OTEL_EXPORTER_OTLP_ENDPOINT choose the exporters; off by default', () => {
    expect(tracesExportersFromEnv({})).toEqual([]);
    expect(tracesExportersFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual(['otlp']);
    expect(tracesExportersFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toEqual(['otlp']);
    expect(tracesExportersFromEnv({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual([]);
    expect(tracesExportersFromEnv({ OTEL_TRACES_EXPORTER: 'otlp,console' })).toEqual(['otlp', 'console']);
    expect(() => tracesExportersFromEnv({ OTEL_TRACES_EXPORTER: 'jaeger' })).toThrow(TracingConfigError);
  });

  it('withSpan ends the span when the promise settles and records a rejection', async () => {
    exporter.reset();
    await expect(withSpan('failing', {}, async () => Promise.reject(new Error('nope')))).rejects.toThrow('nope');
    const v = await withSpan('ok', { kind: SpanKind.CLIENT, attributes: { a: 1 } }, async () => 42);
    expect(v).toBe(42);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => [s.name, s.status.code])).toEqual([
      ['failing', 2],
      ['ok', 0],
    ]);
    expect(spans[1]).toMatchObject({ kind: SpanKind.CLIENT, attributes: { a: 1 } });
  });
});

describe.each<[string, () => BusTransport]>([
  ['in-process', () => ({ kind: 'in-process', broker: new InProcessBroker({ cloneMessages: true }) })],
  ['nats', () => ({ kind: 'nats', url: NATS_URL })],
])('trace context over the %s transport', (name, makeTransport) => {
  let app: INestMicroservice;
  let transport: BusTransport;

  beforeAll(async () => {
    transport = makeTransport();
    app = await NestFactory.createMicroservice(ProbeModule, { strategy: createBusServer(transport), logger: false });
    await app.listen();
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(() => {
    seen.length = 0;
    exporter.reset();
  });

  it('emit: PRODUCER span -> traceparent header -> CONSUMER span "<pattern> process", one trace', async () => {
    const client = createBusClient(transport);
    await client.connect();
    const subject = `${PREFIX}.ev.md.${name}`;
    let rootTrace = '';
    let rootSpan = '';
    withSpan('frame', {}, (span) => {
      rootTrace = span.spanContext().traceId;
      rootSpan = span.spanContext().spanId;
      client.emit(subject, { n: 1 });
    });
    const got = await until('the event', () => seen[0]);
    expect(got.data).toEqual({ n: 1 });
    const spans = await until('3 spans', () => (exporter.getFinishedSpans().length >= 3 ? exporter.getFinishedSpans() : undefined));
    const publish = spans.find((s) => s.name === `${subject} publish`)!;
    const consume = spans.find((s) => s.name === `${EVENTS} process`)!;
    expect(publish).toBeDefined();
    expect(consume).toBeDefined();
    expect(publish.kind).toBe(SpanKind.PRODUCER);
    expect(consume.kind).toBe(SpanKind.CONSUMER);
    expect([traceId(publish), traceId(consume)]).toEqual([rootTrace, rootTrace]);
    expect(parentId(publish)).toBe(rootSpan);
    expect(parentId(consume)).toBe(spanId(publish));
    expect(consume.parentSpanContext?.isRemote).toBe(true);
    expect(consume.attributes).toMatchObject({ 'messaging.system': 'nats', 'messaging.destination.name': subject, 'messaging.destination.template': EVENTS });
    // the header and the handler's active span
    expect(got.headers.traceparent).toBe(`00-${rootTrace}-${spanId(publish)}-01`);
    expect(got.active).toEqual({ trace_id: rootTrace, span_id: spanId(consume) });
    await client.close();
  });

  it('send: CLIENT span -> SERVER span, the reply computed inside the trace', async () => {
    const client = createBusClient(transport);
    await client.connect();
    let root = '';
    const reply = await withSpan('caller', {}, (span) => {
      root = span.spanContext().traceId;
      return busRequest<{ doubled: number; headers: BusHeaders; active?: { trace_id: string; span_id: string } }>(client, ECHO, { x: 21 });
    });
    expect(reply.doubled).toBe(42);
    const spans = await until('3 spans', () => (exporter.getFinishedSpans().length >= 3 ? exporter.getFinishedSpans() : undefined));
    const send = spans.find((s) => s.name === `${ECHO} send`)!;
    const server = spans.find((s) => s.name === `${ECHO} process`)!;
    expect(send.kind).toBe(SpanKind.CLIENT);
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(traceId(server)).toBe(root);
    expect(parentId(server)).toBe(spanId(send));
    expect(reply.headers.traceparent).toBe(`00-${root}-${spanId(send)}-01`);
    expect(reply.active).toEqual({ trace_id: root, span_id: spanId(server) });
    await client.close();
  });

  it('a NatsRecord keeps its own headers; the trace context is added', async () => {
    const client = createBusClient(transport);
    await client.connect();
    const h = natsHeaders();
    h.set('x-custom', 'kept');
    withSpan('frame', {}, () => client.emit(`${PREFIX}.ev.rec.${name}`, new NatsRecord({ n: 2 }, h)));
    const got = await until('the event', () => seen[0]);
    expect(got.data).toEqual({ n: 2 });
    expect(got.headers['x-custom']).toBe('kept');
    expect(got.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    await client.close();
  });

  it('a publish outside any span starts a new trace at the consumer (no parent)', async () => {
    const client = createBusClient(transport);
    await client.connect();
    context.with(propagation.setBaggage(context.active(), propagation.createBaggage({ k: { value: 'v' } })), () => client.emit(`${PREFIX}.ev.bare.${name}`, { n: 3 }));
    await until('the event', () => seen[0]);
    const spans = await until('2 spans', () => (exporter.getFinishedSpans().length >= 2 ? exporter.getFinishedSpans() : undefined));
    const publish = spans.find((s) => s.name.endsWith(' publish'))!;
    const consume = spans.find((s) => s.name.endsWith(' process'))!;
    expect(publish.parentSpanContext).toBeUndefined();
    expect(parentId(consume)).toBe(spanId(publish));
    expect(seen[0].headers.baggage).toBe('k=v');
    await client.close();
  });
});

describe('tracing off', () => {
  it('no header, no span, on both transports; withSpan just calls', async () => {
    await tracing.shutdown();
    expect(tracingEnabled()).toBe(false);
    expect(busTracingEnabled()).toBe(false);
    exporter.reset();
    for (const t of [{ kind: 'in-process', broker: new InProcessBroker() }, { kind: 'nats', url: NATS_URL }] as BusTransport[]) {
      seen.length = 0;
      const app = await NestFactory.createMicroservice(ProbeModule, { strategy: createBusServer(t), logger: false });
      await app.listen();
      const client = createBusClient(t);
      await client.connect();
      expect(withSpan('x', {}, (span) => (span.isRecording() ? 'recording' : 'noop'))).toBe('noop');
      client.emit(`${PREFIX}.ev.off`, { n: 4 });
      const got = await until('the event', () => seen[0]);
      expect(got.headers).toEqual({});
      expect(got.active).toBeUndefined();
      await client.close();
      await app.close();
    }
    expect(exporter.getFinishedSpans()).toEqual([]);
    // started again for the afterAll (shutdown is idempotent)
    tracing = startTracing({ serviceName: 'bus-tracing-spec', exporter });
    expect(tracing.enabled).toBe(true);
  });
});
