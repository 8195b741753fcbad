/**
 * The in-process transport: the embedded default that replaces NATS behind the same NestJS client and
 * server interfaces (ARCHITECTURE.md, "Bus"), so every @EventPattern / @MessagePattern handler runs
 * unchanged in one process and across processes.
 *
 * Semantics follow core NATS: subjects with `*` / `>` wildcards, at-most-once fan-out to every matching
 * subscription, per-publisher ordering, request/reply answered by the first matching responder.
 * Delivery is synchronous (the handler body runs inside `publish`), which keeps ordering exact and costs
 * no serialization. Payloads are passed by reference: handlers must treat them as immutable (the
 * `cloneMessages` option deep-copies them, to catch a handler that mutates).
 *
 * Messages may carry headers (`BusHeaders`, like NATS headers): with tracing on (./tracing.ts) the client injects the
 * W3C trace context into them and the server runs each handler inside a span whose parent comes from them, exactly as
 * over NATS; `InProcessContext.getHeaders()` returns them.
 */
import { SpanKind } from '@opentelemetry/api';
import { BaseRpcContext, ClientProxy, CustomTransportStrategy, NatsRecord, ReadPacket, Server, WritePacket } from '@nestjs/microservices';
import { EMPTY, lastValueFrom, Observable, isObservable } from 'rxjs';
import { subjectMatches } from './subjects';
import { busTracingEnabled, extractTraceContext, injectTraceHeaders, runConsumeSpan, startPublishSpan, tracedRequest, unwrapRecord, type BusHeaders } from './tracing';

type EventHandler = (subject: string, data: unknown, headers?: BusHeaders) => void;
type RequestHandler = (subject: string, data: unknown, headers?: BusHeaders) => Promise<unknown>;

interface Subscription {
  pattern: string;
  handler: EventHandler;
}

/** Error for a request nobody answers (like NATS "no responders"). */
export class NoRespondersError extends Error {
  constructor(subject: string) {
    super(`no responders for ${subject}`);
    this.name = 'NoRespondersError';
  }
}

/** The shared in-process message broker. One instance connects every app of an all-in-one process. */
export class InProcessBroker {
  private subs: Subscription[] = [];
  private responders: Array<{ pattern: string; handler: RequestHandler }> = [];
  private routeCache = new Map<string, EventHandler[]>();
  /** messages published */
  published = 0;

  constructor(private readonly opts: { cloneMessages?: boolean } = {}) {}

  /** Subscribes a handler to a subject pattern; returns the unsubscribe function. */
  subscribe(pattern: string, handler: EventHandler): () => void {
    const sub = { pattern, handler };
    this.subs.push(sub);
    this.routeCache.clear();
    return () => {
      this.subs = this.subs.filter((s) => s !== sub);
      this.routeCache.clear();
    };
  }

  /** Registers a request/reply responder; returns the unregister function. */
  respond(pattern: string, handler: RequestHandler): () => void {
    const r = { pattern, handler };
    this.responders.push(r);
    return () => {
      this.responders = this.responders.filter((x) => x !== r);
    };
  }

  /** Publishes to every matching subscription, synchronously; returns how many received it. */
  publish(subject: string, data: unknown, headers?: BusHeaders): number {
    let handlers = this.routeCache.get(subject);
    if (handlers === undefined) {
      handlers = this.subs.filter((s) => subjectMatches(s.pattern, subject)).map((s) => s.handler);
      if (this.routeCache.size > 100_000) this.routeCache.clear();
      this.routeCache.set(subject, handlers);
    }
    this.published++;
    const clone = this.opts.cloneMessages;
    for (let i = 0; i < handlers.length; i++) handlers[i](subject, clone ? structuredClone(data) : data, headers);
    return handlers.length;
  }

  /** Sends a request to the first matching responder. @throws NoRespondersError when none matches. */
  async request(subject: string, data: unknown, headers?: BusHeaders): Promise<unknown> {
    const r = this.responders.find((x) => subjectMatches(x.pattern, subject));
    if (!r) throw new NoRespondersError(subject);
    return r.handler(subject, this.opts.cloneMessages ? structuredClone(data) : data, headers);
  }
}

/** RPC context of the in-process transport: `getSubject()` and `getHeaders()` like NestJS's NatsContext. */
export class InProcessContext extends BaseRpcContext<[string, BusHeaders?]> {
  constructor(args: [string, BusHeaders?]) {
    super(args);
  }
  /** The subject the message was published on. */
  getSubject(): string {
    return this.args[0];
  }
  /** The message headers, if it has any. */
  getHeaders(): BusHeaders | undefined {
    return this.args[1];
  }
}

/** NestJS custom transport server over an InProcessBroker. */
export class InProcessServer extends Server implements CustomTransportStrategy {
  private unsubscribers: Array<() => void> = [];

