/**
 * Choice of transport for every app: NATS (deployed) or the in-process broker (the embedded default).
 * Switching is configuration only (`NATS_URL`); handlers and publishers are the same either way.
 */
import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { SpanKind } from '@opentelemetry/api';
import { ClientNats, ClientProxy, CustomTransportStrategy, Server, ServerNats } from '@nestjs/microservices';
import { lastValueFrom, Observable, timeout } from 'rxjs';
import { InProcessBroker, InProcessClient, InProcessServer } from './in-process';
import { busTracingEnabled, extractNatsTraceContext, runConsumeSpan, startPublishSpan, tracedRequest, withNatsTraceHeaders } from './tracing';

/** Where the bus lives. */
export type BusTransport = { kind: 'in-process'; broker: InProcessBroker } | { kind: 'nats'; url: string; name?: string };

/** Injection token of the app's ClientProxy for publishing and requests. */
export const BUS_CLIENT = Symbol('BUS_CLIENT');

type NatsMsg = Parameters<ServerNats['handleMessage']>[1];

/**
 * NestJS's NATS server with the handler lookup cached per subscription pattern. The stock lookup
 * (Server.getRouteFromPattern) tries `JSON.parse` on the pattern for every message, which throws for a
 * plain subject and dominated the per-message cost in profiles (bench/pipeline.bench.ts).
 *
 * With tracing on (./tracing.ts) every message is handled inside the span `<subscription pattern> process` (CONSUMER
 * for an event, SERVER for a request) whose parent is the W3C trace context of the message headers.
 */
export class CachedRouteServerNats extends ServerNats {
  private readonly handlerCache = new Map<string, ReturnType<Server['getHandlerByPattern']>>();
  override getHandlerByPattern(pattern: string): ReturnType<Server['getHandlerByPattern']> {
    let h = this.handlerCache.get(pattern);
    if (h === undefined) {
      h = super.getHandlerByPattern(pattern);
      if (h) this.handlerCache.set(pattern, h);
    }
    return h ?? null;
  }
  override addHandler(...args: Parameters<Server['addHandler']>): void {
    this.handlerCache.clear();
    super.addHandler(...args);
  }
  override handleMessage(channel: string, natsMsg: NatsMsg): Promise<unknown> {
    if (!busTracingEnabled()) return super.handleMessage(channel, natsMsg);
    const kind = natsMsg.reply ? SpanKind.SERVER : SpanKind.CONSUMER;
    return runConsumeSpan(channel, natsMsg.subject, extractNatsTraceContext(natsMsg.headers), kind, () => super.handleMessage(channel, natsMsg));
  }
}

/**
 * NestJS's NATS client whose publishes carry the trace context when tracing is on (./tracing.ts): `emit` inside a
 * PRODUCER span `<subject> publish`, `send` inside a CLIENT span `<subject> send`, the span's W3C context in the NATS
 * headers (through a NatsRecord; a NatsRecord given keeps its own headers). Tracing off: ClientNats unchanged.
 */
export class TracedClientNats extends ClientNats {
  override emit<TResult = unknown, TInput = unknown>(pattern: unknown, data: TInput): Observable<TResult> {
    if (!busTracingEnabled() || typeof pattern !== 'string') return super.emit<TResult, TInput>(pattern, data);
    const { span, ctx } = startPublishSpan(pattern);
    try {
      return super.emit<TResult, unknown>(pattern, withNatsTraceHeaders(data, ctx));
    } finally {
      span.end();
    }
  }

  override send<TResult = unknown, TInput = unknown>(pattern: unknown, data: TInput): Observable<TResult> {
    if (!busTracingEnabled() || typeof pattern !== 'string') return super.send<TResult, TInput>(pattern, data);
    return tracedRequest(pattern, (ctx) => super.send<TResult, unknown>(pattern, withNatsTraceHeaders(data, ctx)));
  }
}

/** A NestJS server strategy for the transport (pass it as `{ strategy }` to createMicroservice / connectMicroservice). */
export function createBusServer(t: BusTransport): Server & CustomTransportStrategy {
  if (t.kind === 'in-process') return new InProcessServer(t.broker);
  return new CachedRouteServerNats({ servers: [t.url], name: t.name, maxReconnectAttempts: -1 }) as Server & CustomTransportStrategy;
}

/** A NestJS ClientProxy for the transport. */
export function createBusClient(t: BusTransport): ClientProxy {
  if (t.kind === 'in-process') return new InProcessClient(t.broker);
  return new TracedClientNats({ servers: [t.url], name: t.name, maxReconnectAttempts: -1 }) as unknown as ClientProxy;
}

/**
 * Parses the bus transport from configuration: a NATS URL (e.g. `nats://127.0.0.1:4222`) or, when absent,
 * the given in-process broker.
 * @throws Error naming the value when the URL is not nats:// or tls://.
 */
export function busTransportFromConfig(natsUrl: string | undefined, broker?: InProcessBroker, name?: string): BusTransport {
  if (natsUrl && natsUrl.trim() !== '') {
    if (!/^(nats|tls|ws|wss):\/\//.test(natsUrl)) throw new Error(`NATS URL "${natsUrl}" must start with nats://, tls://, ws:// or wss://`);
    return { kind: 'nats', url: natsUrl, name };
  }
  if (!broker) throw new Error('no NATS_URL configured and no in-process broker given');
  return { kind: 'in-process', broker };
}

/** Closes the app's bus client (its NATS connection) when the app shuts down. */
@Injectable()
export class BusClientCloser implements OnApplicationShutdown {
  constructor(@Inject(BUS_CLIENT) private readonly client: ClientProxy) {}
  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}

/** Global module that provides BUS_CLIENT for the chosen transport, and closes it at shutdown. */
@Global()
@Module({})
export class BusModule {
  static forRoot(t: BusTransport): DynamicModule {
    return {
      module: BusModule,
      providers: [{ provide: BUS_CLIENT, useFactory: () => createBusClient(t) }, BusClientCloser],
      exports: [BUS_CLIENT],
    };
  }
}

/**
 * Request/reply with a timeout. @throws the remote error, or a TimeoutError after `timeoutMs`.
 */
export function busRequest<T>(client: ClientProxy, subject: string, data: unknown = {}, timeoutMs = 5000): Promise<T> {
  return lastValueFrom(client.send<T>(subject, data).pipe(timeout(timeoutMs)));
}
