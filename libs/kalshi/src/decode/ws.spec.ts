import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import {
  decodeWsFrame,
  encodeError,
  encodeEventLifecycle,
  encodeFill,
  encodeMarketLifecycle,
  encodeMarketPosition,
  encodeOk,
  encodeOrderbookDelta,
  encodeOrderbookSnapshot,
  encodeSubscribed,
  encodeTicker,
  encodeTrade,
  encodeUnsubscribed,
  encodeUserOrder,
  EncodeError,
  formatWsTimestamp,
  type DecodeResult,
  type FillFrame,
  type Level,
  type OrderbookDeltaFrame,
  type OrderbookSnapshotFrame,
  type TickerFrame,
  type TradeFrame,
  type MarketLifecycleFrame,
  type MarketPositionFrame,
  type UserOrderFrame,
  type WsFrame,
} from '../index';

// repo is /work/main, data is /work/shared/data: five levels up from libs/kalshi/src/decode
const DATA = path.resolve(__dirname, '../../../../../shared/data');
const DEMO = path.join(DATA, 'kalshi-demo-ws-capture-2026-07-01');

function ok<T>(r: DecodeResult<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.kind}: ${r.error.message}`);
  return r.value;
}

function err(r: DecodeResult<unknown>) {
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.value)}`);
  return r.error;
}

function readLines(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
}

describe('demo capture (kalshi-demo-ws-capture-2026-07-01)', () => {
  const lines = readLines(path.join(DEMO, 'ws_session_orderbook_delta_fill.jsonl'));
  const frames = lines.map((l) => ok(decodeWsFrame(l)));

  it('decodes every frame, with the documented counts per type', () => {
    expect(lines).toHaveLength(2898);
    const counts: Record<string, number> = {};
    for (const f of frames) counts[f.type] = (counts[f.type] ?? 0) + 1;
    expect(counts).toEqual({ orderbook_delta: 2885, orderbook_snapshot: 5, ok: 4, subscribed: 2, fill: 2 });
    for (const f of frames) if ('dialect' in f) expect(f.dialect).toBe('fixed_point');
  });

  it('decodes Buffers the same as strings', () => {
    for (const l of lines.slice(0, 50)) expect(decodeWsFrame(Buffer.from(l, 'utf8'))).toEqual(decodeWsFrame(l));
    const l = lines[2];
    const bytes = new Uint8Array(Buffer.from(l));
    expect(decodeWsFrame(bytes)).toEqual(decodeWsFrame(l));
    const b = Buffer.from(l);
    expect(decodeWsFrame([b.subarray(0, 10), b.subarray(10)])).toEqual(decodeWsFrame(l));
  });

  it('gets exact values of the first delta, first snapshot and the fills', () => {
    const delta = frames.find((f): f is OrderbookDeltaFrame => f.type === 'orderbook_delta')!;
    expect(delta).toEqual({
      type: 'orderbook_delta',
      sid: 1,
      seq: 10,
      marketTicker: 'KXNEXTTEAMNBA-26LJAM-CLE',
      marketId: '7552b8d4-05de-4e41-84a8-97b0684da4a9',
      side: 'no',
      priceTicks: 7400,
      deltaCentis: -184,
      tsMs: 1782873105308,
      ts: '2026-07-01T02:31:45.308599Z',
      dialect: 'fixed_point',
    });
    const snap = frames.find((f): f is OrderbookSnapshotFrame => f.type === 'orderbook_snapshot')!;
    expect(snap.marketTicker).toBe('KXNEXTTEAMNBA-26LJAM-MIA');
    expect(snap.seq).toBe(2);
    expect(snap.yes[0]).toEqual([100, 140647486]);
    expect(snap.yes[snap.yes.length - 1]).toEqual([1600, 16874973]);
    expect(snap.no).toHaveLength(7);
    expect(snap.no[6]).toEqual([8300, 2527176]);
    const fills = frames.filter((f): f is FillFrame => f.type === 'fill');
    expect(fills.map((f) => [f.side, f.yesPriceTicks, f.countCentis, f.feeCostMicros, f.postPositionCentis, f.purchasedSide, f.outcomeSide, f.bookSide, f.tsMs])).toEqual([
      ['yes', 1700, 552, 54600, 552, 'yes', 'yes', 'bid', 1782873388379],
      ['no', 1600, 116, 11000, 436, 'no', 'no', 'ask', 1782873396915],
    ]);
    expect(fills[0].seq).toBeUndefined();
    const oks = frames.filter((f) => f.type === 'ok');
    expect(oks[0]).toEqual({ type: 'ok', id: 6, sid: 1, seq: 1, marketTickers: ['KXBTCD-26JUL0317-T60499.99', 'KXNEXTTEAMNBA-26LJAM-MIA'] });
    expect(frames[0]).toEqual({ type: 'subscribed', id: 2, sid: 1, channel: 'orderbook_delta' });
  });

  it('sid 1 seq is contiguous 1..2894 across ok, snapshot and delta frames', () => {
    const seqs = frames.filter((f) => 'sid' in f && f.sid === 1 && 'seq' in f && f.seq !== undefined).map((f) => (f as { seq: number }).seq);
    expect(seqs).toHaveLength(2894);
    expect(seqs).toEqual(Array.from({ length: 2894 }, (_, i) => i + 1));
  });

  it('re-encodes every snapshot and delta byte for byte (and the ok/subscribed/fill frames too)', () => {
    let n = 0;
    for (let i = 0; i < frames.length; i++) {
      const f = frames[i];
      let enc: string;
      switch (f.type) {
        case 'orderbook_snapshot':
          enc = encodeOrderbookSnapshot(f, 'fixed_point');
          break;
        case 'orderbook_delta':
          enc = encodeOrderbookDelta(f, 'fixed_point');
          break;
        case 'ok':
          enc = encodeOk(f);
          break;
        case 'subscribed':
          enc = encodeSubscribed(f);
          break;
        case 'fill':
          enc = encodeFill(f, 'fixed_point');
          break;
        default:
          throw new Error(`unexpected ${f.type}`);
      }
      expect(enc).toBe(lines[i]);
      n++;
    }
    expect(n).toBe(2898);
  });

  it('replaying snapshots + deltas reproduces DERIVED_expected_final_books.json exactly', () => {
    const expected = JSON.parse(fs.readFileSync(path.join(DEMO, 'DERIVED_expected_final_books.json'), 'utf8')) as Record<
      string,
      { last_seq: number; yes_dollars_fp: [string, string][]; no_dollars_fp: [string, string][] }
    >;
    const books = new Map<string, { yes: Map<number, number>; no: Map<number, number>; lastSeq: number }>();
    for (const f of frames) {
      if (f.type === 'orderbook_snapshot') books.set(f.marketTicker, { yes: new Map(f.yes), no: new Map(f.no), lastSeq: f.seq });
      else if (f.type === 'orderbook_delta') {
        const b = books.get(f.marketTicker)!;
        const side = b[f.side];
        const v = (side.get(f.priceTicks) ?? 0) + f.deltaCentis;
        if (v === 0) side.delete(f.priceTicks);
        else side.set(f.priceTicks, v);
        b.lastSeq = f.seq;
      }
    }
    const toFp = (m: Map<number, number>): Level[] => [...m.entries()].sort((a, b) => a[0] - b[0]);
    for (const [ticker, e] of Object.entries(expected)) {
      const b = books.get(ticker)!;
      expect(b.lastSeq).toBe(e.last_seq);
      const want = (lv: [string, string][]) => lv.map(([p, s]) => ok(decodeWsFrame({ type: 'orderbook_snapshot', sid: 0, seq: 0, msg: { market_ticker: 'X', yes_dollars_fp: [[p, s]] } })) as OrderbookSnapshotFrame).map((f) => f.yes[0]);
      expect(toFp(b.yes)).toEqual(want(e.yes_dollars_fp));
      expect(toFp(b.no)).toEqual(want(e.no_dollars_fp));
    }
  });
});

