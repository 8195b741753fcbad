/**
 * Shard hand-off of the KV-assigned ticker plant (issue #6) over the real NATS JetStream (NATS_URL or
 * nats://127.0.0.1:4222, JetStream enabled).
 *
 * 1. Reference: the mock exchange replays the demo capture -> ingestion -> ONE ticker-plant shard in the static mode
 *    (today's plant, core NATS); every `book.v1.>` message is recorded per market, and the books equal the oracle.
 * 2. Hand-off: the same capture, paced (realtime x30, about 10 s), through ingestion into a JetStream stream of market
 *    data; shards in-process with TICKERPLANT_NAME set read their partitions from a KV bucket the test writes like the
 *    operator: generation 1 = 2 shards, then (a third shard started) generation 2 = 3 shards, then generation 3 = 1
 *    shard (shards 2 and 1 stopped), while the replay runs. At the end the books equal the oracle, every md message was
 *    applied live by exactly one shard, and the sequence of book messages (BBO, levels, snapshots) of every market is
 *    EXACTLY the reference's: nothing missing, nothing twice.
 *
 * The stream, the assignment bucket and the shards' hand-off bucket have test-unique names and are deleted afterwards.
 * JetStream refuses two streams on overlapping subjects: if another stream already captures `md.v1.>` on this server
 * (the `MD` stream of a standalone ingestion, e.g. left by services.spec.ts), the test stream SOURCES from it, starting
 * after its last message, instead of capturing the subjects itself, and leaves it alone.
 * Like the other NATS tests of the platform, it expects no other pipeline to publish market data on the server meanwhile.
 */
