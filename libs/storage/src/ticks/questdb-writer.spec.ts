import fc from 'fast-check';
import { createBuffer, Sender, SenderOptions, type SenderBuffer } from '@questdb/nodejs-client';
import { appendTickRow, appendTickRowToBuffer, encodeTickRows, IlpEncodeError, tickRowIlp } from './ilp-rows';
import { QuestDbTickWriter, type QuestDbTickWriterOptions } from './questdb-writer';
import type { OrderbookDeltaRow, TickRow, TickTimestamp } from './tick-rows';
import { FakeQuestDb } from './fake-questdb';

const T0 = 1_700_000_000_123; // epoch ms

function delta(i: number, ts: number | bigint = T0 + i): OrderbookDeltaRow {
  return {
    table: 'kalshi_orderbook_deltas',
    marketTicker: 'KXBTC-25DEC31-T100000',
    side: i % 2 === 0 ? 'yes' : 'no',
    priceTicks: 5600,
    deltaCentis: -1250,
    seq: i,
    sid: 7,
    ts,
  };
}

/** Unique key of an orderbook-delta line (its seq). */
const seqOf = (line: string): number => Number(/seq=(\d+)i/.exec(line)?.[1]);

function countBySeq(lines: string[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const l of lines) m.set(seqOf(l), (m.get(seqOf(l)) ?? 0) + 1);
  return m;
}