describe('legacy integer-cent ticker file (kalshi-legacy-cents-2025-01)', () => {
  const raw = JSON.parse(fs.readFileSync(path.join(DATA, 'kalshi-legacy-cents-2025-01/ws_ticker_legacy_2025-01-16.json'), 'utf8')) as Record<string, unknown>[];

  it('is a JSON array of 302 ticker frames that all decode as legacy_cents', () => {
    expect(Array.isArray(raw)).toBe(true);
    expect(raw).toHaveLength(302);
    for (const r of raw) {
      const f = ok(decodeWsFrame(JSON.stringify(r))) as TickerFrame;
      expect(f.type).toBe('ticker');
      expect(f.dialect).toBe('legacy_cents');
      const m = r.msg as Record<string, number>;
      expect(f.priceTicks).toBe(m.price * 100);
      expect(f.yesBidTicks).toBe(m.yes_bid * 100);
      expect(f.yesAskTicks).toBe(m.yes_ask * 100);
      expect(f.volumeCentis).toBe(m.volume * 100);
      expect(f.openInterestCentis).toBe(m.open_interest * 100);
      expect(f.tsMs).toBe(m.ts * 1000);
      expect(f.seq).toBeUndefined();
      // the legacy encoder reproduces the (compacted) original frame exactly
      expect(encodeTicker(f, 'legacy_cents')).toBe(JSON.stringify(r));
    }
    const g = ok(decodeWsFrame(raw[0])) as TickerFrame;
    expect(g).toMatchObject({ marketTicker: 'KXGREENLAND-29', priceTicks: 2500, lastPriceTicks: 2500, yesBidTicks: 2400, yesAskTicks: 2500, volumeCentis: 19600, openInterestCentis: 3200, dollarVolume: 98, dollarOpenInterest: 16, tsMs: 1737064763000 });
  });
});

describe('ssmd dual-format ticker/trade frames (2026-02-12)', () => {
  const dir = path.join(DATA, 'ssmd-kalshi-ws-ticker-trade');

  it('decodes all 10 ticker frames from the fixed-point fields, and legacy == fixed point', () => {
    const lines = readLines(path.join(dir, 'kalshi_ticker.jsonl'));
    expect(lines).toHaveLength(10);
    for (const l of lines) {
      const m = JSON.parse(l).msg as Record<string, number>;
      const f = ok(decodeWsFrame(l)) as TickerFrame;
      expect(f.type).toBe('ticker');
      expect(f.dialect).toBe('fixed_point');
      expect(f.priceTicks).toBe(m.price * 100);
      expect(f.yesBidTicks).toBe(m.yes_bid * 100);
      expect(f.yesAskTicks).toBe(m.yes_ask * 100);
      expect(f.volumeCentis).toBe(m.volume * 100);
      expect(f.openInterestCentis).toBe(m.open_interest * 100);
      expect(f.yesBidSizeCentis).toBeGreaterThanOrEqual(0);
      expect(f.tsMs).toBe(m.ts * 1000);
      // the same frame with only its legacy fields decodes to the same numbers
      const legacyOnly = JSON.parse(l);
      for (const k of Object.keys(legacyOnly.msg)) if (k.endsWith('_dollars') || k.endsWith('_fp')) delete legacyOnly.msg[k];
      const lf = ok(decodeWsFrame(legacyOnly)) as TickerFrame;
      expect(lf.dialect).toBe('legacy_cents');
      expect([lf.priceTicks, lf.yesBidTicks, lf.yesAskTicks, lf.volumeCentis, lf.openInterestCentis]).toEqual([f.priceTicks, f.yesBidTicks, f.yesAskTicks, f.volumeCentis, f.openInterestCentis]);
    }
  });

  it('decodes all 10 trade frames, legacy == fixed point and yes + no = $1', () => {
    const lines = readLines(path.join(dir, 'kalshi_trade.jsonl'));
    expect(lines).toHaveLength(10);
    const seqs: number[] = [];
    for (const l of lines) {
      const m = JSON.parse(l).msg as Record<string, number>;
      const f = ok(decodeWsFrame(l)) as TradeFrame;
      expect(f.type).toBe('trade');
      expect(f.dialect).toBe('fixed_point');
      expect(f.yesPriceTicks).toBe(m.yes_price * 100);
      expect(f.noPriceTicks).toBe(m.no_price * 100);
      expect(f.countCentis).toBe(m.count * 100);
      expect(f.yesPriceTicks + f.noPriceTicks).toBe(10_000);
      expect(f.tsMs).toBe(m.ts * 1000);
      seqs.push(f.seq!);
    }
    expect(seqs).toEqual([10, 48, 49, 50, 51, 52, 53, 54, 55, 56]);
  });
});

