/**
 * ensureSignalStream against the real NATS server (loopback, NATS_URL or nats://127.0.0.1:4222, JetStream enabled).
 * Every stream a test creates has a test-unique name and is deleted afterwards. Subjects: the capture test uses a
 * test-unique signal kind (`signal.v1.trade.jstest_<pid>_<ms>`), so it never sees another run's signals; if a stream
 * already captures the signal subjects on this server (a running detection app created `SIGNALS`), JetStream would
 * refuse an overlapping one, so the test reads back through that stream instead (and leaves it alone).
 */
import 'reflect-metadata';
import { lastValueFrom } from 'rxjs';
import { connect, nanos, RetentionPolicy, StorageType, type NatsConnection } from 'nats';
import { createBusClient } from './transport';
import { ensureSignalStream, SIGNAL_STREAM_MAX_AGE_MS, SIGNAL_STREAM_SUBJECTS } from './jetstream';
import { SIGNAL_STREAM, subjectMatches, subjects } from './subjects';
import { decodeSignalV1, type SignalV1 } from './trading';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const UNIQ = `${process.pid}_${Date.now()}`;

jest.setTimeout(20_000);

describe('ensureSignalStream (real NATS JetStream)', () => {
  let nc: NatsConnection;
  const created: string[] = [];
  beforeAll(async () => {
    nc = await connect({ servers: NATS_URL });
  });
  afterAll(async () => {
    const jsm = await nc.jetstreamManager();
    for (const s of created) await jsm.streams.delete(s).catch(() => undefined);
    await nc.close();
  });

  it('the defaults are the production stream: SIGNALS on signal.v1.trade.>, 7 days', () => {
    expect(SIGNAL_STREAM).toBe('SIGNALS');
    expect(SIGNAL_STREAM_SUBJECTS).toEqual(['signal.v1.trade.>']);
    expect(SIGNAL_STREAM_MAX_AGE_MS).toBe(604_800_000);
    for (const kind of ['sportsbook_edge', 'basket_yes', 'cross']) expect(SIGNAL_STREAM_SUBJECTS.some((p) => subjectMatches(p, subjects.signal(kind)))).toBe(true);
    expect(SIGNAL_STREAM_SUBJECTS.some((p) => subjectMatches(p, subjects.opportunity('basket_yes')))).toBe(false);
  });

  it('creates the stream once (limits, file, max age); an existing one is left as it is and its differences reported', async () => {
    const stream = `KP_JS_TEST_${UNIQ}`;
    const subj = [`kptest.${UNIQ}.>`];
    created.push(stream);
    // two processes starting together: both succeed (JetStream's add is idempotent for the same settings), one stream
    const both = await Promise.all([ensureSignalStream(NATS_URL, { stream, subjects: subj }), ensureSignalStream(NATS_URL, { stream, subjects: subj })]);
    expect(both.some((r) => r.created)).toBe(true);
    expect(both.every((r) => r.stream === stream && r.mismatches.length === 0)).toBe(true);
    const jsm = await nc.jetstreamManager();
    const names: string[] = [];
    for await (const s of jsm.streams.list()) names.push(s.config.name);
    expect(names.filter((n) => n === stream)).toHaveLength(1);
    const info = await jsm.streams.info(stream);
    expect(info.config).toMatchObject({ subjects: subj, retention: RetentionPolicy.Limits, storage: StorageType.File, max_age: nanos(SIGNAL_STREAM_MAX_AGE_MS) });

    expect(await ensureSignalStream(NATS_URL, { stream, subjects: subj })).toEqual({ created: false, stream, mismatches: [] });
    const other = await ensureSignalStream(NATS_URL, { stream, subjects: [`kptest.${UNIQ}.other.>`], maxAgeMs: 86_400_000 });
    expect(other.created).toBe(false);
    expect(other.mismatches).toEqual([`subjects: kptest.${UNIQ}.>, wanted kptest.${UNIQ}.other.>`, 'max_age: 604800000 ms, wanted 86400000 ms']);
    expect((await jsm.streams.info(stream)).config).toMatchObject({ subjects: subj, max_age: nanos(SIGNAL_STREAM_MAX_AGE_MS) }); // untouched
  });

  it('keeps a SignalV1 published through the bus client (plain core publish), readable with a JetStream consumer', async () => {
    const kind = `jstest_${UNIQ}`;
    const subject = subjects.signal(kind);
    const jsm = await nc.jetstreamManager();
    let stream: string;
    const capturing = await jsm.streams.find(subject).catch(() => null);
    if (capturing) {
      stream = capturing; // e.g. a SIGNALS stream of a running detection app: overlapping streams are refused
    } else {
      stream = `SIGNALS_TEST_${UNIQ}`;
      created.push(stream);
      expect(await ensureSignalStream(NATS_URL, { stream, subjects: [subject] })).toEqual({ created: true, stream, mismatches: [] });
    }

    const signal: SignalV1 = {
      v: 1,
      id: `sbe1:KXNHLGAME-24MAR26PHINYR-NYR:yes:8300:${UNIQ}`,
      kind,
      legs: [{ marketTicker: 'KXNHLGAME-24MAR26PHINYR-NYR', eventTicker: 'KXNHLGAME-24MAR26PHINYR', side: 'yes', action: 'buy', priceTicks: 8300, sizeCentis: 500 }],
      fairTicks: 8825.66,
      grossEdgeTicks: 525.66,
      netEdgeTicks: 426.66,
      confidence: 0.4,
      reasons: ['test'],
      createdTsMs: 1_700_000_000_000,
      expiresTsMs: 1_700_000_030_000,
      source: { oddsEventId: 'ev', oddsObservedTsMs: 1_699_999_999_000 },
    };
    const client = createBusClient({ kind: 'nats', url: NATS_URL, name: 'jetstream-spec' });
    try {
      await lastValueFrom(client.emit(subject, signal), { defaultValue: undefined });
    } finally {
      await client.close();
    }

    // an ordered (ephemeral) consumer; the filter as one string: nats-server 2.9 has no multi-subject filters
    const consumer = await nc.jetstream().consumers.get(stream, { filterSubjects: subject });
    const msg = await consumer.next({ expires: 5000 });
    expect(msg).not.toBeNull();
    expect(msg!.subject).toBe(subject);
    const body = msg!.json<{ pattern: string; data: unknown }>(); // @nestjs/microservices' NATS packet
    expect(body.pattern).toBe(subject);
    expect(decodeSignalV1(body.data)).toEqual(signal);
  });

  it('names the problem: bad options, an unreachable server', async () => {
    await expect(ensureSignalStream(NATS_URL, { stream: 'a.b' })).rejects.toThrow(/stream name "a.b"/);
    await expect(ensureSignalStream(NATS_URL, { subjects: [] })).rejects.toThrow(/subjects/);
    await expect(ensureSignalStream(NATS_URL, { maxAgeMs: 0 })).rejects.toThrow(/maxAgeMs/);
    await expect(ensureSignalStream('nats://127.0.0.1:1', { connectTimeoutMs: 500 })).rejects.toThrow();
  });
});