async function waitFor(pred: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('waitFor timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('QuestDbTickWriter (ILP over HTTP)', () => {
  let db: FakeQuestDb;
  const writers: QuestDbTickWriter[] = [];
  const mk = (o: Partial<QuestDbTickWriterOptions> = {}): QuestDbTickWriter => {
    const w = new QuestDbTickWriter({
      addr: `127.0.0.1:${db.port}`,
      flushIntervalMs: 0,
      initialBackoffMs: 10,
      maxBackoffMs: 40,
      requestTimeoutMs: 2000,
      ...o,
    });
    writers.push(w);
    return w;
  };

  beforeEach(async () => {
    db = new FakeQuestDb();
    await db.start();
  });
  afterEach(async () => {
    await Promise.all(writers.splice(0).map((w) => w.close(200)));
    await db.stop();
  });

  it('writes exact ILP lines for every table (symbols first, i suffix for LONG, ns designated ts)', async () => {
    const w = mk();
    const rows: TickRow[] = [
      { table: 'kalshi_orderbook_snapshots', marketTicker: 'KXBTC-25DEC31-T100000', side: 'no', priceTicks: 4300, sizeCentis: 757_575, seq: 41, sid: 7, ts: T0 },
      delta(42, T0),
      {
        table: 'kalshi_trades',
        tradeId: 'd91bc706-ee49-470d-82d8-11418bda6fed',
        marketTicker: 'KXBTC-25DEC31-T100000',
        yesPriceTicks: 4400,
        countCentis: 300,
        takerSide: 'no',
        ts: 1_700_000_000_123_456_789n,
      },
      {
        table: 'kalshi_bbo',
        marketTicker: 'KXBTC-25DEC31-T100000',
        yesBidTicks: 5500,
        yesBidSizeCentis: 10_000,
        yesAskTicks: null,
        yesAskSizeCentis: null,
        ts: T0,
      },
      {
        table: 'kalshi_ticker',
        marketTicker: 'KXBTC-25DEC31-T100000',
        yesBidTicks: 5500,
        yesAskTicks: 5700,
        lastPriceTicks: 5600,
        volumeCentis: 123_456_700,
        openInterestCentis: 9_007_199_254_740_991,
        ts: T0,
      },
      {
        table: 'arb_opportunities',
        kind: 'basket_yes',
        episodeKey: 'basket_yes:KXBTC-25DEC31',
        eventTicker: 'KXBTC-25DEC31',
        change: 'opened',
        legs: '[{"market_ticker":"KXBTC-25DEC31-T100000","side":"yes","action":"buy","price_ticks":4300},{"market_ticker":"KXBTC-25DEC31-T110000","side":"yes","action":"buy","price_ticks":5400}]',
        maxGrossEdgeTicks: 300,
        maxNetEdgeTicks: 125,
        openedTs: 1_700_000_000_123,
        ts: T0,
      },
      {
        table: 'trade_signals',
        signalId: 'sbe1:KXNHLGAME-24MAR26PHINYR-NYR:yes:8300:1700000000000',
        kind: 'sportsbook_edge',
        leg: 0,
        marketTicker: 'KXNHLGAME-24MAR26PHINYR-NYR',
        eventTicker: 'KXNHLGAME-24MAR26PHINYR',
        side: 'yes',
        action: 'buy',
        priceTicks: 8300,
        sizeCentis: 12_300,
        fairTicks: 8825.66,
        grossEdgeTicks: 525.66,
        netEdgeTicks: 426.66,
        confidence: 0.25,
        expiresTs: 1_700_000_030_123,
        reasons: '["net edge 0.0427"]',
        source: null,
        ts: T0,
      },
      {
        table: 'trade_signals',
        signalId: 'arb1:basket_yes|KXBTC-25DEC31|a:1700000000123',
        kind: 'basket_yes',
        leg: 1,
        marketTicker: 'KXBTC-25DEC31-T110000',
        eventTicker: 'KXBTC-25DEC31',
        side: 'yes',
        action: 'buy',
        priceTicks: 5400,
        sizeCentis: 100,
        fairTicks: null,
        grossEdgeTicks: 300,
        netEdgeTicks: 125,
        confidence: 1,
        expiresTs: 1_700_000_005_123,
        reasons: '[]',
        source: '{"episodeKey":"a"}',
        ts: T0,
      },
    ];
    for (const r of rows) expect(w.write(r)).toBe(true);
    await w.flush();
    expect(db.urls).toEqual(['POST /write?precision=n']);
    expect(db.batches).toEqual([
      [
        'kalshi_orderbook_snapshots,market_ticker=KXBTC-25DEC31-T100000,side=no price_ticks=4300i,size_centis=757575i,seq=41i,sid=7i 1700000000123000000',
        'kalshi_orderbook_deltas,market_ticker=KXBTC-25DEC31-T100000,side=yes price_ticks=5600i,delta_centis=-1250i,seq=42i,sid=7i 1700000000123000000',
        'kalshi_trades,market_ticker=KXBTC-25DEC31-T100000,taker_side=no trade_id="d91bc706-ee49-470d-82d8-11418bda6fed",yes_price_ticks=4400i,count_centis=300i 1700000000123456789',
        'kalshi_bbo,market_ticker=KXBTC-25DEC31-T100000 yes_bid_ticks=5500i,yes_bid_size_centis=10000i 1700000000123000000',
        'kalshi_ticker,market_ticker=KXBTC-25DEC31-T100000 yes_bid_ticks=5500i,yes_ask_ticks=5700i,last_price_ticks=5600i,volume_centis=123456700i,open_interest_centis=9007199254740991i 1700000000123000000',
        'arb_opportunities,kind=basket_yes,episode_key=basket_yes:KXBTC-25DEC31,event_ticker=KXBTC-25DEC31,change=opened ' +
          'legs="[{\\"market_ticker\\":\\"KXBTC-25DEC31-T100000\\",\\"side\\":\\"yes\\",\\"action\\":\\"buy\\",\\"price_ticks\\":4300},{\\"market_ticker\\":\\"KXBTC-25DEC31-T110000\\",\\"side\\":\\"yes\\",\\"action\\":\\"buy\\",\\"price_ticks\\":5400}]",max_gross_edge_ticks=300i,max_net_edge_ticks=125i,opened_ts=1700000000123000t 1700000000123000000',
        'trade_signals,signal_id=sbe1:KXNHLGAME-24MAR26PHINYR-NYR:yes:8300:1700000000000,kind=sportsbook_edge,market_ticker=KXNHLGAME-24MAR26PHINYR-NYR,' +
          'event_ticker=KXNHLGAME-24MAR26PHINYR,side=yes,action=buy leg=0i,price_ticks=8300i,size_centis=12300i,fair_ticks=8825.66,gross_edge_ticks=525.66,' +
          'net_edge_ticks=426.66,confidence=0.25,expires_ts=1700000030123000t,reasons="[\\"net edge 0.0427\\"]" 1700000000123000000',
        'trade_signals,signal_id=arb1:basket_yes|KXBTC-25DEC31|a:1700000000123,kind=basket_yes,market_ticker=KXBTC-25DEC31-T110000,event_ticker=KXBTC-25DEC31,' +
          'side=yes,action=buy leg=1i,price_ticks=5400i,size_centis=100i,gross_edge_ticks=300,net_edge_ticks=125,confidence=1,expires_ts=1700000005123000t,' +
          'reasons="[]",source="{\\"episodeKey\\":\\"a\\"}" 1700000000123000000',
      ],
    ]);
    expect(w.stats).toMatchObject({ rowsWritten: 8, flushes: 1, retries: 0, droppedRows: 0, buffered: 0, lastError: null });
  });

  it('refuses rows that cannot be stored exactly (non-integer money, bad ts) and counts them', async () => {
    const w = mk();
    expect(w.write({ ...delta(1), priceTicks: 56.5 })).toBe(false);
    expect(w.write({ ...delta(2), ts: 1.5 })).toBe(false);
    expect(w.write({ ...delta(3), marketTicker: '' })).toBe(false);
    await w.flush();
    expect(db.requests).toBe(0);
    expect(w.stats.invalidRows).toBe(3);
    expect(w.stats.lastError).toMatch(/market_ticker/);
    const sig: TickRow = {
      table: 'trade_signals',
      signalId: 's',
      kind: 'k',
      leg: 0,
      marketTicker: 'M',
      eventTicker: 'E',
      side: 'yes',
      action: 'buy',
      priceTicks: 5000,
      sizeCentis: 100,
      fairTicks: null,
      grossEdgeTicks: 1,
      netEdgeTicks: 1,
      confidence: 1,
      expiresTs: 1,
      reasons: '[]',
      source: null,
      ts: 0,
    };
    expect(w.write({ ...sig, netEdgeTicks: Number.NaN })).toBe(false);
    expect(w.stats.lastError).toMatch(/trade_signals\.net_edge_ticks must be a finite number/);
    expect(w.write({ ...sig, fairTicks: Number.POSITIVE_INFINITY })).toBe(false);
    expect(w.write({ ...sig, leg: -1 })).toBe(false);
    expect(w.write({ ...sig, priceTicks: 50.5 })).toBe(false);
    expect(w.write({ ...sig, signalId: '' })).toBe(false);
    expect(w.stats.invalidRows).toBe(8);
  });

  it('a row the encoder refuses (null LONG passes validation) is dropped alone and counted as rejected', async () => {
    const w = mk();
    expect(w.write(delta(1))).toBe(true);
    expect(w.write({ ...delta(2), priceTicks: null as unknown as number })).toBe(true);
    expect(w.write(delta(3))).toBe(true);
    await w.flush();
    expect(db.lines.map(seqOf)).toEqual([1, 3]);
    expect(w.stats).toMatchObject({ rowsWritten: 2, rejectedRows: 1, buffered: 0 });
    expect(w.stats.lastError).toMatch(/serialise kalshi_orderbook_deltas: Value must be an integer/);
  });

  it('batches: 250 rows with batchRows=100 -> 3 POSTs (100, 100, 50), in order', async () => {
    const w = mk({ batchRows: 100 });
    for (let i = 0; i < 250; i++) w.write(delta(i));
    await w.flush();
    expect(db.batches.map((b) => b.length)).toEqual([100, 100, 50]);
    expect(db.lines.map(seqOf)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(w.stats).toMatchObject({ rowsWritten: 250, flushes: 3 });
  });

  it('flushes in the background by row count and by interval, write() stays synchronous', async () => {
    const w = mk({ batchRows: 10 });
    for (let i = 0; i < 10; i++) w.write(delta(i));
    expect(db.requests).toBe(0); // nothing sent inside write()
    await waitFor(() => db.lines.length === 10);
    expect(db.batches.length).toBe(1);

    const w2 = mk({ batchRows: 1000, flushIntervalMs: 20 });
    for (let i = 100; i < 105; i++) w2.write(delta(i));
    await waitFor(() => db.lines.length === 15);
    expect(db.batches.length).toBe(2);
    // the server records the lines before the client has read its 204: wait for the acknowledgement too
    await waitFor(() => w2.stats.flushes === 1);
    expect(w2.stats.rowsWritten).toBe(5);
  });

  it('retries 5xx with backoff, keeping the rows: every row arrives exactly once', async () => {
    db.script = [503, 500];
    const errors: boolean[] = [];
    const w = mk({ batchRows: 50, onError: (_e, info) => errors.push(info.transient) });
    for (let i = 0; i < 120; i++) w.write(delta(i));
    await w.flush();
    const counts = countBySeq(db.lines);
    expect(counts.size).toBe(120);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    expect(errors).toEqual([true, true]);
    expect(w.stats).toMatchObject({ rowsWritten: 120, retries: 2, flushes: 3, rejectedRows: 0 });
    expect(w.stats.lastError).toMatch(/statusCode=500/);
  });

  it('survives the server being down (connection refused) and coming back: nothing lost, no duplicates', async () => {
    const port = db.port;
    await db.stop();
    const w = mk({ batchRows: 40 });
    for (let i = 0; i < 100; i++) expect(w.write(delta(i))).toBe(true); // synchronous: the hot path never waits for the network
    expect(w.stats.buffered).toBe(100);
    const flushed = w.flush();
    await waitFor(() => w.stats.retries >= 2);
    expect(w.stats.lastError).toMatch(/ECONNREFUSED|connect/);
    expect(w.stats.buffered).toBe(100);
    await db.start(port);
    await flushed;
    const counts = countBySeq(db.lines);
    expect(counts.size).toBe(100);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    expect(w.stats).toMatchObject({ rowsWritten: 100, buffered: 0, droppedRows: 0 });
  });

  it('a non-retryable 4xx (bad line) rejects that batch only, counted and reported', async () => {
    db.script = [400];
    const w = mk({ batchRows: 10 });
    for (let i = 0; i < 25; i++) w.write(delta(i));
    await w.flush();
    expect(db.requests).toBe(3);
    expect(db.lines.map(seqOf)).toEqual(Array.from({ length: 15 }, (_, i) => i + 10));
    expect(w.stats).toMatchObject({ rowsWritten: 15, rejectedRows: 10, retries: 0 });
    expect(w.stats.lastError).toMatch(/statusCode=400/);
  });

  it('buffer overflow drops the NEWEST rows and counts them', async () => {
    const w = mk({ capacity: 5, batchRows: 100 });
    const accepted = Array.from({ length: 8 }, (_, i) => w.write(delta(i)));
    expect(accepted).toEqual([true, true, true, true, true, false, false, false]);
    expect(w.stats).toMatchObject({ droppedRows: 3, buffered: 5 });
    expect(w.stats.lastError).toMatch(/buffer full/);
    await w.flush();
    expect(db.lines.map(seqOf)).toEqual([0, 1, 2, 3, 4]);
    expect(w.write(delta(9))).toBe(true); // space again after the drain
  });

  it('close() drains buffered rows, then refuses writes', async () => {
    const w = mk({ batchRows: 1000, flushIntervalMs: 60_000 });
    for (let i = 0; i < 30; i++) w.write(delta(i));
    await w.close();
    expect(countBySeq(db.lines).size).toBe(30);
    expect(w.write(delta(99))).toBe(false);
    expect(w.stats).toMatchObject({ rowsWritten: 30, droppedRows: 1, abandonedRows: 0 });
  });

  it('close() with the server down gives up after the drain timeout and reports abandoned rows', async () => {
    await db.stop();
    const w = mk();
    for (let i = 0; i < 7; i++) w.write(delta(i));
    await w.close(100);
    expect(w.stats).toMatchObject({ rowsWritten: 0, abandonedRows: 7, buffered: 0 });
    expect(w.stats.lastError).toMatch(/7 rows not written/);
    await db.start(); // for afterEach
  });
});

describe('encodeTickRows (our ILP encoder) = the official Sender, byte for byte', () => {
  let official: SenderBuffer;
  beforeAll(async () => {
    official = createBuffer(await SenderOptions.fromConfig('http::addr=127.0.0.1:9;protocol_version=1;'));
  });

  /** The request body the official client builds for these rows (protocol v1). */
  function officialBytes(rows: readonly TickRow[]): Buffer {
    official.reset();
    for (const r of rows) appendTickRowToBuffer(official, r);
    return official.toBufferNew() ?? Buffer.alloc(0);
  }

  // Characters ILP escapes (in symbols, in strings, in both), multi-byte UTF-8, astral and lone surrogates.
  const special = fc.constantFrom(' ', ',', '=', '\n', '\r', '\\', '"', '\t', "'", 'a', 'Z', '0', '-', '.', 'é', '€', '\u{1F600}', '\uD800', '\uDC00');
  const text = fc.oneof(
    fc.string({ unit: special, minLength: 1, maxLength: 12 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
    fc.constantFrom('KXBTC-25DEC31-T100000', 'yes', 'no', 'd91bc706-ee49-470d-82d8-11418bda6fed'),
  );
  const long = fc.oneof(fc.maxSafeInteger(), fc.integer({ min: -10_000, max: 10_000 }), fc.constantFrom(0, -0, 2 ** 60, -(2 ** 60)));
  const optLong = fc.option(long, { nil: null });
  // every double, NaN, ±Infinity and -0 included, and the shapes edges take (a few decimals, integers)
  const dbl = fc.oneof(fc.double(), fc.constantFrom(426.66, 0.1 + 0.2, 1e21, 1e-7, -0, 5), fc.integer({ min: -10_000, max: 10_000 }).map((n) => n / 100));
  const ms = fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.maxSafeInteger(), fc.constantFrom(0, -0, 2 ** 53, 1e21));
  const ts: fc.Arbitrary<TickTimestamp> = fc.oneof(ms, fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }));
  const side = text as fc.Arbitrary<'yes' | 'no'>;

  const row: fc.Arbitrary<TickRow> = fc.oneof(
    fc.record({ table: fc.constant('kalshi_orderbook_snapshots' as const), marketTicker: text, side, priceTicks: long, sizeCentis: long, seq: long, sid: long, ts }),
    fc.record({ table: fc.constant('kalshi_orderbook_deltas' as const), marketTicker: text, side, priceTicks: long, deltaCentis: long, seq: long, sid: long, ts }),
    fc.record({ table: fc.constant('kalshi_trades' as const), tradeId: text, marketTicker: text, yesPriceTicks: long, countCentis: long, takerSide: side, ts }),
    fc.record({ table: fc.constant('kalshi_bbo' as const), marketTicker: text, yesBidTicks: optLong, yesBidSizeCentis: optLong, yesAskTicks: optLong, yesAskSizeCentis: optLong, ts }),
    fc.record({
      table: fc.constant('kalshi_ticker' as const),
      marketTicker: text,
      yesBidTicks: optLong,
      yesAskTicks: optLong,
      lastPriceTicks: optLong,
      volumeCentis: optLong,
      openInterestCentis: optLong,
      ts,
    }),
    fc.record({
      table: fc.constant('kalshi_markets' as const),
      marketTicker: text,
      eventTicker: text,
      seriesTicker: fc.option(text, { nil: null }),
      status: text,
      title: fc.oneof(text, fc.constant('')),
      closeTs: fc.option(ms, { nil: null }),
      ts,
    }),
    fc.record({
      table: fc.constant('sportsbook_odds' as const),
      eventId: text,
      sportKey: text,
      bookmaker: text,
      market: text,
      outcome: text,
      priceAmerican: long,
      commenceTs: ms,
      ts,
    }),
    fc.record({
      table: fc.constant('arb_opportunities' as const),
      kind: text,
      episodeKey: text,
      eventTicker: text,
      change: fc.constantFrom('opened' as const, 'updated' as const, 'closed' as const),
      legs: fc.oneof(text, fc.constant('')),
      maxGrossEdgeTicks: long,
      maxNetEdgeTicks: long,
      openedTs: ms,
      ts,
    }),
    fc.record({
      table: fc.constant('trade_signals' as const),
      signalId: text,
      kind: text,
      leg: long,
      marketTicker: text,
      eventTicker: text,
      side,
      action: text as fc.Arbitrary<'buy' | 'sell'>,
      priceTicks: long,
      sizeCentis: long,
      fairTicks: fc.option(dbl, { nil: null }),
      grossEdgeTicks: dbl,
      netEdgeTicks: dbl,
      confidence: dbl,
      expiresTs: ms,
      reasons: fc.oneof(text, fc.constant('')),
      source: fc.option(fc.oneof(text, fc.constant('')), { nil: null }),
      ts,
    }),
  );

  it('property: every table, NULLs, escaping, multi-byte text, ms/ns timestamps (batches of 0..40 rows)', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 40 }), (rows) => {
        const ours = encodeTickRows(rows);
        const ref = officialBytes(rows);
        if (!ours.equals(ref)) {
          throw new Error(`bytes differ:\nours: ${JSON.stringify(ours.toString('utf8'))}\nref:  ${JSON.stringify(ref.toString('utf8'))}`);
        }
        return true;
      }),
      { numRuns: 3_000 },
    );
  });

  it('escapes exactly like the official client (examples)', () => {
    const r: TickRow = {
      table: 'kalshi_markets',
      marketTicker: 'A B,C=D\\E"F\nG\rH',
      eventTicker: 'EV',
      seriesTicker: null,
      status: 'open',
      title: 'say "hi", a=b \\ c\nd',
      closeTs: 1_700_000_000_000,
      ts: 0,
    };
    const line = 'kalshi_markets,market_ticker=A\\ B\\,C\\=D\\\\E"F\\\nG\\\rH,event_ticker=EV,status=open title="say \\"hi\\", a=b \\\\ c\\\nd",close_ts=1700000000000000t 0\n';
    expect(tickRowIlp(r)).toBe(line);
    expect(encodeTickRows([r]).equals(officialBytes([r]))).toBe(true);
  });

  it('matches the official Sender (await at) too, and grows past its scratch buffer', async () => {
    const sender = await Sender.fromConfig('http::addr=127.0.0.1:9;protocol_version=1;auto_flush=off;stdlib_http=on;', { log: () => undefined });
    const rows = fc.sample(row, { numRuns: 3_000, seed: 42 });
    rows.push({ ...delta(1), marketTicker: 'M'.repeat(400_000) }); // > 256 KiB scratch
    for (const r of rows) await appendTickRow(sender, r);
    const viaSender = (sender as unknown as { buffer: SenderBuffer }).buffer.toBufferNew();
    expect(encodeTickRows(rows).equals(viaSender as Buffer)).toBe(true);
    sender.reset();
    await sender.close();
  });

  it('refuses what the official client refuses, naming the row (IlpEncodeError.index)', () => {
    const bad: TickRow[] = [delta(0), { ...delta(1), deltaCentis: 1.5 }];
    expect(() => officialBytes(bad)).toThrow('Value must be an integer, received 1.5');
    let err: unknown;
    try {
      encodeTickRows(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(IlpEncodeError);
    expect(err).toMatchObject({ index: 1, message: 'Value must be an integer, received 1.5' });
    expect(() => tickRowIlp({ ...delta(2), ts: 1.5 })).toThrow(/Designated timestamp must be an integer/);
    expect(() => officialBytes([{ ...delta(2), ts: 1.5 }])).toThrow(/Designated timestamp must be an integer/);
  });
});