describe('legacy orderbook dialect', () => {
  const snap = '{"type":"orderbook_snapshot","sid":2,"seq":2,"msg":{"market_ticker":"FED-23DEC-T3.00","yes":[[8,300],[22,333]],"no":[[54,20],[56,146]]}}';
  const delta = '{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"market_ticker":"FED-23DEC-T3.00","price":96,"delta":-54,"side":"yes"}}';

  it('decodes legacy snapshots and deltas and re-encodes them exactly', () => {
    const s = ok(decodeWsFrame(snap)) as OrderbookSnapshotFrame;
    expect(s).toEqual({ type: 'orderbook_snapshot', sid: 2, seq: 2, marketTicker: 'FED-23DEC-T3.00', marketId: undefined, yes: [[800, 30000], [2200, 33300]], no: [[5400, 2000], [5600, 14600]], dialect: 'legacy_cents' });
    expect(encodeOrderbookSnapshot(s, 'legacy_cents')).toBe(snap);
    const d = ok(decodeWsFrame(delta)) as OrderbookDeltaFrame;
    expect(d).toMatchObject({ side: 'yes', priceTicks: 9600, deltaCentis: -5400, dialect: 'legacy_cents' });
    expect(encodeOrderbookDelta(d, 'legacy_cents')).toBe(delta);
    // and the fixed-point rendering of the same book
    expect(encodeOrderbookSnapshot(s, 'fixed_point')).toBe(
      '{"type":"orderbook_snapshot","sid":2,"seq":2,"msg":{"market_ticker":"FED-23DEC-T3.00","yes_dollars_fp":[["0.0800","300.00"],["0.2200","333.00"]],"no_dollars_fp":[["0.5400","20.00"],["0.5600","146.00"]]}}',
    );
  });

  it('prefers fixed-point fields when both dialects are present', () => {
    const both = { type: 'orderbook_delta', sid: 1, seq: 1, msg: { market_ticker: 'X', price: 50, delta: 3, price_dollars: '0.5010', delta_fp: '3.25', side: 'no' } };
    expect(ok(decodeWsFrame(both))).toMatchObject({ priceTicks: 5010, deltaCentis: 325, dialect: 'fixed_point' });
    const snapBoth = { type: 'orderbook_snapshot', sid: 1, seq: 1, msg: { market_ticker: 'X', yes: [[50, 1]], yes_dollars_fp: [['0.5010', '1.50']] } };
    expect(ok(decodeWsFrame(snapBoth))).toMatchObject({ yes: [[5010, 150]], no: [], dialect: 'fixed_point' });
    const transitional = { type: 'orderbook_snapshot', sid: 1, seq: 1, msg: { market_ticker: 'X', yes: [[8, 300]], yes_dollars: [['0.0800', 300]] } };
    expect(ok(decodeWsFrame(transitional))).toMatchObject({ yes: [[800, 30000]], dialect: 'fixed_point' });
  });

  it('legacy encoding refuses sub-cent prices and fractional sizes, naming the value', () => {
    const base = { sid: 1, seq: 1, marketTicker: 'KXCOLONIZEMARS-50', marketId: undefined };
    expect(() => encodeOrderbookSnapshot({ ...base, yes: [[1630, 100]], no: [] }, 'legacy_cents')).toThrow(EncodeError);
    expect(() => encodeOrderbookSnapshot({ ...base, yes: [[1630, 100]], no: [] }, 'legacy_cents')).toThrow(/yes\[0\]\[0\].*1630.*0\.1630.*not a whole cent/);
    expect(() => encodeOrderbookSnapshot({ ...base, yes: [[1600, 552]], no: [] }, 'legacy_cents')).toThrow(/yes\[0\]\[1\].*552.*5\.52.*not a whole contract/);
    expect(() => encodeOrderbookDelta({ ...base, side: 'no', priceTicks: 8305, deltaCentis: 100 }, 'legacy_cents')).toThrow(/priceTicks.*8305/);
    expect(() => encodeOrderbookDelta({ ...base, side: 'no', priceTicks: 8300, deltaCentis: -184 }, 'legacy_cents')).toThrow(/deltaCentis.*-184/);
    expect(() => encodeFill({ sid: 2, tradeId: 't', orderId: 'o', marketTicker: 'M', isTaker: true, side: 'yes', action: 'buy', yesPriceTicks: 1700, countCentis: 552, tsMs: 1 }, 'legacy_cents')).toThrow(/countCentis.*552/);
    // the fixed-point dialect expresses them fine
    expect(encodeOrderbookSnapshot({ ...base, yes: [[1630, 3097]], no: [] }, 'fixed_point')).toBe('{"type":"orderbook_snapshot","sid":1,"seq":1,"msg":{"market_ticker":"KXCOLONIZEMARS-50","yes_dollars_fp":[["0.1630","30.97"]]}}');
  });
});

describe('snapshot with an absent side', () => {
  it('treats a missing side key as an empty ladder and omits it again when encoding', () => {
    const line = '{"type":"orderbook_snapshot","sid":3,"seq":1,"msg":{"market_ticker":"M","market_id":"id","no_dollars_fp":[["0.0500","10.00"]]}}';
    const f = ok(decodeWsFrame(line)) as OrderbookSnapshotFrame;
    expect(f.yes).toEqual([]);
    expect(f.no).toEqual([[500, 1000]]);
    expect(encodeOrderbookSnapshot(f, 'fixed_point')).toBe(line);
    const empty = ok(decodeWsFrame('{"type":"orderbook_snapshot","sid":3,"seq":1,"msg":{"market_ticker":"M"}}')) as OrderbookSnapshotFrame;
    expect([empty.yes, empty.no, empty.dialect]).toEqual([[], [], 'fixed_point']);
  });
});

