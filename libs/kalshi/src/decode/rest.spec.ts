import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import {
  decodeBalance,
  decodeEvent,
  decodeEventsList,
  decodeFills,
  decodeMarket,
  decodeMarketsList,
  decodeOrderbook,
  decodeOrders,
  decodePositions,
  decodeRestBody,
  decodeTrades,
  decodeWsFrame,
  dollarsMicrosOrNaN,
  priceTicksOrNaN,
  REST_DECODERS,
  sizeCentisOrNaN,
  type DecodeResult,
  type Market,
  type OrderbookSnapshotFrame,
  type RestEndpointName,
} from '../index';

// repo is /work/main, data is /work/shared/data: five levels up from libs/kalshi/src/decode
const DATA = path.resolve(__dirname, '../../../../../shared/data');
const GOLDEN = path.join(DATA, 'kalshi-starter-golden-rest');
const CCXT = path.join(DATA, 'ccxt-kalshi-static-responses-2026-06');
const DEMO = path.join(DATA, 'kalshi-demo-ws-capture-2026-07-01');

type Json = Record<string, unknown>;

function ok<T>(r: DecodeResult<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.kind}: ${r.error.message}`);
  return r.value;
}

function readJson(file: string): Json {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
}

function golden(name: string): Json {
  return readJson(path.join(GOLDEN, `${name}_response.json`)).response as Json;
}

/** Every REST body in shared/data with the endpoint name it belongs to. */
function allBodies(): { source: string; endpoint: string; body: unknown }[] {
  const out: { source: string; endpoint: string; body: unknown }[] = [];
  for (const f of fs.readdirSync(GOLDEN).filter((n) => n.endsWith('.json')).sort()) {
    const j = readJson(path.join(GOLDEN, f));
    const endpoint = (j._metadata as Json).endpoint as string;
    if (endpoint === '_recording_summary') continue; // the recorder's own summary, not a Kalshi body
    out.push({ source: `golden/${f}`, endpoint, body: j.response });
  }
  const ccxt: Record<string, string> = {
    'get_market_KXELONMARS-99.json': 'market_single',
    'get_markets_tickers_KXELONMARS-99_KXCOLONIZEMARS-50.json': 'markets_list',
    'get_market_orderbook_KXELONMARS-99.json': 'orderbook',
    'get_trades_KXELONMARS-99_limit3.json': 'trades_list',
    'get_market_candlesticks_KXELONMARS-99_1h.json': 'market_candlesticks',
  };
  for (const [f, endpoint] of Object.entries(ccxt)) out.push({ source: `ccxt/${f}`, endpoint, body: readJson(path.join(CCXT, f)) });
  out.push({ source: 'legacy/rest_get_events_legacy_2025-01.json', endpoint: 'events_list', body: readJson(path.join(DATA, 'kalshi-legacy-cents-2025-01/rest_get_events_legacy_2025-01.json')) });
  for (const line of fs.readFileSync(path.join(DEMO, 'rest_calls.jsonl'), 'utf8').split('\n').filter((l) => l.trim())) {
    const call = JSON.parse(line) as { url: string; response_body: string };
    const endpoint = call.url.endsWith('/orderbook') ? 'orderbook' : call.url.endsWith('/portfolio/positions') ? 'portfolio_positions' : 'unknown';
    out.push({ source: `demo/${call.url}`, endpoint, body: JSON.parse(call.response_body) });
  }
  return out;
}

describe('every REST body in shared/data decodes', () => {
  const bodies = allBodies();

  it('covers all fixture files (50 golden + 5 ccxt + 1 legacy + 6 demo calls)', () => {
    expect(bodies).toHaveLength(62);
    expect(new Set(bodies.map((b) => b.endpoint)).size).toBeGreaterThanOrEqual(50);
  });

  it.each(bodies.map((b) => [b.source, b.endpoint, b.body] as const))('%s (%s)', (_source, endpoint, body) => {
    const r = decodeRestBody(endpoint, body);
    if (!r.ok) throw new Error(`${endpoint}: ${r.error.message}`);
  });

  it('the dispatcher knows every golden endpoint name and rejects unknown names', () => {
    for (const b of bodies) expect(Object.keys(REST_DECODERS)).toContain(b.endpoint);
    const r = decodeRestBody('no_such_endpoint', {});
    expect(r).toMatchObject({ ok: false, error: { kind: 'unknown_type' } });
  });
});

/**
 * Walks a raw body and yields every (legacy, fixed-point) sibling pair: `x` + `x_dollars`/`x_fixed` (cents vs dollars)
 * and `x` + `x_fp` (count vs count).
 */
function dualPairs(v: unknown, p = ''): { path: string; legacy: number; fixed: string; kind: 'cents' | 'count' }[] {
  const out: { path: string; legacy: number; fixed: string; kind: 'cents' | 'count' }[] = [];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...dualPairs(x, `${p}[${i}]`)));
  else if (v && typeof v === 'object') {
    const o = v as Json;
    for (const [k, x] of Object.entries(o)) {
      for (const suf of ['_dollars', '_fixed']) {
        const base = k.slice(0, -suf.length);
        if (k.endsWith(suf) && typeof o[base] === 'number' && typeof x === 'string') out.push({ path: `${p}.${base}`, legacy: o[base] as number, fixed: x, kind: 'cents' });
      }
      if (k.endsWith('_fp') && typeof o[k.slice(0, -3)] === 'number' && typeof x === 'string') out.push({ path: `${p}.${k.slice(0, -3)}`, legacy: o[k.slice(0, -3)] as number, fixed: x, kind: 'count' });
      out.push(...dualPairs(x, `${p}.${k}`));
    }
  }
  return out;
}

describe('legacy and fixed-point fields agree where both are present', () => {
  it('golden REST bodies: every cents/dollars and count/fp pair agrees, except candle price.mean (legacy = floor)', () => {
    let pairs = 0;
    let means = 0;
    for (const f of fs.readdirSync(GOLDEN).filter((n) => n.endsWith('.json'))) {
      for (const pr of dualPairs(readJson(path.join(GOLDEN, f)).response)) {
        pairs++;
        if (pr.kind === 'count') {
          expect([pr.path, sizeCentisOrNaN(pr.fixed)]).toEqual([pr.path, pr.legacy * 100]);
          continue;
        }
        // amounts may exceed $1 (liquidity, fees): compare in micro-dollars, exactly
        const micros = dollarsMicrosOrNaN(pr.fixed);
        if (pr.path.endsWith('price.mean')) {
          // Kalshi's legacy candle mean is the dollar mean truncated to whole cents: 10 vs "0.1095"
          expect([pr.path, Math.floor(micros / 10_000)]).toEqual([pr.path, pr.legacy]);
          means++;
        } else expect([pr.path, micros]).toEqual([pr.path, pr.legacy * 10_000]);
      }
    }
    expect(pairs).toBeGreaterThan(1000);
    expect(means).toBeGreaterThan(200); // 3 candle files x ~68 traded candles, 157 of them differ from mean_dollars*100
  });

  it('decoded markets equal their fixed-point fields and their legacy cents', () => {
    const markets: [Json, Market][] = [];
    const list = golden('markets_list');
    ok(decodeMarketsList(list)).markets.forEach((m, i) => markets.push([(list.markets as Json[])[i], m]));
    markets.push([golden('market_single').market as Json, ok(decodeMarket(golden('market_single')))]);
    const ev = golden('event_single');
    ok(decodeEvent(ev)).markets!.forEach((m, i) => markets.push([(ev.markets as Json[])[i], m]));
    expect(markets).toHaveLength(7);
    for (const [raw, m] of markets) {
      expect(m.dialect).toBe('fixed_point');
      for (const [k, t] of [
        ['yes_bid', m.yesBidTicks],
        ['yes_ask', m.yesAskTicks],
        ['no_bid', m.noBidTicks],
        ['no_ask', m.noAskTicks],
        ['last_price', m.lastPriceTicks],
        ['previous_price', m.previousPriceTicks],
        ['previous_yes_bid', m.previousYesBidTicks],
        ['previous_yes_ask', m.previousYesAskTicks],
        ['notional_value', m.notionalValueTicks],
      ] as const) {
        expect([k, t]).toEqual([k, (raw[k] as number) * 100]);
        expect([k, t]).toEqual([k, priceTicksOrNaN(raw[`${k}_dollars`] as string)]);
      }
      expect(m.liquidityMicros).toBe((raw.liquidity as number) * 10_000);
      expect(m.volumeCentis).toBe((raw.volume as number) * 100);
      expect(m.openInterestCentis).toBe((raw.open_interest as number) * 100);
    }
    const elon = markets[6][1];
    expect(elon).toMatchObject({ ticker: 'KXELONMARS-99', eventTicker: 'KXELONMARS-99', yesBidTicks: 600, yesAskTicks: 700, liquidityMicros: 68_148_060_000, priceLevelStructure: 'linear_cent', settlementTimerSeconds: 1800, closeTime: '2099-08-01T04:59:00Z' });
  });

  it('orders, fills and positions: cents == dollars', () => {
    const orders = golden('portfolio_orders');
    ok(decodeOrders(orders)).orders.forEach((o, i) => {
      const raw = (orders.orders as Json[])[i];
      expect(o.yesPriceTicks).toBe((raw.yes_price as number) * 100);
      expect(o.noPriceTicks).toBe((raw.no_price as number) * 100);
      expect(o.takerFeesMicros).toBe((raw.taker_fees as number) * 10_000);
      expect(o.takerFeesMicros).toBe(dollarsMicrosOrNaN(raw.taker_fees_dollars as string));
      expect(o.takerFillCostMicros).toBe((raw.taker_fill_cost as number) * 10_000);
      expect(o.fillCountCentis).toBe((raw.fill_count as number) * 100);
      expect(o.dialect).toBe('fixed_point'); // Jan 2026: prices dual (decoded from *_dollars), counts still integer-only
    });
    const fills = golden('portfolio_fills');
    ok(decodeFills(fills)).fills.forEach((f, i) => {
      const raw = (fills.fills as Json[])[i];
      expect(f.yesPriceTicks).toBe((raw.yes_price as number) * 100);
      expect(f.yesPriceTicks).toBe(priceTicksOrNaN(raw.yes_price_fixed as string));
      expect(f.noPriceTicks).toBe((raw.no_price as number) * 100);
      expect(f.countCentis).toBe((raw.count as number) * 100);
    });
    const pos = golden('portfolio_positions');
    const dp = ok(decodePositions(pos));
    expect(dp.marketPositions).toHaveLength(12);
    expect(dp.eventPositions).toHaveLength(11);
    dp.marketPositions.forEach((m, i) => {
      const raw = (pos.market_positions as Json[])[i];
      expect(m.marketExposureMicros).toBe((raw.market_exposure as number) * 10_000);
      expect(m.feesPaidMicros).toBe((raw.fees_paid as number) * 10_000);
      expect(m.totalTradedMicros).toBe((raw.total_traded as number) * 10_000);
      expect(m.positionCentis).toBe((raw.position as number) * 100);
    });
    expect(ok(decodeBalance(golden('portfolio_balance')))).toEqual({ balanceMicros: 100_000_000, portfolioValueMicros: 250_000_000, updatedTs: 1768231443 });
  });

  it('trades: yes + no = $1 and legacy == fixed point', () => {
    const t = golden('trades_list');
    const d = ok(decodeTrades(t));
    expect(d.cursor).toBe('EhIKEGiNwc3pm3X2QYbRDgixEEEaDAjN9pPLBhDIivDDAQ');
    d.trades.forEach((tr, i) => {
      const raw = (t.trades as Json[])[i];
      expect(tr.yesPriceTicks + tr.noPriceTicks).toBe(10_000);
      expect(tr.yesPriceTicks).toBe((raw.yes_price as number) * 100);
      expect(tr.countCentis).toBe((raw.count as number) * 100);
    });
  });
});

describe('specific bodies', () => {
  it('ccxt market: fractional trading, string settlement_timer_seconds, sub-cent deci_cent market', () => {
    const m = ok(decodeMarket(readJson(path.join(CCXT, 'get_market_KXELONMARS-99.json'))));
    expect(m).toMatchObject({ fractionalTradingEnabled: true, settlementTimerSeconds: 1800, yesBidSizeCentis: 44432, yesAskSizeCentis: 196733, openInterestCentis: 3274617, priceRanges: [{ startTicks: 0, endTicks: 10000, stepTicks: 100 }], dialect: 'fixed_point' });
    const list = ok(decodeMarketsList(readJson(path.join(CCXT, 'get_markets_tickers_KXELONMARS-99_KXCOLONIZEMARS-50.json'))));
    expect(list.cursor).toBeUndefined();
    const mars = list.markets[1];
    expect(mars).toMatchObject({ ticker: 'KXCOLONIZEMARS-50', priceLevelStructure: 'deci_cent', yesBidTicks: 1630, noAskTicks: 8370, yesAskTicks: 1950, priceRanges: [{ stepTicks: 10 }] });
  });

  it('ccxt order book matches CCXT’s own parsed book (YES asks = 1 − NO bids)', () => {
    const ob = ok(decodeOrderbook(readJson(path.join(CCXT, 'get_market_orderbook_KXELONMARS-99.json'))));
    const expected = readJson(path.join(CCXT, 'ccxt_parsed_orderbook_KXELONMARS-99_expected.json')) as { bids: [number, number][]; asks: [number, number][] };
    const bids = [...ob.yes].reverse().map(([p, s]) => [p / 10_000, s / 100]);
    const asks = [...ob.no].reverse().map(([p, s]) => [(10_000 - p) / 10_000, s / 100]);
    expect(bids).toEqual(expected.bids);
    expect(asks).toEqual(expected.asks);
    expect(ob.yes[ob.yes.length - 1]).toEqual([800, 44432]);
    expect(ob.no[ob.no.length - 1]).toEqual([8800, 196733]);
  });

  it('ccxt trades and candlesticks (string end_period_ts)', () => {
    const t = ok(decodeTrades(readJson(path.join(CCXT, 'get_trades_KXELONMARS-99_limit3.json'))));
    expect(t.trades[1]).toMatchObject({ countCentis: 94, takerSide: 'yes', takerOutcomeSide: 'yes', takerBookSide: 'bid', isBlockTrade: false });
    expect(t.trades[2]).toMatchObject({ yesPriceTicks: 800, noPriceTicks: 9200, takerOutcomeSide: 'no', takerBookSide: 'ask' });
    const c = ok(decodeRestBody('market_candlesticks', readJson(path.join(CCXT, 'get_market_candlesticks_KXELONMARS-99_1h.json'))));
    expect(c.ticker).toBe('KXELONMARS-99');
    expect(c.candlesticks[0]).toEqual({ endPeriodTs: 1781143200, openInterestCentis: 3276457, volumeCentis: 0, price: { previousTicks: 1000 }, yesAsk: { openTicks: 900, highTicks: 1000, lowTicks: 900, closeTicks: 1000 }, yesBid: { openTicks: 800, highTicks: 800, lowTicks: 800, closeTicks: 800 } });
  });

  it('golden candlesticks: nulls become absent, mean from mean_dollars', () => {
    const b = ok(decodeRestBody('candlesticks_batch', golden('candlesticks_batch')));
    expect(b.markets[0].marketTicker).toBe('KXELONMARS-99');
    expect(b.markets[0].candlesticks).toHaveLength(90);
    const traded = b.markets[0].candlesticks.find((c) => c.price.meanTicks === 1095)!;
    expect(traded.price).toMatchObject({ closeTicks: 1100, highTicks: 1100, lowTicks: 800, openTicks: 1000, previousTicks: 800 });
    expect(traded.price.maxTicks).toBeUndefined();
    const ev = ok(decodeRestBody('event_candlesticks', golden('event_candlesticks')));
    expect(ev.marketTickers).toEqual(['KXELONMARS-99']);
    expect(ev.marketCandlesticks[0]).toHaveLength(90);
    expect(ev.adjustedEndTs).toBe(1768440670);
  });

  it('legacy 2025 events body: integer cents, no price_level_structure (defaults to linear_cent), numeric strikes', () => {
    const raw = readJson(path.join(DATA, 'kalshi-legacy-cents-2025-01/rest_get_events_legacy_2025-01.json'));
    const page = ok(decodeEventsList(raw));
    expect(page.events).toHaveLength(1);
    const ev = page.events[0];
    expect(ev).toMatchObject({ eventTicker: 'KXJAN6PARDON-25MAY01', seriesTicker: 'KXJAN6PARDON', mutuallyExclusive: false });
    expect(ev.markets).toHaveLength(6);
    const m = ev.markets![0];
    expect(m).toMatchObject({ ticker: 'KXJAN6PARDON-25MAY01-1000', yesBidTicks: 5500, yesAskTicks: 5700, noBidTicks: 4300, noAskTicks: 4500, lastPriceTicks: 5700, volumeCentis: 6120200, liquidityMicros: 125_074_140_000, strikeType: 'greater_or_equal', floorStrike: 1000, priceLevelStructure: 'linear_cent', tickSizeCents: 1, dialect: 'legacy_cents' });
    expect(ev.markets!.map((x) => x.floorStrike)).toEqual([1000, 500, 50, 100, 10, 1]);
  });

  it('golden events list, event single (markets alongside), orderbook all-null', () => {
    const list = ok(decodeEventsList(golden('events_list')));
    expect(list.events).toHaveLength(5);
    expect(list.events[0]).toMatchObject({ eventTicker: 'KXELONMARS-99', seriesTicker: 'KXELONMARS', mutuallyExclusive: false, category: 'World' });
    expect(list.milestones).toEqual([]);
    const ob = ok(decodeOrderbook(golden('orderbook')));
    expect(ob).toEqual({ yes: [], no: [], dialect: 'fixed_point' });
    expect(ok(decodeOrderbook({ orderbook: { yes: [[8, 300], [22, 333]], no: [[54, 20]], yes_dollars: null, no_dollars: null } }))).toEqual({ yes: [[800, 30000], [2200, 33300]], no: [[5400, 2000]], dialect: 'legacy_cents' });
    expect(ok(decodeOrderbook({ orderbook: { yes: [[8, 300]], yes_dollars: [['0.0800', 300]], no: null, no_dollars: null } }))).toEqual({ yes: [[800, 30000]], no: [], dialect: 'fixed_point' });
  });

  it('demo REST order books equal the first WS snapshots of the same markets; 6-decimal position amounts', () => {
    const calls = fs.readFileSync(path.join(DEMO, 'rest_calls.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { url: string; response_body: string });
    const snaps = new Map<string, OrderbookSnapshotFrame>();
    for (const l of fs.readFileSync(path.join(DEMO, 'ws_session_orderbook_delta_fill.jsonl'), 'utf8').split('\n')) {
      if (!l.includes('orderbook_snapshot')) continue;
      const f = ok(decodeWsFrame(l)) as OrderbookSnapshotFrame;
      if (!snaps.has(f.marketTicker)) snaps.set(f.marketTicker, f);
    }
    let compared = 0;
    for (const c of calls.filter((x) => x.url.endsWith('/orderbook'))) {
      const ticker = c.url.split('/markets/')[1].split('/')[0];
      const ob = ok(decodeOrderbook(JSON.parse(c.response_body)));
      expect({ ticker, yes: ob.yes, no: ob.no }).toEqual({ ticker, yes: snaps.get(ticker)!.yes, no: snaps.get(ticker)!.no });
      compared++;
    }
    expect(compared).toBe(5);
    const pos = ok(decodePositions(JSON.parse(calls[5].response_body)));
    expect(pos.cursor).toBeUndefined();
    expect(pos.eventPositions[0]).toEqual({ eventTicker: 'KXNEXTTEAMNBA-26LJAM', totalCostMicros: 4_950_000, totalCostSharesCentis: 1000, eventExposureMicros: 0, realizedPnlMicros: 50_000, feesPaidMicros: 0 });
    expect(pos.marketPositions[0]).toMatchObject({ ticker: 'KXNEXTTEAMNBA-26LJAM-MIA', positionCentis: 0, totalTradedMicros: 4_950_000, restingOrdersCount: 0 });
  });

  it('total resting order value: the recorded permission_denied error body, and the value form', () => {
    expect(ok(decodeRestBody('portfolio_total_resting_order_value', golden('portfolio_total_resting_order_value')))).toEqual({ error: { code: 'permission_denied', message: 'permission denied' } });
    expect(ok(decodeRestBody('portfolio_total_resting_order_value', { total_resting_order_value: 1234 }))).toEqual({ totalRestingOrderValueMicros: 12_340_000 });
    expect(ok(decodeRestBody('api_error', { error: 'too many requests' }))).toEqual({ error: { code: '', message: 'too many requests' } });
  });

  it('order responses', () => {
    expect(ok(decodeRestBody('create_order', golden('create_order')))).toMatchObject({ orderId: '6c170f2d-31ac-5a52-aa49-396c7be13455', side: 'yes', action: 'buy', status: 'resting', yesPriceTicks: 3000, noPriceTicks: 7000, initialCountCentis: 200, remainingCountCentis: 200 });
    expect(ok(decodeRestBody('cancel_order', golden('cancel_order')))).toMatchObject({ order: { status: 'canceled' }, reducedByCentis: 100 });
    const amend = ok(decodeRestBody('amend_order', golden('amend_order')));
    expect([amend.oldOrder.status, amend.order.status]).toEqual(['resting', 'canceled']);
    const bc = ok(decodeRestBody('batch_create_orders', golden('batch_create_orders')));
    expect(bc.orders).toHaveLength(2);
    expect(bc.orders[0].error).toBeUndefined();
    expect(bc.orders[0].order!.status).toBe('resting');
    const bx = ok(decodeRestBody('batch_cancel_orders', golden('batch_cancel_orders')));
    expect(bx.orders[0]).toMatchObject({ reducedByCentis: 100, order: { status: 'canceled' } });
    expect(bx.orders[0].orderId).toBeUndefined(); // recorded as ""
    expect(ok(decodeRestBody('order_queue_positions', golden('order_queue_positions'))).queuePositions).toHaveLength(3);
    expect(ok(decodeRestBody('order_queue_position', golden('order_queue_position')))).toEqual({ queuePositionCentis: 10300 });
    expect(ok(decodeRestBody('order_groups_list', golden('order_groups_list'))).orderGroups[0]).toMatchObject({ isAutoCancelEnabled: false });
    expect(ok(decodeRestBody('order_group_single', golden('order_group_single')))).toEqual({ isAutoCancelEnabled: false, orders: [] });
    expect(ok(decodeRestBody('portfolio_settlements', golden('portfolio_settlements'))).settlements[0]).toMatchObject({ marketResult: 'yes', yesCountCentis: 3700, noTotalCostMicros: 491_950_000, feeCostMicros: 730_000, revenueMicros: 0 });
  });

  it('series, exchange', () => {
    const s = ok(decodeRestBody('series_list', golden('series_list')));
    expect(s.series).toHaveLength(241);
    expect(ok(decodeRestBody('series_single', golden('series_single')))).toMatchObject({ ticker: 'CO2', feeType: 'quadratic', feeMultiplier: 1, tags: ['Climate change'] });
    expect(ok(decodeRestBody('exchange_status', golden('exchange_status')))).toEqual({ exchangeActive: true, tradingActive: true });
    const sch = ok(decodeRestBody('exchange_schedule', golden('exchange_schedule')));
    expect(sch.standardHours[0].days.thursday).toEqual([
      { openTime: '00:00', closeTime: '03:00' },
      { openTime: '05:00', closeTime: '00:00' },
    ]);
    expect(sch.maintenanceWindows).toEqual([]);
  });
});

describe('REST malformed input → typed errors, never a throw', () => {
  const market = () => JSON.parse(JSON.stringify(readJson(path.join(CCXT, 'get_market_KXELONMARS-99.json')))) as { market: Json };

  it('names the field and value', () => {
    const m = market();
    m.market.yes_bid_dollars = '0.12345';
    expect(decodeMarket(m)).toMatchObject({ ok: false, error: { kind: 'invalid_field', field: 'market.yes_bid_dollars', frameType: 'market_single' } });
    const m2 = market();
    delete m2.market.ticker;
    expect(decodeMarket(m2)).toMatchObject({ ok: false, error: { field: 'market.ticker' } });
    const m3 = market();
    m3.market.volume_fp = 'NaN';
    const e3 = decodeMarket(m3);
    expect(e3.ok).toBe(false);
    if (!e3.ok) expect(e3.error.message).toBe('market.volume_fp: expected a non-negative contract-count string with at most 2 decimals, got "NaN"');
    const m4 = market();
    m4.market.price_level_structure = 'quarter_cent';
    expect(decodeMarket(m4)).toMatchObject({ ok: false, error: { field: 'market.price_level_structure' } });
    expect(decodeMarketsList({ markets: [{}] })).toMatchObject({ ok: false, error: { field: 'markets[0].ticker' } });
    expect(decodeMarketsList('not json')).toMatchObject({ ok: false, error: { kind: 'invalid_field', field: '(root)' } });
    expect(decodeOrderbook({ orderbook_fp: { yes_dollars: [['0.5000', '1.00'], ['0.4000', '1.00']] } })).toMatchObject({ ok: false, error: { field: 'orderbook_fp.yes_dollars[1][0]' } });
    expect(decodeRestBody('milestones_list', { milestones: [{ id: 1 }] })).toMatchObject({ ok: false, error: { kind: 'invalid_field', field: 'milestones[0].id', frameType: 'milestones_list' } });
  });

  it('fuzz: no decoder throws on arbitrary JSON or mutated fixtures', () => {
    const names = Object.keys(REST_DECODERS) as RestEndpointName[];
    const bodies = allBodies();
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.jsonValue(), (name, v) => {
        const r = decodeRestBody(name, v);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 1500 },
    );
    fc.assert(
      fc.property(fc.constantFrom(...bodies), fc.nat(), fc.jsonValue(), (b, pick, v) => {
        const body = JSON.parse(JSON.stringify(b.body)) as Json;
        const keys = Object.keys(body);
        if (keys.length > 0) body[keys[pick % keys.length]] = v;
        const r = decodeRestBody(b.endpoint, body);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 1500 },
    );
  });
});