import 'reflect-metadata';
import { INestMicroservice, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { ClientProxy } from '@nestjs/microservices';
import { connect, JSONCodec, nanos, RetentionPolicy, StorageType, type JetStreamManager, type KV, type NatsConnection, type Subscription } from 'nats';
import { BUS_CLIENT, busRequest, busTransportFromConfig, createBusClient, ensureMdStream, createBusServer, MD_PREFIX, subjects, tickerFromSubject, type BusTransport, type LevelV1, type TickerPlantBooksV1 } from '@kalshi-platform/bus';
import { generateKalshiKeyPair } from '@kalshi-platform/kalshi';
import { startExchange, type RunningExchange } from '@kalshi-platform/feature-exchange';
import { FeedService, IngestionModule } from '@kalshi-platform/feature-ingestion';
import {
  BookRegistry,
  moduloAssignment,
  ShardHandoff,
  startTickerPlant,
  tickerPlantConfig,
  tickerPlantConfigFromEnv,
  type HandoffStatus,
  type PartitionAssignmentV1,
} from '@kalshi-platform/feature-ticker-plant';
import { formatPriceDollars, formatSizeFp } from '@kalshi-platform/market';
import { bboFromLadders, type Report } from '../src/report';
import { CAPTURE, expectBooksMatchOracle } from './oracle';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const UNIQ = `${process.pid}_${Date.now()}`;
const STREAM = `MD_HANDOFF_TEST_${UNIQ}`;
const BUCKET = `TP_ASSIGN_TEST_${UNIQ}`;
const HANDOFF_BUCKET = `${BUCKET}_HANDOFF`;
const NAME = `handoff-test-${UNIQ}`;
const PARTITIONS = 64;
const logger: LogLevel[] = ['error'];
const codec = JSONCodec<unknown>();

jest.setTimeout(90_000);

async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Every `book.v1.>` message, per market in arrival order: `<kind> <payload JSON>`; and how many `md.v1.>` messages
 * the server carried (to tell another pipeline's market data on the same server from a bug).
 */
class Collector {
  readonly byMarket = new Map<string, string[]>();
  count = 0;
  md = 0;
  private sub: Subscription | null = null;
  private mdSub: Subscription | null = null;
  async start(nc: NatsConnection): Promise<void> {
    this.mdSub = nc.subscribe(`${MD_PREFIX}.>`, { callback: () => this.md++ });
    this.sub = nc.subscribe(subjects.bookAll, {
      callback: (_err, m) => {
        const body = m.json<{ pattern: string; data: unknown }>();
        const kind = m.subject.split('.')[3];
        const t = tickerFromSubject(m.subject);
        let list = this.byMarket.get(t);
        if (!list) this.byMarket.set(t, (list = []));
        list.push(`${kind} ${JSON.stringify(body.data)}`);
        this.count++;
      },
    });
    await nc.flush();
  }
  stop(): void {
    this.sub?.unsubscribe();
    this.mdSub?.unsubscribe();
  }
  /** @throws Error when more market data went through the server than this test's ingestion published */
  expectOnlyOurMarketData(published: number): void {
    if (this.md !== published) {
      throw new Error(`another process published ${this.md - published} market-data message(s) on ${NATS_URL} during the test: the books cannot be compared; rerun when no other pipeline runs on this server`);
    }
  }
}

/** The mock exchange replaying the capture, and ingestion on NATS (its feed not started yet). */
async function startFeed(transport: BusTransport, opts: { speed: 'max' | 'realtime'; realtimeFactor?: number; mdStream?: string }) {
  const keys = generateKalshiKeyPair();
  const keyId = 'handoff-ingestion';
  const exchange: RunningExchange = await startExchange({
    host: '127.0.0.1',
    port: 0,
    mode: 'replay',
    capturePath: CAPTURE,
    speed: opts.speed,
    realtimeFactor: opts.realtimeFactor,
    dropFrames: 0,
    seed: 1,
    dialect: 'fixed_point',
    publicKeys: [{ keyId, publicKeyPem: keys.publicKeyPem }],
    logger,
  });
  const ingestion = await NestFactory.createMicroservice(
    IngestionModule.forRoot(
      {
        restUrl: exchange.restUrl,
        wsUrl: exchange.wsUrl,
        credentials: { keyId, privateKeyPem: keys.privateKeyPem },
        marketTickers: [],
        partitionCount: PARTITIONS,
        reconnectInitialDelayMs: 50,
        snapshotTimeoutMs: 2_000,
        mdStream: opts.mdStream,
      },
      transport,
    ),
    { strategy: createBusServer(transport), logger },
  );
  await ingestion.listen();
  // Connect ingestion's bus client before the feed starts: while ClientNats is still connecting, the first emit can
  // be published after the ones that follow it (reported; libs/feature-ingestion is not this change's to fix), which
  // would drop the first market's first deltas in both runs alike.
  await ingestion.get<symbol, ClientProxy>(BUS_CLIENT).connect();
  const feed = ingestion.get(FeedService);
  return {
    exchange,
    feed,
    close: async () => {
      await ingestion.close().catch(() => undefined);
      await exchange.close().catch(() => undefined);
    },
  };
}

const fmt = (levels: LevelV1[]): Array<[string, string]> => levels.map(([p, q]) => [formatPriceDollars(p), formatSizeFp(q)]);

/** The books of a shard as the report's fields expectBooksMatchOracle reads. */
function reportOf(books: TickerPlantBooksV1['books']): Report {
  const r = { books: {}, bbo: {}, stats: { invalid_books: [] as string[] } } as unknown as Report;
  for (const [t, b] of Object.entries(books)) {
    if (!b.valid) r.stats.invalid_books.push(t);
    r.books[t] = { yes_dollars_fp: fmt(b.yes), no_dollars_fp: fmt(b.no) };
    r.bbo[t] = bboFromLadders(b.yes, b.no);
  }
  return r;
}

/** Waits until every md message ingestion published has been applied live (once, in total) and the output is quiet. */
async function drained(feed: FeedService, registries: BookRegistry[], collector: Collector): Promise<void> {
  let stableSince = 0;
  let last = -1;
  await waitFor('the pipeline to drain', () => {
    const consumed = registries.reduce((a, r) => a + r.consumed, 0);
    const published = feed.status().published;
    if (published > 0 && consumed === published && collector.count === last) {
      if (stableSince === 0) stableSince = Date.now();
      if (Date.now() - stableSince >= 300) return true;
    } else {
      stableSince = 0;
    }
    last = collector.count;
    return undefined;
  });
}

describe('ticker-plant shard hand-off over NATS JetStream', () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let kv: KV;
  let bus: ClientProxy;
  const transport = busTransportFromConfig(NATS_URL, undefined, 'handoff-test');
  const cleanups: Array<() => Promise<unknown>> = [];
  let reference: Map<string, string[]>;

  beforeAll(async () => {
    nc = await connect({ servers: NATS_URL, name: 'handoff-spec' });
    jsm = await nc.jetstreamManager();
    bus = createBusClient(transport);
    await bus.connect();
  });

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await jsm.streams.delete(STREAM).catch(() => undefined);
    await jsm.streams.delete(`KV_${BUCKET}`).catch(() => undefined);
    await jsm.streams.delete(`KV_${HANDOFF_BUCKET}`).catch(() => undefined);
    await bus.close();
    await nc.close();
  });

  it('reference: one static shard; the books equal the oracle', async () => {
    const shard = await startTickerPlant(tickerPlantConfig(0, 1, PARTITIONS), transport, { logger });
    cleanups.push(() => shard.close());
    const collector = new Collector();
    await collector.start(nc);
    const run = await startFeed(transport, { speed: 'max' });
    cleanups.push(run.close);
    await run.feed.start();
    await run.exchange.replay!.whenDone();
    await drained(run.feed, [shard.get(BookRegistry)], collector);
    collector.expectOnlyOurMarketData(run.feed.status().published);
    const books = await busRequest<TickerPlantBooksV1>(bus, subjects.tickerPlantBooks(0));
    expectBooksMatchOracle(reportOf(books.books));
    collector.stop();
    reference = collector.byMarket;
    expect([...reference.values()].reduce((a, l) => a + l.length, 0)).toBeGreaterThan(2885);
    await run.close();
    await shard.close();
  });

  it('scales 2 -> 3 -> 1 shards during the replay: books equal the oracle, every book message exactly once', async () => {
    const t0 = Date.now();
    // the market-data stream (see the file's docstring for the sourcing case)
    const foreign = await jsm.streams.find(`${MD_PREFIX}.>`).catch(() => null);
    if (foreign) {
      const last = (await jsm.streams.info(foreign)).state.last_seq;
      await jsm.streams.add({
        name: STREAM,
        subjects: [],
        sources: [{ name: foreign, opt_start_seq: last + 1, filter_subject: `${MD_PREFIX}.>` }],
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        max_age: nanos(3_600_000),
      });
    } else {
      expect(await ensureMdStream(NATS_URL, { stream: STREAM, maxAgeMs: 3_600_000 })).toEqual({ created: true, stream: STREAM, mismatches: [] });
    }
    // the operator's bucket and its first generation: 2 shards, p % 2
    kv = await nc.jetstream().views.kv(BUCKET, { history: 1 });
    const put = (a: PartitionAssignmentV1) => kv.put(NAME, codec.encode(a));
    await put(moduloAssignment(NAME, 1, 2, PARTITIONS));

    const env = { TICKERPLANT_NAME: NAME, ASSIGNMENT_BUCKET: BUCKET, MD_STREAM: STREAM, PARTITION_COUNT: String(PARTITIONS) };
    const shards: INestMicroservice[] = [];
    const startShard = async (i: number) => {
      const app = await startTickerPlant(tickerPlantConfigFromEnv({ ...env, SHARD_INDEX: String(i) }), transport, { logger });
      cleanups.push(() => app.close());
      shards[i] = app;
      return app;
    };
    const status = (i: number) => ({ ...shards[i].get(BookRegistry).status(), ...shards[i].get(ShardHandoff).status() });
    const atGeneration = (g: number, ids: number[]) => waitFor(`shards ${ids.join(',')} ready at generation ${g}`, () => (ids.every((i) => ((s: HandoffStatus) => s.generation === g && s.ready)(status(i))) ? true : undefined));

    await startShard(0);
    await startShard(1);
    await atGeneration(1, [0, 1]);
    expect(status(0).partitions).toEqual(moduloAssignment(NAME, 1, 2, PARTITIONS).assignment.flatMap((s, p) => (s === 0 ? [p] : [])));

    const collector = new Collector();
    await collector.start(nc);
    const run = await startFeed(transport, { speed: 'realtime', realtimeFactor: 30, mdStream: STREAM });
    cleanups.push(run.close);
    await run.feed.start();
    const replay = run.exchange.replay!;
    const progress = () => replay.stats.framesReplayed / replay.stats.framesTotal;

    // scale up while the replay runs: a third shard (owning nothing at generation 1), then generation 2 = 3 shards
    await waitFor('30% of the replay', () => (progress() >= 0.3 ? true : undefined));
    await startShard(2);
    await atGeneration(1, [2]);
    expect(status(2).partitions).toEqual([]);
    await put(moduloAssignment(NAME, 2, 3, PARTITIONS));
    await atGeneration(2, [0, 1, 2]);
    const midway = progress();
    expect(midway).toBeLessThan(0.65);

    // scale down to one shard: generation 3 gives everything to shard 0; shard 2 is stopped at once (its shutdown
    // releases what it owns, racing with the release the new generation asks for), shard 1 once shard 0 is ready
    await waitFor('65% of the replay', () => (progress() >= 0.65 ? true : undefined));
    await put({ v: 1, name: NAME, generation: 3, shards: 1, partitions: PARTITIONS, assignment: new Array<number>(PARTITIONS).fill(0) });
    await shards[2].close();
    await atGeneration(3, [0, 1]);
    expect(status(0).partitions).toHaveLength(PARTITIONS);
    expect(status(1).partitions).toEqual([]);
    await shards[1].close();
    expect(progress()).toBeLessThan(1); // every hand-off happened while market data was flowing

    await replay.whenDone();
    const registries = shards.map((s) => s.get(BookRegistry));
    await drained(run.feed, registries, collector);
    collector.stop();
    collector.expectOnlyOurMarketData(run.feed.status().published);

    // every md message was applied live by exactly one shard; the gaining shards rebuilt from the stream first
    expect(registries.reduce((a, r) => a + r.consumed, 0)).toBe(run.feed.status().published);
    expect(registries.every((r) => r.consumed > 0)).toBe(true);
    expect(registries.reduce((a, r) => a + r.replayed, 0)).toBeGreaterThan(0);
    expect(registries.reduce((a, r) => a + r.rejected, 0)).toBe(0);

    const books = await busRequest<TickerPlantBooksV1>(bus, subjects.tickerPlantBooks(0));
    expectBooksMatchOracle(reportOf(books.books));

    // exactly once: per market, the same book messages in the same order as the single static shard
    expect([...collector.byMarket.keys()].sort()).toEqual([...reference.keys()].sort());
    for (const [ticker, ref] of reference) {
      const got = collector.byMarket.get(ticker) ?? [];
      const bbo = (l: string[]) => l.filter((x) => x.startsWith('bbo '));
      expect({ ticker, bbo: bbo(got) }).toEqual({ ticker, bbo: bbo(ref) });
      expect({ ticker, messages: got }).toEqual({ ticker, messages: ref });
    }

    // the ownership records: every partition owned by shard 0's instance
    const records = await nc.jetstream().views.kv(HANDOFF_BUCKET, { bindOnly: true });
    const rec = (await records.get(`${NAME}.p0`))!.json<{ owner: string; shard: number }>();
    expect(rec).toMatchObject({ owner: shards[0].get(ShardHandoff).instance, shard: 0 });

    await shards[0].close();
    await run.close();
    expect(Date.now() - t0).toBeLessThan(60_000);
  });

  it('takes a partition over from an owner that is gone, from its last checkpoint (only that partition is republished)', async () => {
    // every partition was released when shard 0 closed; now partition 4 (KXNEXTTEAMNBA-26LJAM-MIA) is recorded as owned
    // by a process that no longer exists, its last checkpoint at seq `checkpoint`
    const records = await nc.jetstream().views.kv(HANDOFF_BUCKET, { bindOnly: true });
    const released = (await records.get(`${NAME}.p4`))!.json<{ owner: string | null; seq: number }>();
    expect(released.owner).toBeNull();
    const checkpoint = released.seq - 300; // stream seqs count every partition's messages
    await records.put(`${NAME}.p4`, codec.encode({ v: 1, partition: 4, owner: 'gone-instance', shard: 7, seq: checkpoint, generation: 3, tsMs: Date.now() }));
    await kv.put(NAME, codec.encode({ v: 1, name: NAME, generation: 4, shards: 1, partitions: PARTITIONS, assignment: new Array<number>(PARTITIONS).fill(0) }));

    const collector = new Collector();
    await collector.start(nc);
    const app = await startTickerPlant(tickerPlantConfigFromEnv({ TICKERPLANT_NAME: NAME, ASSIGNMENT_BUCKET: BUCKET, MD_STREAM: STREAM, SHARD_INDEX: '0' }), transport, { logger });
    cleanups.push(() => app.close());
    await app.get(ShardHandoff).whenReady(20_000);
    let seen = -1;
    await waitFor('the republished tail of partition 4', async () => {
      const n = app.get(BookRegistry).consumed;
      const done = n > 0 && n === seen;
      seen = n;
      await new Promise((r) => setTimeout(r, 200));
      return done ? true : undefined;
    });
    collector.stop();
    expect([...collector.byMarket.keys()]).toEqual(['KXNEXTTEAMNBA-26LJAM-MIA']);
    // what it published again is exactly the tail the reference published for those messages
    const tail = collector.byMarket.get('KXNEXTTEAMNBA-26LJAM-MIA')!;
    const ref = reference.get('KXNEXTTEAMNBA-26LJAM-MIA')!;
    expect(tail.length).toBeGreaterThan(0);
    expect(ref.slice(ref.length - tail.length)).toEqual(tail);
    expect((await records.get(`${NAME}.p4`))!.json()).toMatchObject({ owner: app.get(ShardHandoff).instance, shard: 0 });
    const books = await busRequest<TickerPlantBooksV1>(bus, subjects.tickerPlantBooks(0));
    expectBooksMatchOracle(reportOf(books.books));
    await app.close();
  });
});