describe('malformed input → typed errors, never a throw', () => {
  const delta = (msg: Record<string, unknown>, env: Record<string, unknown> = {}) =>
    JSON.stringify({ type: 'orderbook_delta', sid: 1, seq: 5, ...env, msg: { market_ticker: 'M', price_dollars: '0.5000', delta_fp: '1.00', side: 'yes', ...msg } });
  const snapshot = (msg: Record<string, unknown>) => JSON.stringify({ type: 'orderbook_snapshot', sid: 1, seq: 5, msg: { market_ticker: 'M', ...msg } });

  it('bad JSON', () => {
    const e = err(decodeWsFrame('{"type":"orderbook_delta",'));
    expect(e.kind).toBe('malformed_json');
    expect(e.message).toMatch(/not valid JSON/);
    expect(err(decodeWsFrame('')).kind).toBe('malformed_json');
    expect(err(decodeWsFrame(Buffer.from([0xff, 0xfe, 0x00]))).kind).toBe('malformed_json');
  });

  it('JSON that is not an object', () => {
    for (const t of ['[]', '"heartbeat"', '42', 'null', 'true']) expect(err(decodeWsFrame(t)).kind).toBe('not_an_object');
    expect(err(decodeWsFrame(undefined)).kind).toBe('not_an_object');
    expect(err(decodeWsFrame([1, 2])).kind).toBe('not_an_object');
  });

  it('unknown or missing type', () => {
    const e = err(decodeWsFrame('{"type":"rfq_created","sid":1,"msg":{}}'));
    expect(e).toMatchObject({ kind: 'unknown_type', field: 'type', frameType: 'rfq_created' });
    expect(e.message).toContain('"rfq_created"');
    expect(err(decodeWsFrame('{"sid":1}'))).toMatchObject({ kind: 'invalid_field', field: 'type' });
    expect(err(decodeWsFrame('{"type":7}'))).toMatchObject({ kind: 'invalid_field', field: 'type' });
  });

  it('missing fields', () => {
    expect(err(decodeWsFrame(delta({ market_ticker: undefined })))).toMatchObject({ kind: 'invalid_field', field: 'msg.market_ticker', frameType: 'orderbook_delta' });
    expect(err(decodeWsFrame(delta({ side: undefined })))).toMatchObject({ field: 'msg.side' });
    expect(err(decodeWsFrame(delta({ price_dollars: undefined })))).toMatchObject({ field: 'msg.price_dollars' });
    expect(err(decodeWsFrame(delta({ delta_fp: undefined })))).toMatchObject({ field: 'msg.delta_fp' });
    expect(err(decodeWsFrame(delta({}, { seq: undefined })))).toMatchObject({ field: 'seq' });
    expect(err(decodeWsFrame('{"type":"orderbook_delta","sid":1,"seq":1}'))).toMatchObject({ field: 'msg' });
    expect(err(decodeWsFrame('{"type":"fill","sid":2,"msg":{"trade_id":"t","order_id":"o","market_ticker":"M","is_taker":true,"side":"yes","action":"buy","count_fp":"1.00","ts":1}}'))).toMatchObject({
      kind: 'invalid_field',
      field: 'msg.yes_price_dollars',
      frameType: 'fill',
    });
    expect(err(decodeWsFrame('{"type":"ticker","sid":1,"msg":{"market_ticker":"M","price_dollars":"0.1000","yes_bid_dollars":"0.0900","yes_ask_dollars":"0.1100"}}'))).toMatchObject({ field: 'msg.ts_ms' });
  });

  it('wrong types', () => {
    const e = err(decodeWsFrame(delta({}, { sid: '1' })));
    expect(e).toMatchObject({ kind: 'invalid_field', field: 'sid' });
    expect(e.message).toBe('sid: expected a non-negative integer, got "1"');
    expect(err(decodeWsFrame(delta({ price_dollars: 0.5 })))).toMatchObject({ field: 'msg.price_dollars' });
    expect(err(decodeWsFrame(delta({ side: 'YES' })))).toMatchObject({ field: 'msg.side' });
    expect(err(decodeWsFrame(delta({ ts_ms: '1782873105308' })))).toMatchObject({ field: 'msg.ts_ms' });
    expect(err(decodeWsFrame(snapshot({ yes_dollars_fp: 'x' })))).toMatchObject({ field: 'msg.yes_dollars_fp' });
    expect(err(decodeWsFrame(snapshot({ yes_dollars_fp: [['0.5000']] })))).toMatchObject({ field: 'msg.yes_dollars_fp[0]' });
    expect(err(decodeWsFrame('{"type":"ok","id":"6"}'))).toMatchObject({ kind: 'invalid_field', field: 'id', frameType: 'ok' });
  });

  it('a price with 5 decimals', () => {
    const e = err(decodeWsFrame(delta({ price_dollars: '0.12345' })));
    expect(e).toMatchObject({ kind: 'invalid_field', field: 'msg.price_dollars' });
    expect(e.message).toContain('"0.12345"');
    expect(err(decodeWsFrame(snapshot({ no_dollars_fp: [['0.1000', '1.00'], ['0.12345', '1.00']] })))).toMatchObject({ field: 'msg.no_dollars_fp[1][0]' });
    // trailing zeros beyond 4 decimals are exact and accepted
    expect(ok(decodeWsFrame(delta({ price_dollars: '0.123400' })))).toMatchObject({ priceTicks: 1234 });
    // sizes: 3 decimals rejected
    expect(err(decodeWsFrame(delta({ delta_fp: '1.005' })))).toMatchObject({ field: 'msg.delta_fp' });
  });

  it('NaN and other non-numbers as sizes or prices', () => {
    for (const bad of ['NaN', 'nan', 'Infinity', '-', '', '1e3', ' 1.00', '1.00 ', '+1.00', '0x10', '1,00']) {
      expect(err(decodeWsFrame(delta({ delta_fp: bad })))).toMatchObject({ field: 'msg.delta_fp' });
      expect(err(decodeWsFrame(snapshot({ yes_dollars_fp: [['0.5000', bad]] })))).toMatchObject({ field: 'msg.yes_dollars_fp[0][1]' });
    }
    expect(err(decodeWsFrame({ type: 'orderbook_delta', sid: 1, seq: 1, msg: { market_ticker: 'M', price: 50, delta: NaN, side: 'yes' } }))).toMatchObject({ field: 'msg.delta' });
    expect(err(decodeWsFrame({ type: 'orderbook_snapshot', sid: 1, seq: 1, msg: { market_ticker: 'M', yes: [[50, NaN]] } }))).toMatchObject({ field: 'msg.yes[0][1]' });
    expect(err(decodeWsFrame({ type: 'orderbook_delta', sid: NaN, seq: 1, msg: {} })).message).toBe('sid: expected a non-negative integer, got NaN');
  });

  it('out-of-range prices, negative snapshot sizes and unsorted ladders', () => {
    expect(err(decodeWsFrame(delta({ price_dollars: '0.0000' })))).toMatchObject({ field: 'msg.price_dollars' });
    expect(err(decodeWsFrame(delta({ price_dollars: '1.0000' })))).toMatchObject({ field: 'msg.price_dollars' });
    expect(err(decodeWsFrame(delta({ price_dollars: '-0.5000' })))).toMatchObject({ field: 'msg.price_dollars' });
    expect(err(decodeWsFrame(snapshot({ yes_dollars_fp: [['0.5000', '-1.00']] })))).toMatchObject({ field: 'msg.yes_dollars_fp[0][1]' });
    const e = err(decodeWsFrame(snapshot({ yes_dollars_fp: [['0.5000', '1.00'], ['0.4000', '1.00']] })));
    expect(e).toMatchObject({ field: 'msg.yes_dollars_fp[1][0]' });
    expect(e.message).toMatch(/ascending/);
    expect(err(decodeWsFrame(snapshot({ yes: [[50, 1], [50, 2]] })))).toMatchObject({ field: 'msg.yes[1][0]' });
    expect(err(decodeWsFrame(snapshot({ no: [[100, 1]] })))).toMatchObject({ field: 'msg.no[0][0]' });
  });

  it('hostile caller objects do not make it throw', () => {
    const evil = { type: 'ticker', sid: 1, get msg(): never { throw new Error('boom'); } };
    expect(err(decodeWsFrame(evil)).kind).toBe('invalid_field');
    const evilHot = { type: 'orderbook_delta', sid: 1, seq: 1, get msg(): never { throw new Error('boom'); } };
    expect(err(decodeWsFrame(evilHot)).kind).toBe('invalid_field');
    const cyclic: Record<string, unknown> = { type: 'orderbook_delta', sid: 1, seq: 1 };
    cyclic.msg = cyclic;
    expect(err(decodeWsFrame(cyclic)).kind).toBe('invalid_field');
    expect(err(decodeWsFrame({ type: 'orderbook_delta', sid: 10n, seq: 1, msg: {} })).message).toContain('10n');
  });
});

