/**
 * The console's bus side: a NestJS microservice on the platform's bus (the in-process broker or NATS, the same server
 * strategy as every other app) that subscribes to what the page shows and feeds {@link ConsoleState}, and polls the
 * `ctl.v1.*` status replies (ingestion, every ticker-plant shard, detection, execution status and portfolio).
 *
 * Subscriptions: `book.v1.*.bbo.*`, `book.v1.*.delta.*`, `book.v1.*.snapshot.*`, `signal.v1.opportunity.*`,
 * `signal.v1.trade.*`, `exec.v1.order.*`, `exec.v1.fill`. Handlers only update the model (O(levels of one market)):
 * with the in-process broker they run inside the publisher's call, so they must stay cheap; the page is sent the
 * changes on the server's own timer (console-server.ts).
 *
 * When it attaches to a bus that is already running (the standalone console over NATS), it first asks every shard for
 * its books and detection for its episodes, so the page starts from the current state.
 */
import { Controller, Inject, Injectable, Module, OnModuleDestroy, type DynamicModule, type INestMicroservice, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload, type ClientProxy } from '@nestjs/microservices';
import {
  BOOK_PREFIX,
  BUS_CLIENT,
  BusModule,
  busRequest,
  createBusServer,
  subjects,
  type BusTransport,
  type DetectionStatusV1,
  type ExecutionPortfolioV1,
  type ExecutionStatusV1,
  type IngestionStatusV1,
  type OpportunityEventV1,
  type TickerPlantBooksV1,
  type TickerPlantStatusV1,
} from '@kalshi-platform/bus';
import { ConsoleState } from './console-state';

/** How a feed polls. */
export interface ConsoleFeedOptions {
  /** ticker-plant shards to ask for status and books */
  shards: number;
  /** status poll period, ms; default 1000 */
  pollMs?: number;
  /** time limit of one status request, ms; default 1500 */
  requestTimeoutMs?: number;
  /** Nest log levels of the feed's microservice; default error and warn */
  logger?: LogLevel[];
}

const CONSOLE_STATE = Symbol('CONSOLE_STATE');
const CONSOLE_FEED_OPTIONS = Symbol('CONSOLE_FEED_OPTIONS');

/** Subjects of the ticker plant's applied levels and snapshots (the bus lib names only the BBO wildcard). */
export const BOOK_LEVELS_ALL = `${BOOK_PREFIX}.*.delta.*`;
export const BOOK_SNAPSHOTS_ALL = `${BOOK_PREFIX}.*.snapshot.*`;

/** Bus events -> the console model. */
@Controller()
export class ConsoleController {
  constructor(@Inject(CONSOLE_STATE) private readonly state: ConsoleState) {}

  @EventPattern(subjects.bboAll)
  bbo(@Payload() data: unknown): void {
    this.state.onBbo(data);
  }

  @EventPattern(BOOK_LEVELS_ALL)
  level(@Payload() data: unknown): void {
    this.state.onLevel(data);
  }

  @EventPattern(BOOK_SNAPSHOTS_ALL)
  snapshot(@Payload() data: unknown): void {
    this.state.onBookSnapshot(data);
  }

  @EventPattern(subjects.opportunityAll)
  opportunity(@Payload() data: unknown): void {
    this.state.onOpportunity(data);
  }

  @EventPattern(subjects.signalAll)
  signal(@Payload() data: unknown): void {
    this.state.onSignal(data);
  }

  @EventPattern(subjects.orderAll)
  order(@Payload() data: unknown): void {
    this.state.onOrder(data);
  }

  @EventPattern(subjects.fill)
  fill(@Payload() data: unknown): void {
    this.state.onFill(data);
  }
}

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

/** Polls the `ctl.v1.*` status replies into the model; also the console's way to send requests (kill switch). */
@Injectable()
export class ConsolePoller implements OnModuleDestroy {
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private closed = false;

  constructor(
    @Inject(CONSOLE_STATE) private readonly state: ConsoleState,
    @Inject(CONSOLE_FEED_OPTIONS) private readonly o: ConsoleFeedOptions,
    @Inject(BUS_CLIENT) private readonly bus: ClientProxy,
  ) {}