  constructor(private readonly broker: InProcessBroker) {
    super();
  }

  listen(callback: (...optionalParams: unknown[]) => void): void {
    for (const [pattern, handler] of this.messageHandlers) {
      if (handler.isEventHandler) {
        // The handler is resolved once here; NestJS's generic handleEvent would re-resolve the route on every
        // message (a JSON.parse that throws for plain subjects: most of the cost of a message).
        const onError = (err: unknown) => this.logger.error(`event handler for ${pattern} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
        // returns the handler's promise (a traced delivery ends its span when it settles); never throws
        const deliver = (subject: string, data: unknown, headers: BusHeaders | undefined): unknown => {
          try {
            const result = handler(data, new InProcessContext([subject, headers])) as unknown;
            if (result instanceof Promise) {
              return result.then((r: unknown) => (isObservable(r) ? r.subscribe({ error: onError }) : undefined), onError);
            } else if (isObservable(result)) {
              result.subscribe({ error: onError });
            }
          } catch (err) {
            onError(err);
          }
          return undefined;
        };
        this.unsubscribers.push(
          this.broker.subscribe(pattern, (subject, data, headers) => {
            if (busTracingEnabled()) runConsumeSpan(pattern, subject, extractTraceContext(headers), SpanKind.CONSUMER, () => deliver(subject, data, headers));
            else deliver(subject, data, headers);
          }),
        );
      } else {
        const answer = async (subject: string, data: unknown, headers: BusHeaders | undefined): Promise<unknown> => {
          const result = await handler(data, new InProcessContext([subject, headers]));
          return isObservable(result) ? lastValueFrom(result as Observable<unknown>) : result;
        };
        this.unsubscribers.push(
          this.broker.respond(pattern, (subject, data, headers) =>
            busTracingEnabled() ? runConsumeSpan(pattern, subject, extractTraceContext(headers), SpanKind.SERVER, () => answer(subject, data, headers)) : answer(subject, data, headers),
          ),
        );
      }
    }
    callback();
  }

  close(): void {
    for (const u of this.unsubscribers) u();
    this.unsubscribers = [];
  }

  on(): void {
    /* no transport events */
  }

  unwrap<T>(): T {
    return this.broker as T;
  }
}

/**
 * NestJS ClientProxy over an InProcessBroker: `emit` publishes synchronously, `send` is request/reply. A NatsRecord
 * payload is unwrapped (its headers travel with the message). With tracing on, `emit` runs in a PRODUCER span and
 * `send` in a CLIENT span whose context goes in the headers (./tracing.ts).
 */
export class InProcessClient extends ClientProxy {
  constructor(private readonly broker: InProcessBroker) {
    super();
  }

  async connect(): Promise<void> {
    /* always connected */
  }

  close(): void {
    /* nothing to close */
  }

  unwrap<T>(): T {
    return this.broker as T;
  }

  /** Publishes an event synchronously (fast path; skips ClientProxy's RxJS plumbing). */
  override emit<TResult = unknown, TInput = unknown>(pattern: string, data: TInput): Observable<TResult> {
    if (busTracingEnabled()) this.publishTraced(pattern, data);
    else if (data instanceof NatsRecord) this.publishRecord(pattern, data);
    else this.broker.publish(pattern, data);
    return EMPTY;
  }

  /** Request/reply; with tracing on, inside a CLIENT span whose context travels in the request's headers. */
  override send<TResult = unknown, TInput = unknown>(pattern: string, data: TInput): Observable<TResult> {
    if (!busTracingEnabled() || typeof pattern !== 'string') return super.send<TResult, TInput>(pattern, data);
    return tracedRequest(pattern, (ctx) => {
      const m = unwrapRecord(data);
      return super.send<TResult, NatsRecord>(pattern, new NatsRecord(m.data, injectTraceHeaders(ctx, m.headers ?? {})));
    });
  }

  private publishRecord(pattern: string, data: unknown): void {
    const m = unwrapRecord(data);
    this.broker.publish(pattern, m.data, m.headers);
  }

  private publishTraced(pattern: string, data: unknown): void {
    const m = unwrapRecord(data);
    const { span, ctx } = startPublishSpan(pattern);
    const headers = injectTraceHeaders(ctx, m.headers ?? {});
    // ended before delivery (which is synchronous), as a NATS publish span ends before any consumer sees the message
    span.end();
    this.broker.publish(pattern, m.data, headers);
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const m = unwrapRecord(packet.data);
    this.broker.request(packet.pattern as string, m.data, m.headers).then(
      (response) => callback({ response, isDisposed: true }),
      (err: unknown) => callback({ err: err instanceof Error ? err.message : err, isDisposed: true }),
    );
    return () => undefined;
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    const m = unwrapRecord(packet.data);
    this.broker.publish(packet.pattern as string, m.data, m.headers);
    return undefined as T;
  }
}