describe('fuzz: decodeWsFrame never throws', () => {
  const capture = readLines(path.join(DEMO, 'ws_session_orderbook_delta_fill.jsonl'));
  const samples = [0, 1, 2, 10, 11, 2890, 2891, 2897].map((i) => capture[i]).concat(readLines(path.join(DATA, 'ssmd-kalshi-ws-ticker-trade/kalshi_trade.jsonl')).slice(0, 2));
  const types = ['orderbook_delta', 'orderbook_snapshot', 'ticker', 'trade', 'fill', 'ok', 'subscribed', 'unsubscribed', 'error', 'list_subscriptions', 'user_order', 'market_position', 'market_lifecycle_v2', 'event_lifecycle', 'order_group_updates', 'x'];
  const check = (input: unknown) => {
    const r = decodeWsFrame(input);
    expect(typeof r.ok).toBe('boolean');
    if (!r.ok) {
      expect(typeof r.error.message).toBe('string');
      expect(['malformed_json', 'not_an_object', 'unknown_type', 'invalid_field']).toContain(r.error.kind);
    }
  };

  it('arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), check), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => check(Buffer.from(s, 'utf8'))), { numRuns: 500 });
  });

  it('arbitrary JSON values and objects', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => (check(v), check(JSON.stringify(v)))), { numRuns: 2000 });
    fc.assert(fc.property(fc.anything(), check), { numRuns: 1000 });
  });

  it('frames of every known type with arbitrary envelopes and msg objects', () => {
    fc.assert(
      fc.property(fc.constantFrom(...types), fc.option(fc.jsonValue()), fc.option(fc.jsonValue()), fc.dictionary(fc.string({ maxLength: 20 }), fc.jsonValue()), (type, sid, seq, msg) => {
        check({ type, sid, seq, msg });
        check(JSON.stringify({ type, sid: sid ?? 1, seq: seq ?? 1, msg }));
      }),
      { numRuns: 2000 },
    );
  });

  it('real frames with one field replaced by an arbitrary value, or truncated', () => {
    fc.assert(
      fc.property(fc.constantFrom(...samples), fc.nat(), fc.jsonValue(), fc.nat(), (line, pick, value, cut) => {
        const o = JSON.parse(line) as { msg: Record<string, unknown> } & Record<string, unknown>;
        const keys = [...Object.keys(o).map((k) => ['top', k]), ...Object.keys(o.msg ?? {}).map((k) => ['msg', k])];
        const [where, key] = keys[pick % keys.length];
        if (where === 'top') o[key] = value;
        else o.msg[key] = value;
        check(o);
        check(JSON.stringify(o));
        check(line.slice(0, cut % (line.length + 1)));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('other frame types (shapes from Kalshi AsyncAPI / docs examples)', () => {
  it('market_lifecycle_v2 and event_lifecycle (docs.kalshi.com examples)', () => {
    const lc = ok(
      decodeWsFrame(
        '{"type":"market_lifecycle_v2","sid":13,"msg":{"market_ticker":"INXD-23SEP14-B4487","event_type":"created","open_ts":1694635200,"close_ts":1694721600,"additional_metadata":{"name":"S&P 500 daily return on Sep 14","title":"S&P 500 closes up by 0.02% or more","yes_sub_title":"S&P 500 closes up 0.02%+","no_sub_title":"S&P 500 closes up <0.02%","rules_primary":"The S&P 500 index level at 4:00 PM ET...","can_close_early":true,"expected_expiration_ts":1694721600,"strike_type":"greater","floor_strike":"4487"}}}',
      ),
    );
    expect(lc).toEqual({
      type: 'market_lifecycle_v2',
      sid: 13,
      marketTicker: 'INXD-23SEP14-B4487',
      eventType: 'created',
      openTs: 1694635200,
      closeTs: 1694721600,
      additionalMetadata: {
        name: 'S&P 500 daily return on Sep 14',
        title: 'S&P 500 closes up by 0.02% or more',
        yesSubTitle: 'S&P 500 closes up 0.02%+',
        noSubTitle: 'S&P 500 closes up <0.02%',
        rulesPrimary: 'The S&P 500 index level at 4:00 PM ET...',
        canCloseEarly: true,
        expectedExpirationTs: 1694721600,
        strikeType: 'greater',
        floorStrike: 4487,
      },
    });
    const det = ok(decodeWsFrame({ type: 'market_lifecycle_v2', sid: 13, msg: { market_ticker: 'M', event_type: 'determined', result: 'yes', determination_ts: 1, settlement_value: '1.0000', price_level_structure: 'deci_cent' } }));
    expect(det).toMatchObject({ result: 'yes', settlementValueTicks: 10000, priceLevelStructure: 'deci_cent' });
    expect(err(decodeWsFrame({ type: 'market_lifecycle_v2', sid: 13, msg: { market_ticker: 'M', event_type: 'x', price_level_structure: 'quarter_cent' } }))).toMatchObject({ field: 'msg.price_level_structure' });
    const ev = ok(decodeWsFrame('{"type":"event_lifecycle","sid":5,"msg":{"event_ticker":"INXD-23SEP14","title":"INX title","sub_title":"INX subtitle","collateral_return_type":"DIRECNET","series_ticker":"INXD","strike_date":1694721600}}'));
    expect(ev).toEqual({ type: 'event_lifecycle', sid: 5, eventTicker: 'INXD-23SEP14', title: 'INX title', subTitle: 'INX subtitle', collateralReturnType: 'DIRECNET', seriesTicker: 'INXD', strikeDate: 1694721600 });
  });

  it('user_order, market_position, order_group_updates', () => {
    const uo = ok(
      decodeWsFrame({
        type: 'user_order',
        sid: 4,
        msg: {
          order_id: 'o1',
          user_id: 'u1',
          ticker: 'M',
          status: 'resting',
          side: 'yes',
          outcome_side: 'yes',
          book_side: 'bid',
          yes_price_dollars: '0.4200',
          fill_count_fp: '1.50',
          remaining_count_fp: '8.50',
          initial_count_fp: '10.00',
          taker_fees_dollars: '0.011000',
          client_order_id: 'c1',
          created_ts_ms: 1782873105308,
          subaccount_number: 0,
        },
      }),
    );
    expect(uo).toEqual({
      type: 'user_order',
      sid: 4,
      orderId: 'o1',
      userId: 'u1',
      ticker: 'M',
      status: 'resting',
      side: 'yes',
      outcomeSide: 'yes',
      bookSide: 'bid',
      yesPriceTicks: 4200,
      fillCountCentis: 150,
      remainingCountCentis: 850,
      initialCountCentis: 1000,
      takerFeesMicros: 11000,
      clientOrderId: 'c1',
      createdTsMs: 1782873105308,
      subaccountNumber: 0,
      dialect: 'fixed_point',
    });
    const mp = ok(decodeWsFrame({ type: 'market_position', sid: 5, msg: { user_id: 'u', market_ticker: 'M', position_fp: '-4.36', position_cost_dollars: '0.697600', realized_pnl_dollars: '0.050000', fees_paid_dollars: '0.065600', position_fee_cost_dollars: '0.011000', volume_fp: '6.68' } }));
    expect(mp).toEqual({ type: 'market_position', sid: 5, userId: 'u', marketTicker: 'M', positionCentis: -436, positionCostMicros: 697600, realizedPnlMicros: 50000, feesPaidMicros: 65600, positionFeeCostMicros: 11000, volumeCentis: 668, dialect: 'fixed_point' });
    const legacyMp = ok(decodeWsFrame({ type: 'market_positions', sid: 5, msg: { market_ticker: 'M', position: 10, position_cost: 500000, realized_pnl: 0, fees_paid: 1000, volume: 15 } }));
    expect(legacyMp).toMatchObject({ type: 'market_position', positionCentis: 1000, positionCostMicros: 50_000_000, feesPaidMicros: 100_000, volumeCentis: 1500, dialect: 'legacy_cents' });
    expect(ok(decodeWsFrame({ type: 'order_group_updates', sid: 9, seq: 3, msg: { event_type: 'triggered', order_group_id: 'g', contracts_limit_fp: '50.00' } }))).toEqual({ type: 'order_group_updates', sid: 9, seq: 3, eventType: 'triggered', orderGroupId: 'g', contractsLimitCentis: 5000 });
  });

  it('list_subscriptions in its three wire forms, error, unsubscribed', () => {
    const subs = [{ sid: 1, channel: 'orderbook_delta', market_tickers: ['A', 'B'] }, { sid: 2, channel: 'fill' }];
    const want = { type: 'list_subscriptions', id: 4, subscriptions: [{ sid: 1, channel: 'orderbook_delta', marketTickers: ['A', 'B'] }, { sid: 2, channel: 'fill' }] };
    expect(ok(decodeWsFrame({ type: 'list_subscriptions', id: 4, msg: { subscriptions: subs } }))).toEqual(want);
    expect(ok(decodeWsFrame({ type: 'list_subscriptions', id: 4, subscriptions: subs }))).toEqual(want);
    expect(ok(decodeWsFrame({ type: 'ok', id: 4, msg: subs }))).toEqual(want);
    expect(err(decodeWsFrame({ type: 'list_subscriptions', id: 4, msg: { subscriptions: [{ channel: 'x' }] } }))).toMatchObject({ field: 'msg.subscriptions[0].sid' });
    expect(ok(decodeWsFrame('{"type":"error","id":123,"msg":{"code":6,"msg":"Already subscribed"}}'))).toEqual({ type: 'error', id: 123, code: 6, msg: 'Already subscribed' });
    expect(ok(decodeWsFrame('{"sid":2,"type":"unsubscribed","seq":7,"id":3}'))).toEqual({ type: 'unsubscribed', id: 3, sid: 2, seq: 7 });
  });

  it('trade frames with the May-2026 direction fields', () => {
    const t = ok(decodeWsFrame({ type: 'trade', sid: 2, seq: 1, msg: { trade_id: 't', market_ticker: 'M', yes_price_dollars: '0.0800', no_price_dollars: '0.9200', count_fp: '9.40', taker_outcome_side: 'no', taker_book_side: 'ask', ts: 1, ts_ms: 1500 } }));
    expect(t).toMatchObject({ takerSide: 'no', takerOutcomeSide: 'no', takerBookSide: 'ask', yesPriceTicks: 800, noPriceTicks: 9200, countCentis: 940, tsMs: 1500 });
    const round = encodeTrade(t as TradeFrame);
    expect(round).toBe('{"type":"trade","sid":2,"seq":1,"msg":{"trade_id":"t","market_ticker":"M","yes_price_dollars":"0.0800","no_price_dollars":"0.9200","count_fp":"9.40","taker_side":"no","taker_outcome_side":"no","taker_book_side":"ask","ts":1,"ts_ms":1500}}');
    expect(ok(decodeWsFrame(round))).toEqual(t);
  });
});

describe('encoders', () => {
  it('control frames', () => {
    expect(encodeSubscribed({ id: 2, sid: 1, channel: 'orderbook_delta' })).toBe('{"type":"subscribed","id":2,"msg":{"channel":"orderbook_delta","sid":1}}');
    expect(encodeOk({ id: 6, sid: 1, seq: 1, marketTickers: ['A'] })).toBe('{"type":"ok","id":6,"sid":1,"seq":1,"msg":{"market_tickers":["A"]}}');
    expect(encodeOk({ id: 6 })).toBe('{"type":"ok","id":6}');
    expect(encodeError({ id: 123, code: 6, msg: 'Already subscribed' })).toBe('{"type":"error","id":123,"msg":{"code":6,"msg":"Already subscribed"}}');
    expect(encodeUnsubscribed({ id: 3, sid: 2, seq: 7 })).toBe('{"type":"unsubscribed","id":3,"sid":2,"seq":7}');
    for (const s of [encodeSubscribed({ sid: 1, channel: 'fill' }), encodeOk({ sid: 1, seq: 9 }), encodeError({ code: 25, msg: 'Subscription buffer overflow', sid: 4 }), encodeUnsubscribed({ sid: 1 })]) {
      const d = ok(decodeWsFrame(s));
      expect(d.type).toBe(JSON.parse(s).type);
    }
  });

  it('derives the delta ts string from tsMs when no verbatim ts is given (Go RFC3339Nano style)', () => {
    const f = { sid: 1, seq: 2, marketTicker: 'M', marketId: undefined, side: 'yes' as const, priceTicks: 4700, deltaCentis: 1000, tsMs: 1782873105300 };
    const s = encodeOrderbookDelta(f, 'fixed_point');
    expect(s).toBe('{"type":"orderbook_delta","sid":1,"seq":2,"msg":{"market_ticker":"M","price_dollars":"0.4700","delta_fp":"10.00","side":"yes","ts":"2026-07-01T02:31:45.3Z","ts_ms":1782873105300}}');
    expect(formatWsTimestamp(1782873105308599)).toBe('2026-07-01T02:31:45.308599Z');
    expect(formatWsTimestamp(1782873105000000)).toBe('2026-07-01T02:31:45Z');
    expect(formatWsTimestamp(1782873105308670)).toBe('2026-07-01T02:31:45.30867Z');
    expect(() => formatWsTimestamp(-1)).toThrow(EncodeError);
  });

  it('round-trips generated snapshots and deltas in both dialects', () => {
    const ladder = (cents: boolean) =>
      fc.uniqueArray(cents ? fc.integer({ min: 1, max: 99 }).map((c) => c * 100) : fc.integer({ min: 1, max: 9999 }), { maxLength: 12 }).chain((prices) =>
        fc.tuple(...prices.sort((a, b) => a - b).map((p) => fc.integer({ min: 0, max: 10_000_000 }).map((s): Level => [p, cents ? s * 100 : s]))),
      );
    for (const dialect of ['fixed_point', 'legacy_cents'] as const) {
      const cents = dialect === 'legacy_cents';
      fc.assert(
        fc.property(fc.nat(), fc.nat(), ladder(cents), ladder(cents), (sid, seq, yes, no) => {
          const f: OrderbookSnapshotFrame = { type: 'orderbook_snapshot', sid, seq, marketTicker: 'KX-"Q"', marketId: 'id', yes, no, dialect };
          const s = encodeOrderbookSnapshot(f, dialect);
          // an empty book carries no dialect marker on the wire: it decodes as the current dialect
          expect(ok(decodeWsFrame(s))).toEqual(yes.length + no.length === 0 ? { ...f, dialect: 'fixed_point' } : f);
        }),
        { numRuns: 200 },
      );
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 99 }), fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.constantFrom('yes' as const, 'no' as const), (c, d, side) => {
          const f: OrderbookDeltaFrame = { type: 'orderbook_delta', sid: 1, seq: 2, marketTicker: 'M', marketId: undefined, side, priceTicks: c * 100 + (cents ? 0 : 7), deltaCentis: cents ? d * 100 : d, tsMs: undefined, ts: undefined, clientOrderId: undefined, subaccount: undefined, dialect };
          expect(ok(decodeWsFrame(encodeOrderbookDelta(f, dialect)))).toEqual(f);
        }),
        { numRuns: 200 },
      );
    }
  });
});

describe('encoders of the private and lifecycle channels (user_order, market_position, market_lifecycle_v2, event_lifecycle)', () => {
  const uo: UserOrderFrame = {
    type: 'user_order',
    sid: 4,
    orderId: 'o1',
    userId: 'u1',
    ticker: 'M',
    status: 'resting',
    side: 'no',
    outcomeSide: 'no',
    bookSide: 'ask',
    yesPriceTicks: 4200,
    fillCountCentis: 150,
    remainingCountCentis: 850,
    initialCountCentis: 1000,
    takerFillCostMicros: 870_000,
    makerFillCostMicros: 0,
    takerFeesMicros: 11_000,
    makerFeesMicros: 0,
    clientOrderId: 'c"1',
    createdTime: '2026-07-01T02:31:45.308Z',
    createdTsMs: 1782873105308,
    lastUpdateTime: '2026-07-01T02:31:46Z',
    lastUpdatedTsMs: 1782873106000,
    dialect: 'fixed_point',
  };

  it('user_order: exact fixed-point text in AsyncAPI key order, and it decodes back to the same frame', () => {
    const text = encodeUserOrder(uo);
    expect(text).toBe(
      '{"type":"user_order","sid":4,"msg":{"order_id":"o1","user_id":"u1","ticker":"M","status":"resting","side":"no","outcome_side":"no","book_side":"ask","yes_price_dollars":"0.4200","fill_count_fp":"1.50","remaining_count_fp":"8.50","initial_count_fp":"10.00","taker_fill_cost_dollars":"0.870000","maker_fill_cost_dollars":"0.000000","taker_fees_dollars":"0.011000","maker_fees_dollars":"0.000000","client_order_id":"c\\"1","created_time":"2026-07-01T02:31:45.308Z","created_ts_ms":1782873105308,"last_update_time":"2026-07-01T02:31:46Z","last_updated_ts_ms":1782873106000}}',
    );
    expect(ok(decodeWsFrame(text))).toEqual(uo);
  });

  it('user_order legacy: integer cents and counts; sub-cent money or fractional counts are refused naming the field', () => {
    const whole: UserOrderFrame = { ...uo, fillCountCentis: 100, remainingCountCentis: 900, takerFillCostMicros: 580_000, takerFeesMicros: 20_000, dialect: 'legacy_cents' };
    const text = encodeUserOrder(whole, 'legacy_cents');
    expect(JSON.parse(text).msg).toMatchObject({ yes_price: 42, fill_count: 1, remaining_count: 9, initial_count: 10, taker_fill_cost: 58, taker_fees: 2 });
    expect(text).not.toMatch(/_dollars|_fp/);
    expect(ok(decodeWsFrame(text))).toEqual(whole);
    expect(() => encodeUserOrder(uo, 'legacy_cents')).toThrow(/fillCountCentis/);
    expect(() => encodeUserOrder({ ...whole, takerFeesMicros: 11_000 }, 'legacy_cents')).toThrow(EncodeError);
  });

  it('market_position: exact text both dialects, round trip, legacy in centi-cents', () => {
    const mp: MarketPositionFrame = { type: 'market_position', sid: 5, userId: 'u', marketTicker: 'M', positionCentis: -436, positionCostMicros: 697_600, realizedPnlMicros: -50_000, feesPaidMicros: 65_600, volumeCentis: 668, dialect: 'fixed_point' };
    const text = encodeMarketPosition(mp);
    expect(text).toBe('{"type":"market_position","sid":5,"msg":{"user_id":"u","market_ticker":"M","position_fp":"-4.36","position_cost_dollars":"0.697600","realized_pnl_dollars":"-0.050000","fees_paid_dollars":"0.065600","volume_fp":"6.68"}}');
    expect(ok(decodeWsFrame(text))).toEqual(mp);
    const whole: MarketPositionFrame = { ...mp, positionCentis: -400, volumeCentis: 600, dialect: 'legacy_cents' };
    const legacy = encodeMarketPosition(whole, 'legacy_cents');
    expect(legacy).toBe('{"type":"market_position","sid":5,"msg":{"user_id":"u","market_ticker":"M","position":-4,"position_cost":6976,"realized_pnl":-500,"fees_paid":656,"volume":6}}');
    expect(ok(decodeWsFrame(legacy))).toEqual(whole);
    expect(() => encodeMarketPosition({ ...whole, feesPaidMicros: 65_601 }, 'legacy_cents')).toThrow(/feesPaidMicros.*centi-cents/);
    expect(() => encodeMarketPosition(mp, 'legacy_cents')).toThrow(/positionCentis/);
  });

  it('market_lifecycle_v2: the docs example re-encodes to an equal frame; determined/settled frames in both dialects', () => {
    const docs =
      '{"type":"market_lifecycle_v2","sid":13,"msg":{"market_ticker":"INXD-23SEP14-B4487","event_type":"created","open_ts":1694635200,"close_ts":1694721600,"additional_metadata":{"name":"S&P 500 daily return on Sep 14","title":"S&P 500 closes up by 0.02% or more","yes_sub_title":"S&P 500 closes up 0.02%+","no_sub_title":"S&P 500 closes up <0.02%","rules_primary":"The S&P 500 index level at 4:00 PM ET...","can_close_early":true,"expected_expiration_ts":1694721600,"strike_type":"greater","floor_strike":"4487"}}}';
    const f = ok(decodeWsFrame(docs)) as MarketLifecycleFrame;
    const again = encodeMarketLifecycle(f);
    expect(again).toBe(docs.replace('"floor_strike":"4487"', '"floor_strike":4487'));
    expect(ok(decodeWsFrame(again))).toEqual(f);
    const det: MarketLifecycleFrame = { type: 'market_lifecycle_v2', sid: 3, marketTicker: 'M', eventType: 'determined', result: 'yes', determinationTs: 1782873105, settlementValueTicks: 10_000 };
    expect(encodeMarketLifecycle(det)).toBe('{"type":"market_lifecycle_v2","sid":3,"msg":{"market_ticker":"M","event_type":"determined","result":"yes","determination_ts":1782873105,"settlement_value":"1.0000"}}');
    expect(encodeMarketLifecycle(det, 'legacy_cents')).toBe('{"type":"market_lifecycle_v2","sid":3,"msg":{"market_ticker":"M","event_type":"determined","result":"yes","determination_ts":1782873105,"settlement_value":100}}');
    expect(ok(decodeWsFrame(encodeMarketLifecycle(det)))).toEqual(det);
    expect(ok(decodeWsFrame(encodeMarketLifecycle(det, 'legacy_cents')))).toEqual(det);
    const settled: MarketLifecycleFrame = { type: 'market_lifecycle_v2', sid: 3, marketTicker: 'M', eventType: 'settled', settledTs: 1782873200 };
    expect(ok(decodeWsFrame(encodeMarketLifecycle(settled)))).toEqual(settled);
    expect(() => encodeMarketLifecycle({ ...det, settlementValueTicks: 5050 }, 'legacy_cents')).toThrow(EncodeError);
  });

  it('event_lifecycle: the docs example re-encodes byte for byte', () => {
    const docs = '{"type":"event_lifecycle","sid":5,"msg":{"event_ticker":"INXD-23SEP14","title":"INX title","sub_title":"INX subtitle","collateral_return_type":"DIRECNET","series_ticker":"INXD","strike_date":1694721600}}';
    const f = ok(decodeWsFrame(docs));
    expect(f.type).toBe('event_lifecycle');
    if (f.type === 'event_lifecycle') expect(encodeEventLifecycle(f)).toBe(docs);
  });
});

// Type-level check: the WsFrame union is discriminated by `type`.
export function assertNever(f: WsFrame): string {
  switch (f.type) {
    case 'orderbook_delta':
      return f.side;
    default:
      return f.type;
  }
}