  /** Seeds the model from the running services (books, episodes), then polls every `pollMs`. */
  async start(): Promise<void> {
    const timeout = this.o.requestTimeoutMs ?? 1500;
    await Promise.all([
      ...Array.from({ length: this.o.shards }, (_, i) =>
        busRequest<TickerPlantBooksV1>(this.bus, subjects.tickerPlantBooks(i), {}, timeout).then(
          (b) => this.state.seedBooks(b),
          () => undefined,
        ),
      ),
      busRequest<OpportunityEventV1[]>(this.bus, subjects.detectionEpisodes, {}, timeout).then(
        (eps) => eps.forEach((e) => this.state.onOpportunity(e)),
        () => undefined,
      ),
    ]);
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.o.pollMs ?? 1000);
    this.timer.unref?.();
  }

  /** One round of status requests (never two at once). Resolves when the model has the answers. */
  poll(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.inFlight) return this.inFlight;
    const timeout = this.o.requestTimeoutMs ?? 1500;
    const req = <T>(subject: string): Promise<T | Error> => busRequest<T>(this.bus, subject, {}, timeout).catch(asError);
    this.inFlight = (async () => {
      const [ingestion, detection, execution, ...shards] = await Promise.all([
        req<IngestionStatusV1>(subjects.ingestionStatus),
        req<DetectionStatusV1>(subjects.detectionStatus),
        req<ExecutionStatusV1>(subjects.executionStatus),
        ...Array.from({ length: this.o.shards }, (_, i) => req<TickerPlantStatusV1>(subjects.tickerPlantStatus(i))),
      ]);
      const portfolio = execution instanceof Error ? null : await req<ExecutionPortfolioV1>(subjects.executionPortfolio);
      if (!this.closed) this.state.onStatus({ ingestion, shards, detection, execution, portfolio, atMs: Date.now() });
    })().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  /** Request/reply on the bus. @throws the remote error or a timeout */
  request<T>(subject: string, data: unknown, timeoutMs: number): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the run that fed the console has ended'));
    return busRequest<T>(this.bus, subject, data, timeoutMs);
  }

  onModuleDestroy(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
  }
}

/** The feed's Nest module (one per attached bus). */
@Module({})
export class ConsoleFeedModule {
  static forRoot(state: ConsoleState, transport: BusTransport, o: ConsoleFeedOptions): DynamicModule {
    return {
      module: ConsoleFeedModule,
      imports: [BusModule.forRoot(transport)],
      controllers: [ConsoleController],
      providers: [{ provide: CONSOLE_STATE, useValue: state }, { provide: CONSOLE_FEED_OPTIONS, useValue: o }, ConsolePoller],
    };
  }
}

/** A running feed: closed with the pipeline it watches. */
export interface ConsoleFeed {
  /** request/reply on the watched bus (the kill switch). @throws the remote error, a timeout, or after close */
  request<T>(subject: string, data: unknown, timeoutMs?: number): Promise<T>;
  /** polls the status replies now */
  poll(): Promise<void>;
  readonly closed: boolean;
  close(): Promise<void>;
}

/**
 * Starts a feed on a bus: subscribes, seeds the model from the running services, starts polling.
 * @throws Error when the microservice cannot start (e.g. NATS unreachable)
 */
export async function startConsoleFeed(state: ConsoleState, transport: BusTransport, o: ConsoleFeedOptions): Promise<ConsoleFeed> {
  const app: INestMicroservice = await NestFactory.createMicroservice(ConsoleFeedModule.forRoot(state, transport, o), {
    strategy: createBusServer(transport),
    logger: o.logger ?? ['error', 'warn'],
  });
  await app.listen();
  const poller = app.get(ConsolePoller);
  let closed = false;
  try {
    await poller.start();
  } catch (e) {
    await app.close().catch(() => undefined);
    throw e;
  }
  return {
    request: <T>(subject: string, data: unknown, timeoutMs = 15_000) => poller.request<T>(subject, data, timeoutMs),
    poll: () => poller.poll(),
    get closed() {
      return closed;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await app.close();
      state.onFeedClosed();
    },
  };
}
