import { parsePriceDollars, tradingFeeTicks } from '@kalshi-platform/market';
import { ENGINE_LIMITS, MatchingEngine } from './engine';
import type { EngineEvent, EngineOptions, EventOf, MarketConfig, OrderRequest, PlaceResult } from './types';

const M = 'KXTEST-26JAN01-T50';
const $ = (dollars: string): number => parsePriceDollars(dollars); // dollars -> ticks
const C = (contracts: number): number => Math.round(contracts * 100); // contracts -> centis

let seq = 0;
function setup(market: Partial<MarketConfig> = {}, options: EngineOptions = {}, accounts: Record<string, number> = { alice: $('1000'), bob: $('1000'), carol: $('1000') }) {
  const e = new MatchingEngine({ nowMs: 1_000, ...options });
  expect(e.createMarket({ marketTicker: M, tickStructure: 'linear_cent', ...market }).ok).toBe(true);
  for (const [id, cash] of Object.entries(accounts)) expect(e.createAccount(id, cash).ok).toBe(true);
  const place = (o: Partial<OrderRequest> & Pick<OrderRequest, 'accountId' | 'side' | 'action' | 'priceTicks' | 'sizeCentis'>, ts?: number): PlaceResult =>
    e.placeOrder({ orderId: `o${++seq}`, marketTicker: M, ...o }, ts);
  return { e, place };
}

function ofType<T extends EngineEvent['type']>(events: EngineEvent[], type: T): EventOf<T>[] {
  return events.filter((x): x is EventOf<T> => x.type === type);
}

function ok(r: PlaceResult): Extract<PlaceResult, { ok: true }> {
  if (!r.ok) throw new Error(`expected ok, got ${r.reason}: ${r.message}`);
  return r;
}

describe('fees (docs.kalshi.com/getting_started/fee_rounding)', () => {
  it('charges the taker 0.07 x C x P x (1-P) rounded up to $0.0001 per fill: 5.52 at $0.17 -> $0.0546', () => {
    const { e, place } = setup({ fractionalTradingEnabled: true });
    ok(place({ accountId: 'bob', side: 'no', action: 'buy', priceTicks: $('0.83'), sizeCentis: C(10) }));
    const r = ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.20'), sizeCentis: C(5.52) }));
    const fills = ofType(r.events, 'fill');
    expect(fills).toHaveLength(2);
    const [taker, maker] = fills;
    expect(taker).toMatchObject({ accountId: 'alice', isTaker: true, side: 'yes', action: 'buy', priceTicks: $('0.17'), yesPriceTicks: $('0.17'), sizeCentis: 552, feeTicks: 546 });
    expect(maker).toMatchObject({ accountId: 'bob', isTaker: false, side: 'no', action: 'buy', priceTicks: $('0.83'), yesPriceTicks: $('0.17'), sizeCentis: 552, feeTicks: 0 });
    expect(taker.tradeId).toBe(maker.tradeId);
    expect(tradingFeeTicks($('0.17'), 552)).toBe(546); // 0.05452104 -> 0.0546
    // alice paid 5.52 x 0.17 = 0.9384 + 0.0546 fee
    expect(e.getAccount('alice')?.cashTicks).toBe($('1000') - $('0.9384') - 546);
    expect(e.getAccount('alice')?.feesPaidMicros).toBe(54_600);
  });

  it('uses the series fee multipliers, including a maker fee', () => {
    const { e, place } = setup({ seriesTicker: 'KXFEE' }, { seriesFees: { KXFEE: { takerFeeBps: 350, makerFeeBps: 175 } } });
    expect(e.getMarket(M)).toMatchObject({ takerFeeBps: 350, makerFeeBps: 175 });
    ok(place({ accountId: 'bob', side: 'yes', action: 'sell', priceTicks: $('0.50'), sizeCentis: C(100) }));
    const r = ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.50'), sizeCentis: C(100) }));
    const [taker, maker] = ofType(r.events, 'fill');
    expect(taker.feeTicks).toBe(tradingFeeTicks(5000, 10_000, 350)); // 0.035 x 100 x 0.25 = 0.875
    expect(taker.feeTicks).toBe($('0.875'));
    expect(maker.feeTicks).toBe($('0.4375'));
  });

  it('rounds every fill on its own (three makers at one price)', () => {
    const { e, place } = setup();
    for (const who of ['bob', 'carol', 'bob']) ok(place({ accountId: who, side: 'yes', action: 'sell', priceTicks: $('0.33'), sizeCentis: C(1) }));
    const r = ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.33'), sizeCentis: C(3) }));
    const fees = ofType(r.events, 'fill').filter((f) => f.isTaker).map((f) => f.feeTicks);
    expect(fees).toEqual([155, 155, 155]); // 0.07 x 0.33 x 0.67 = 0.015477 -> 0.0155 each, not ceil(0.046431) = 0.0465
    expect(e.getAccount('alice')?.feesPaidMicros).toBe(465 * 100);
  });

  it('charges Kalshi\'s rounding fee when a fractional fill at a sub-cent price leaves a sub-$0.0001 balance change', () => {
    const { e, place } = setup({ tickStructure: 'deci_cent', fractionalTradingEnabled: true }, { defaultFees: { takerFeeBps: 0, makerFeeBps: 0 } });
    ok(place({ accountId: 'bob', side: 'yes', action: 'sell', priceTicks: $('0.055'), sizeCentis: C(10) }));
    const r = ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.055'), sizeCentis: C(0.03) }));
    const [taker, maker] = ofType(r.events, 'fill');
    // 0.03 x 0.055 = 0.00165: alice's balance falls by 0.0017 (floor of -0.00165); bob, who held no YES, opened NO at
    // 0.945: 0.03 x 0.945 = 0.02835 -> his balance falls by 0.0284
    expect(taker.roundingFeeMicros).toBe(50);
    expect(maker.roundingFeeMicros).toBe(50);
    expect(e.getAccount('alice')?.cashTicks).toBe($('1000') - 17);
    expect(e.getAccount('bob')?.cashTicks).toBe($('1000') - 284);
    expect(e.totals().imbalanceMicros).toBe(0);
    // a second such fill pushes alice's per-order accumulator past $0.0001 ... but this is a new order: separate accumulator
    const r2 = ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.055'), sizeCentis: C(0.03) }));
    expect(ofType(r2.events, 'fill')[0].rebateTicks).toBe(0);
  });

  it('rebates accumulated rounding once it exceeds the balance precision, per order', () => {
    const { e, place } = setup({ tickStructure: 'deci_cent', fractionalTradingEnabled: true }, { defaultFees: { takerFeeBps: 0, makerFeeBps: 0 } });
    // alice rests one buy; three separate sellers hit it: each fill 0.03 x 0.055, rounding 50 micros on alice's order
    ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.055'), sizeCentis: C(0.09) }));
    const rebates: number[] = [];
    for (const who of ['bob', 'carol', 'bob']) {
      const r = ok(place({ accountId: who, side: 'yes', action: 'sell', priceTicks: $('0.055'), sizeCentis: C(0.03) }));
      rebates.push(ofType(r.events, 'fill').find((f) => f.accountId === 'alice')?.rebateTicks ?? -1);
    }
    expect(rebates).toEqual([0, 0, 1]); // accumulator 50, 100 (not > 100), 150 -> rebate $0.0001, back to 50
    expect(e.getAccount('alice')?.cashTicks).toBe($('1000') - 17 * 3 + 1);
    expect(e.getAccount('alice')?.feesPaidMicros).toBe(150 - 100);
    expect(e.totals().imbalanceMicros).toBe(0);
  });
});

describe('one YES ladder per market (docs.kalshi.com/getting_started/orderbook_responses)', () => {
  it('rests buy YES and sell NO as YES bids, sell YES and buy NO as YES asks, and publishes YES and NO bids ascending', () => {
    const { e, place } = setup();
    ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.40'), sizeCentis: C(1) }));
    ok(place({ accountId: 'alice', side: 'no', action: 'sell', priceTicks: $('0.58'), sizeCentis: C(2) })); // YES bid 0.42
    ok(place({ accountId: 'bob', side: 'yes', action: 'sell', priceTicks: $('0.47'), sizeCentis: C(3) }));
    ok(place({ accountId: 'bob', side: 'no', action: 'buy', priceTicks: $('0.55'), sizeCentis: C(4) })); // YES ask 0.45
    expect(e.getBook(M)).toEqual({
      marketTicker: M,
      yes: [
        [$('0.40'), C(1)],
        [$('0.42'), C(2)],
      ],
      no: [
        [$('0.53'), C(3)],
        [$('0.55'), C(4)],
      ],
    });
    expect(e.getBook(M, 1)).toEqual({ marketTicker: M, yes: [[$('0.42'), C(2)]], no: [[$('0.55'), C(4)]] });
  });

  it('matches a YES bid p with a NO bid q when p + q >= $1, at the maker price', () => {
    const { e, place } = setup();
    ok(place({ accountId: 'bob', side: 'no', action: 'buy', priceTicks: $('0.55'), sizeCentis: C(5) })); // YES ask 0.45
    const miss = ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.44'), sizeCentis: C(1) })); // 0.44 + 0.55 < 1
    expect(miss.status).toBe('resting');
    const hit = ok(place({ accountId: 'carol', side: 'yes', action: 'buy', priceTicks: $('0.45'), sizeCentis: C(2) })); // 0.45 + 0.55 = 1
    expect(hit.status).toBe('executed');
    const [taker, maker] = ofType(hit.events, 'fill');
    expect(taker).toMatchObject({ yesPriceTicks: $('0.45'), priceTicks: $('0.45'), sizeCentis: C(2) });
    expect(maker).toMatchObject({ yesPriceTicks: $('0.45'), priceTicks: $('0.55'), side: 'no', action: 'buy' });
    // a NO seller crossing a YES bid: sell NO at 0.55 = YES bid 0.45 ... carol now holds 2 YES; a sell NO is a YES bid
    const r = ok(place({ accountId: 'bob', side: 'no', action: 'sell', priceTicks: $('0.54'), sizeCentis: C(1) })); // YES bid 0.46 crosses bob's own ask? no: bob's ask is at 0.45 -> STP
    expect(r.cancelReason).toBe('self_trade_prevention');
    expect(e.getPosition('carol', M)?.positionCentis).toBe(C(2));
    expect(e.getPosition('bob', M)?.positionCentis).toBe(-C(2));
  });

  it('gives the better price first and, at one price, the older order first', () => {
    const { place } = setup();
    const a1 = ok(place({ accountId: 'bob', side: 'yes', action: 'sell', priceTicks: $('0.50'), sizeCentis: C(1) }));
    const a2 = ok(place({ accountId: 'carol', side: 'yes', action: 'sell', priceTicks: $('0.49'), sizeCentis: C(1) }));
    const a3 = ok(place({ accountId: 'carol', side: 'no', action: 'buy', priceTicks: $('0.50'), sizeCentis: C(1) })); // YES ask 0.50, after a1
    const r = ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.50'), sizeCentis: C(3) }));
    expect(ofType(r.events, 'fill').filter((f) => !f.isTaker).map((f) => f.orderId)).toEqual([a2.orderId, a1.orderId, a3.orderId]);
    expect(ofType(r.events, 'fill').filter((f) => f.isTaker).map((f) => f.yesPriceTicks)).toEqual([$('0.49'), $('0.50'), $('0.50')]);
  });

  it('accepts sub-cent prices on a deci_cent market and refuses them on linear_cent', () => {
    const deci = setup({ tickStructure: 'deci_cent' });
    ok(deci.place({ accountId: 'bob', side: 'no', action: 'buy', priceTicks: $('0.837'), sizeCentis: C(1) })); // YES ask 0.163
    const r = ok(deci.place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.163'), sizeCentis: C(1) }));
    expect(ofType(r.events, 'fill')[0]).toMatchObject({ yesPriceTicks: 1630, feeTicks: tradingFeeTicks(1630, 100) });
    expect(tradingFeeTicks(1630, 100)).toBe(96); // 0.07 x 0.163 x 0.837 = 0.00955 -> 0.0096
    const bad = deci.place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: 1635, sizeCentis: C(1) });
    expect(bad).toMatchObject({ ok: false, reason: 'invalid_price' });
    const linear = setup();
    expect(linear.place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: 1630, sizeCentis: C(1) })).toMatchObject({ ok: false, reason: 'invalid_price' });
    const tapered = setup({ tickStructure: 'tapered_deci_cent' });
    ok(tapered.place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.095'), sizeCentis: C(1) }));
    ok(tapered.place({ accountId: 'alice', side: 'no', action: 'buy', priceTicks: $('0.095'), sizeCentis: C(1) })); // YES ask 0.905
    expect(tapered.place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.105'), sizeCentis: C(1) })).toMatchObject({ ok: false, reason: 'invalid_price' });
  });

  it('reports every level change as a book delta (events and callback)', () => {
    const deltas: unknown[] = [];
    const { place } = setup({}, { onBookDelta: (d) => deltas.push(d) });
    const r1 = ok(place({ accountId: 'bob', side: 'no', action: 'buy', priceTicks: $('0.60'), sizeCentis: C(5) }));
    expect(ofType(r1.events, 'orderbook_delta')).toEqual([{ type: 'orderbook_delta', marketTicker: M, side: 'no', priceTicks: $('0.60'), deltaCentis: C(5), sizeCentis: C(5), tsMs: 1_000 }]);
    const r2 = ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.45'), sizeCentis: C(2) }));
    expect(ofType(r2.events, 'orderbook_delta').map((d) => [d.side, d.priceTicks, d.deltaCentis, d.sizeCentis])).toEqual([['no', $('0.60'), -C(2), C(3)]]);
    expect(deltas).toHaveLength(2);
  });
});

describe('time in force and flags (docs.kalshi.com/api-reference/orders/create-order)', () => {
  it('immediate_or_cancel fills what it can and cancels the rest', () => {
    const { e, place } = setup();
    ok(place({ accountId: 'bob', side: 'yes', action: 'sell', priceTicks: $('0.50'), sizeCentis: C(2) }));
    const r = ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.55'), sizeCentis: C(5), timeInForce: 'immediate_or_cancel' }));
    expect(r).toMatchObject({ status: 'canceled', filledCentis: C(2), remainingCentis: 0, cancelReason: 'immediate_or_cancel' });
    expect(ofType(r.events, 'order_canceled')[0]).toMatchObject({ reason: 'immediate_or_cancel', canceledCentis: C(3) });
    expect(e.getBook(M)).toEqual({ marketTicker: M, yes: [], no: [] });
    expect(e.getAccount('alice')?.lockedTicks).toBe(0);
    const none = ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.55'), sizeCentis: C(5), timeInForce: 'immediate_or_cancel' }));
    expect(none).toMatchObject({ status: 'canceled', filledCentis: 0 });
  });

  it('fill_or_kill fills entirely or not at all', () => {
    const { e, place } = setup();
    ok(place({ accountId: 'bob', side: 'yes', action: 'sell', priceTicks: $('0.50'), sizeCentis: C(2) }));
    ok(place({ accountId: 'carol', side: 'yes', action: 'sell', priceTicks: $('0.52'), sizeCentis: C(2) }));
    const kill = ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.52'), sizeCentis: C(5), timeInForce: 'fill_or_kill' }));
    expect(kill).toMatchObject({ status: 'canceled', filledCentis: 0, cancelReason: 'fill_or_kill' });
    expect(ofType(kill.events, 'fill')).toHaveLength(0);
    expect(e.getBook(M)?.no).toEqual([
      [$('0.48'), C(2)],
      [$('0.50'), C(2)],
    ]);
    const fill = ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.52'), sizeCentis: C(4), timeInForce: 'fill_or_kill' }));
    expect(fill).toMatchObject({ status: 'executed', filledCentis: C(4) });
  });

  it('fill_or_kill does not count a reduce-only maker order that an earlier fill of the same maker voids', () => {
    // Found by the property test (seed 695642140): bob holds 1 YES, rests a plain YES sell of 1.09 and then a
    // reduce-only NO buy of 1.00 at the same YES ask. Once his sell fills he is short 0.09, so the reduce-only order
    // no longer reduces anything and cannot trade: only 1.09 is really available, and a FOK for 2.09 must not fill.
    const { place } = setup({ fractionalTradingEnabled: true });
    ok(place({ accountId: 'bob', side: 'yes', action: 'buy', priceTicks: $('0.50'), sizeCentis: C(1) }));
    ok(place({ accountId: 'carol', side: 'yes', action: 'sell', priceTicks: $('0.50'), sizeCentis: C(1) }));
    ok(place({ accountId: 'bob', side: 'yes', action: 'sell', priceTicks: $('0.60'), sizeCentis: C(1.09) }));
    ok(place({ accountId: 'bob', side: 'no', action: 'buy', priceTicks: $('0.40'), sizeCentis: C(1), reduceOnly: true }));
    const kill = ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.60'), sizeCentis: C(2.09), timeInForce: 'fill_or_kill' }));
    expect(kill).toMatchObject({ status: 'canceled', filledCentis: 0, cancelReason: 'fill_or_kill' });
    const fill = ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.60'), sizeCentis: C(1.09), timeInForce: 'fill_or_kill' }));
    expect(fill).toMatchObject({ status: 'executed', filledCentis: C(1.09) });
  });

  it('fill_or_kill does not count own orders it cannot trade with (STP)', () => {
    const { place } = setup();
    ok(place({ accountId: 'alice', side: 'yes', action: 'sell', priceTicks: $('0.50'), sizeCentis: C(2) }));
    ok(place({ accountId: 'bob', side: 'yes', action: 'sell', priceTicks: $('0.51'), sizeCentis: C(2) }));
    const takerAtCross = ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.51'), sizeCentis: C(2), timeInForce: 'fill_or_kill' }));
    expect(takerAtCross.status).toBe('canceled'); // stops at its own order first
    const maker = ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.51'), sizeCentis: C(2), timeInForce: 'fill_or_kill', selfTradePrevention: 'maker' }));
    expect(maker).toMatchObject({ status: 'executed', filledCentis: C(2) });
    expect(ofType(maker.events, 'order_canceled')[0]).toMatchObject({ reason: 'self_trade_prevention', accountId: 'alice' });
  });

  it('post_only rests or is rejected if it would cross; only with good_till_canceled', () => {
    const { e, place } = setup();
    ok(place({ accountId: 'bob', side: 'yes', action: 'sell', priceTicks: $('0.50'), sizeCentis: C(2) }));
    const cross = place({ accountId: 'alice', side: 'no', action: 'sell', priceTicks: $('0.50'), sizeCentis: C(1), postOnly: true }); // YES bid 0.50
    expect(cross).toMatchObject({ ok: false, reason: 'post_only_would_cross' });
    expect(ofType(cross.events, 'order_rejected')[0]).toMatchObject({ reason: 'post_only_would_cross', accountId: 'alice' });
    expect(e.getBook(M)?.yes).toEqual([]);
    ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.49'), sizeCentis: C(1), postOnly: true }));
    expect(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.40'), sizeCentis: C(1), postOnly: true, timeInForce: 'immediate_or_cancel' })).toMatchObject({
      ok: false,
      reason: 'post_only_requires_good_till_canceled',
    });
  });

  it('reduce_only is rejected without a position to reduce, and capped at the position', () => {
    const { e, place } = setup();
    expect(place({ accountId: 'alice', side: 'yes', action: 'sell', priceTicks: $('0.50'), sizeCentis: C(1), reduceOnly: true })).toMatchObject({
      ok: false,
      reason: 'reduce_only_would_not_reduce',
    });
    ok(place({ accountId: 'bob', side: 'yes', action: 'sell', priceTicks: $('0.50'), sizeCentis: C(3) }));
    ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.50'), sizeCentis: C(3) })); // alice long 3 YES
    expect(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.40'), sizeCentis: C(1), reduceOnly: true })).toMatchObject({ ok: false, reason: 'reduce_only_would_not_reduce' });
    const r = ok(place({ accountId: 'alice', side: 'no', action: 'buy', priceTicks: $('0.30'), sizeCentis: C(10), reduceOnly: true })); // buy NO reduces long YES
    expect(r).toMatchObject({ acceptedCentis: C(3), status: 'resting', remainingCentis: C(3) });
    expect(e.getAccount('alice')?.positions[0].collateralMicros).toBe(0); // covered: it closes YES held
  });

  it('caps resting reduce_only orders when the position shrinks and cancels them when it is gone', () => {
    const { e, place } = setup();
    ok(place({ accountId: 'bob', side: 'yes', action: 'sell', priceTicks: $('0.50'), sizeCentis: C(3) }));
    ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.50'), sizeCentis: C(3) }));
    const ro = ok(place({ accountId: 'alice', side: 'yes', action: 'sell', priceTicks: $('0.70'), sizeCentis: C(3), reduceOnly: true }));
    // alice sells 2 YES elsewhere (not reduce-only): the resting reduce-only order is capped at 1
    ok(place({ accountId: 'carol', side: 'yes', action: 'buy', priceTicks: $('0.55'), sizeCentis: C(2) }));
    const sell = ok(place({ accountId: 'alice', side: 'yes', action: 'sell', priceTicks: $('0.55'), sizeCentis: C(2) }));
    expect(ofType(sell.events, 'order_decreased')[0]).toMatchObject({ orderId: ro.orderId, remainingCentis: C(1), reducedByCentis: C(2) });
    ok(place({ accountId: 'carol', side: 'yes', action: 'buy', priceTicks: $('0.56'), sizeCentis: C(1) }));
    const last = ok(place({ accountId: 'alice', side: 'yes', action: 'sell', priceTicks: $('0.56'), sizeCentis: C(1) }));
    expect(ofType(last.events, 'order_canceled')[0]).toMatchObject({ orderId: ro.orderId, reason: 'reduce_only' });
    expect(e.getOrder(ro.orderId)).toBeUndefined();
  });

  it('a reduce_only maker never flips its position: it fills up to the position, then is canceled', () => {
    const { e, place } = setup();
    ok(place({ accountId: 'bob', side: 'yes', action: 'sell', priceTicks: $('0.50'), sizeCentis: C(2) }));
    ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.50'), sizeCentis: C(2) }));
    const a = ok(place({ accountId: 'alice', side: 'yes', action: 'sell', priceTicks: $('0.60'), sizeCentis: C(2), reduceOnly: true }));
    const b = ok(place({ accountId: 'alice', side: 'yes', action: 'sell', priceTicks: $('0.61'), sizeCentis: C(2), reduceOnly: true }));
    const r = ok(place({ accountId: 'carol', side: 'yes', action: 'buy', priceTicks: $('0.65'), sizeCentis: C(4) }));
    expect(ofType(r.events, 'fill').filter((f) => !f.isTaker).map((f) => [f.orderId, f.sizeCentis])).toEqual([[a.orderId, C(2)]]);
    expect(ofType(r.events, 'order_canceled').map((x) => [x.orderId, x.reason])).toEqual([[b.orderId, 'reduce_only']]);
    expect(e.getPosition('alice', M)?.positionCentis).toBe(0);
    expect(r).toMatchObject({ status: 'resting', remainingCentis: C(2) });
  });

  it('buy_max_cost behaves as fill-or-kill within the cost (fees excluded)', () => {
    const { e, place } = setup();
    ok(place({ accountId: 'bob', side: 'yes', action: 'sell', priceTicks: $('0.40'), sizeCentis: C(2) }));
    ok(place({ accountId: 'bob', side: 'yes', action: 'sell', priceTicks: $('0.45'), sizeCentis: C(2) }));
    const tooDear = ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.45'), sizeCentis: C(4), buyMaxCostTicks: $('1.69') }));
    expect(tooDear).toMatchObject({ status: 'canceled', filledCentis: 0, cancelReason: 'fill_or_kill' }); // costs 1.70
    const fits = ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.45'), sizeCentis: C(4), buyMaxCostTicks: $('1.70') }));
    expect(fits).toMatchObject({ status: 'executed', filledCentis: C(4) });
    expect(e.getPosition('alice', M)?.costBasisMicros).toBe($('1.70') * 100);
    expect(place({ accountId: 'alice', side: 'yes', action: 'sell', priceTicks: $('0.45'), sizeCentis: C(1), buyMaxCostTicks: 100 })).toMatchObject({ ok: false, reason: 'buy_max_cost_on_sell' });
    // NO side: cost in NO terms
    ok(place({ accountId: 'bob', side: 'yes', action: 'buy', priceTicks: $('0.30'), sizeCentis: C(1) })); // NO ask 0.70
    expect(ok(place({ accountId: 'carol', side: 'no', action: 'buy', priceTicks: $('0.70'), sizeCentis: C(1), buyMaxCostTicks: $('0.69') })).status).toBe('canceled');
    expect(ok(place({ accountId: 'carol', side: 'no', action: 'buy', priceTicks: $('0.70'), sizeCentis: C(1), buyMaxCostTicks: $('0.70') })).status).toBe('executed');
  });

  it('expires resting orders once the clock reaches expiration_ts; an expiration already reached means immediate-or-cancel', () => {
    const { e, place } = setup();
    const r = ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.40'), sizeCentis: C(1), expirationTsMs: 5_000 }));
    expect(r.status).toBe('resting');
    expect(e.advanceClock(4_999).events).toEqual([]);
    const ev = e.advanceClock(5_000).events;
    expect(ev.map((x) => x.type)).toEqual(['orderbook_delta', 'order_expired']);
    expect(ofType(ev, 'order_expired')[0]).toMatchObject({ orderId: r.orderId, canceledCentis: C(1), status: 'canceled' });
    expect(e.getAccount('alice')?.lockedTicks).toBe(0);
    // expiration in the past: immediate-or-cancel
    ok(place({ accountId: 'bob', side: 'yes', action: 'sell', priceTicks: $('0.50'), sizeCentis: C(1) }));
    const past = ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.50'), sizeCentis: C(3), expirationTsMs: 4_000 }));
    expect(past).toMatchObject({ status: 'canceled', filledCentis: C(1), cancelReason: 'immediate_or_cancel' });
    expect(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.50'), sizeCentis: C(1), timeInForce: 'immediate_or_cancel', expirationTsMs: 9_000 })).toMatchObject({
      ok: false,
      reason: 'expiration_not_allowed_with_immediate_or_cancel',
    });
    // expiry is processed before the call that passes the time
    const later = ok(place({ accountId: 'carol', side: 'yes', action: 'buy', priceTicks: $('0.40'), sizeCentis: C(1), expirationTsMs: 7_000 }));
    const next = place({ accountId: 'bob', side: 'yes', action: 'sell', priceTicks: $('0.40'), sizeCentis: C(1) }, 7_000);
    expect(next.events[0]).toMatchObject({ type: 'orderbook_delta' });
    expect(ofType(next.events, 'order_expired')[0].orderId).toBe(later.orderId);
    expect(ofType(next.events, 'fill')).toHaveLength(0);
  });
});

describe('self-trade prevention', () => {
  it('taker_at_cross keeps the fills so far, cancels the taker rest and leaves the own maker', () => {
    const { e, place } = setup();
    ok(place({ accountId: 'bob', side: 'yes', action: 'sell', priceTicks: $('0.50'), sizeCentis: C(1) }));
    const own = ok(place({ accountId: 'alice', side: 'yes', action: 'sell', priceTicks: $('0.51'), sizeCentis: C(1) }));
    ok(place({ accountId: 'carol', side: 'yes', action: 'sell', priceTicks: $('0.52'), sizeCentis: C(1) }));
    const r = ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.52'), sizeCentis: C(3), selfTradePrevention: 'taker_at_cross' }));
    expect(r).toMatchObject({ status: 'canceled', filledCentis: C(1), cancelReason: 'self_trade_prevention' });
    expect(e.getOrder(own.orderId)?.remainingCentis).toBe(C(1));
    expect(e.getBook(M)?.no).toEqual([
      [$('0.48'), C(1)],
      [$('0.49'), C(1)],
    ]);
  });

  it('maker cancels the own resting orders and continues', () => {
    const { e, place } = setup();
    const own = ok(place({ accountId: 'alice', side: 'no', action: 'buy', priceTicks: $('0.50'), sizeCentis: C(1) })); // YES ask 0.50
    ok(place({ accountId: 'carol', side: 'yes', action: 'sell', priceTicks: $('0.51'), sizeCentis: C(1) }));
    const r = ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.52'), sizeCentis: C(2), selfTradePrevention: 'maker' }));
    expect(ofType(r.events, 'order_canceled')[0]).toMatchObject({ orderId: own.orderId, reason: 'self_trade_prevention' });
    expect(r).toMatchObject({ status: 'resting', filledCentis: C(1), remainingCentis: C(1) });
    expect(e.getBook(M)).toEqual({ marketTicker: M, yes: [[$('0.52'), C(1)]], no: [] });
  });
});

describe('cancel, decrease, amend', () => {
  it('cancels only the owner\'s live orders', () => {
    const { e, place } = setup();
    const r = ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.40'), sizeCentis: C(2) }));
    expect(e.cancelOrder('bob', r.orderId)).toMatchObject({ ok: false, reason: 'order_not_found' });
    const c = e.cancelOrder('alice', r.orderId);
    expect(c.ok).toBe(true);
    expect(ofType(c.events, 'order_canceled')[0]).toMatchObject({ reason: 'user_canceled', canceledCentis: C(2), status: 'canceled' });
    expect(e.cancelOrder('alice', r.orderId)).toMatchObject({ ok: false, reason: 'order_not_found' });
    expect(e.getAccount('alice')).toMatchObject({ lockedTicks: 0, availableTicks: $('1000') });
  });

  it('decrease keeps priority; decreasing to zero cancels', () => {
    const { e, place } = setup();
    const first = ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.40'), sizeCentis: C(5) }));
    ok(place({ accountId: 'bob', side: 'yes', action: 'buy', priceTicks: $('0.40'), sizeCentis: C(5) }));
    const d = e.decreaseOrder('alice', first.orderId, { reduceByCentis: C(3) });
    expect(ofType(d.events, 'order_decreased')[0]).toMatchObject({ remainingCentis: C(2), reducedByCentis: C(3) });
    expect(e.getAccount('alice')?.lockedTicks).toBe($('0.80'));
    const hit = ok(place({ accountId: 'carol', side: 'yes', action: 'sell', priceTicks: $('0.40'), sizeCentis: C(1) }));
    expect(ofType(hit.events, 'fill').find((f) => !f.isTaker)?.orderId).toBe(first.orderId);
    expect(e.decreaseOrder('alice', first.orderId, { reduceToCentis: C(1) })).toMatchObject({ ok: false, reason: 'invalid_decrease' }); // 1 left already
    expect(e.decreaseOrder('alice', first.orderId, { reduceToCentis: C(5) })).toMatchObject({ ok: false, reason: 'invalid_decrease' });
    expect(e.decreaseOrder('alice', first.orderId, { reduceByCentis: 50 })).toMatchObject({ ok: false, reason: 'invalid_decrease' }); // fractional
    const zero = e.decreaseOrder('alice', first.orderId, { reduceToCentis: 0 });
    expect(ofType(zero.events, 'order_canceled')[0]).toMatchObject({ orderId: first.orderId, reason: 'user_canceled' });
  });

  it('amend of the price is a cancel/replace that loses priority (and may trade)', () => {
    const { e, place } = setup();
    const a = ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.40'), sizeCentis: C(1) }));
    const b = ok(place({ accountId: 'bob', side: 'yes', action: 'buy', priceTicks: $('0.39'), sizeCentis: C(1) }));
    const am = e.amendOrder('bob', b.orderId, { priceTicks: $('0.40') });
    expect(ok(am).status).toBe('resting');
    expect(ofType(am.events, 'order_amended')[0]).toMatchObject({ previousPriceTicks: $('0.39'), priceTicks: $('0.40') });
    const hit = ok(place({ accountId: 'carol', side: 'yes', action: 'sell', priceTicks: $('0.40'), sizeCentis: C(1) }));
    expect(ofType(hit.events, 'fill').find((f) => !f.isTaker)?.orderId).toBe(a.orderId); // alice kept priority
    // amending into the book trades at once
    ok(place({ accountId: 'carol', side: 'yes', action: 'sell', priceTicks: $('0.45'), sizeCentis: C(1) }));
    const cross = ok(e.amendOrder('bob', b.orderId, { priceTicks: $('0.45'), remainingCentis: C(2) }));
    expect(cross).toMatchObject({ status: 'resting', filledCentis: C(1), remainingCentis: C(1) });
    expect(e.amendOrder('bob', b.orderId, { priceTicks: 4501 })).toMatchObject({ ok: false, reason: 'invalid_amend' });
    // same price, smaller size: a decrease (priority kept); a larger size: cancel/replace
    const c = ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.30'), sizeCentis: C(3) }));
    const dec = e.amendOrder('alice', c.orderId, { remainingCentis: C(1) });
    expect(dec.events.map((x) => x.type)).toEqual(['order_decreased', 'orderbook_delta']);
    const seqBefore = e.getOrder(c.orderId)?.seq as number;
    const grow = e.amendOrder('alice', c.orderId, { remainingCentis: C(4) });
    expect(grow.events.map((x) => x.type)).toEqual(['orderbook_delta', 'order_amended', 'order_resting', 'orderbook_delta']);
    expect(e.getOrder(c.orderId)).toMatchObject({ remainingCentis: C(4), initialCentis: C(4) });
    expect(e.getOrder(c.orderId)?.seq).toBeGreaterThan(seqBefore);
    expect(e.amendOrder('carol', c.orderId, { remainingCentis: C(1) })).toMatchObject({ ok: false, reason: 'order_not_found' });
  });
});

describe('accounts and collateral', () => {
  it('rejects an order the account cannot afford, to the tick (price x size + taker fee reserve)', () => {
    // buy 10 YES at 0.50: 5.00 collateral + fee reserve ceil(0.07 x 10 x 0.25) = 0.1750 + 10 x $0.0001 = 0.1760
    const need = $('5.00') + $('0.1760');
    const { e, place } = setup({}, {}, { rich: $('100'), exact: need, short: need - 1 });
    expect(place({ accountId: 'short', side: 'yes', action: 'buy', priceTicks: $('0.50'), sizeCentis: C(10) })).toMatchObject({ ok: false, reason: 'insufficient_balance' });
    ok(place({ accountId: 'exact', side: 'yes', action: 'buy', priceTicks: $('0.50'), sizeCentis: C(10) }));
    expect(e.getAccount('exact')).toMatchObject({ lockedTicks: $('5.00'), availableTicks: need - $('5.00') }); // resting: maker reserve 0
    const r = ok(place({ accountId: 'rich', side: 'yes', action: 'sell', priceTicks: $('0.50'), sizeCentis: C(10) }));
    expect(ofType(r.events, 'fill')).toHaveLength(2);
    expect(e.getAccount('exact')).toMatchObject({ cashTicks: need - $('5.00'), lockedTicks: 0 });
    expect(e.getAccount('rich')?.cashTicks).toBe($('100') - $('5.00') - $('0.175')); // rich opened NO at 0.50 and paid the taker fee
  });

  it('locks price x size for buys, nothing for selling contracts held, the worst-case outflow beyond them', () => {
    const { e, place } = setup();
    ok(place({ accountId: 'bob', side: 'yes', action: 'sell', priceTicks: $('0.60'), sizeCentis: C(5) }));
    ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.60'), sizeCentis: C(1) })); // alice long 1 YES
    ok(place({ accountId: 'alice', side: 'yes', action: 'sell', priceTicks: $('0.80'), sizeCentis: C(1) }));
    expect(e.getPosition('alice', M)?.collateralMicros).toBe(0); // covered
    e.cancelAllOrders('alice');
    // sell 3 YES at 0.60 holding 1: if all fill, +0.60 for the one held, -0.40 x 2 to open NO: worst case -0.20
    ok(place({ accountId: 'alice', side: 'yes', action: 'sell', priceTicks: $('0.60'), sizeCentis: C(3) }));
    expect(e.getPosition('alice', M)?.collateralMicros).toBe($('0.20') * 100);
    ok(place({ accountId: 'alice', side: 'no', action: 'buy', priceTicks: $('0.05'), sizeCentis: C(1) })); // buy NO = YES ask 0.95: + 0.05
    expect(e.getPosition('alice', M)?.collateralMicros).toBe($('0.25') * 100);
    ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.10'), sizeCentis: C(3) })); // a buy: + 0.10 x 3
    expect(e.getPosition('alice', M)?.collateralMicros).toBe($('0.55') * 100);
    expect(e.getAccount('alice')?.lockedTicks).toBe($('0.55'));
  });

  it('nets YES and NO of one market: $1 per pair back to the balance, realized PnL', () => {
    const { e, place } = setup();
    ok(place({ accountId: 'bob', side: 'yes', action: 'sell', priceTicks: $('0.40'), sizeCentis: C(10) }));
    ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.40'), sizeCentis: C(10) })); // alice: +10 YES, cost 4.00
    const cash0 = e.getAccount('alice')?.cashTicks as number;
    ok(place({ accountId: 'carol', side: 'yes', action: 'buy', priceTicks: $('0.70'), sizeCentis: C(4) })); // carol bids YES 0.70
    const r = ok(place({ accountId: 'alice', side: 'no', action: 'buy', priceTicks: $('0.30'), sizeCentis: C(4) })); // alice buys NO at 0.30 against carol
    const fill = ofType(r.events, 'fill').find((f) => f.accountId === 'alice');
    expect(fill).toMatchObject({ side: 'no', action: 'buy', priceTicks: $('0.30'), yesPriceTicks: $('0.70') });
    const pos = e.getPosition('alice', M);
    expect(pos).toMatchObject({ positionCentis: C(6), costBasisMicros: $('2.40') * 100, realizedPnlMicros: $('1.20') * 100 });
    // paid 0.30 x 4 for NO, got $1 x 4 back for the pairs: +2.80, minus the taker fee
    expect(e.getAccount('alice')?.cashTicks).toBe(cash0 + $('2.80') - (fill?.feeTicks ?? 0));
    expect(e.getMarket(M)?.openInterestCentis).toBe(C(10)); // carol now holds 4 of the 10 YES
    expect(e.totals().imbalanceMicros).toBe(0);
  });

  it('deposits and withdraws available cash only', () => {
    const { e, place } = setup({}, {}, { alice: $('10') });
    expect(e.deposit('alice', $('5')).ok).toBe(true);
    ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.50'), sizeCentis: C(20) })); // locks 10
    expect(e.withdraw('alice', $('5') + 1)).toMatchObject({ ok: false, reason: 'insufficient_balance' });
    expect(e.withdraw('alice', $('5')).ok).toBe(true);
    expect(e.deposit('alice', -1)).toMatchObject({ ok: false, reason: 'invalid_amount' });
    expect(e.deposit('nobody', 1)).toMatchObject({ ok: false, reason: 'unknown_account' });
    expect(e.getAccount('alice')).toMatchObject({ cashTicks: $('10'), netDepositsTicks: $('10'), availableTicks: 0 });
  });
});

describe('validation', () => {
  it('names the problem of every bad order', () => {
    const { e, place } = setup();
    const base = { accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.50'), sizeCentis: C(1) } as const;
    expect(place({ ...base, accountId: 'nobody' })).toMatchObject({ ok: false, reason: 'unknown_account' });
    expect(place({ ...base, marketTicker: 'NOPE' })).toMatchObject({ ok: false, reason: 'unknown_market' });
    expect(place({ ...base, side: 'maybe' as never })).toMatchObject({ ok: false, reason: 'invalid_side' });
    expect(place({ ...base, action: 'hold' as never })).toMatchObject({ ok: false, reason: 'invalid_action' });
    expect(place({ ...base, priceTicks: 0 })).toMatchObject({ ok: false, reason: 'invalid_price' });
    expect(place({ ...base, priceTicks: 10_000 })).toMatchObject({ ok: false, reason: 'invalid_price' });
    expect(place({ ...base, sizeCentis: 0 })).toMatchObject({ ok: false, reason: 'invalid_size' });
    expect(place({ ...base, sizeCentis: 1.5 })).toMatchObject({ ok: false, reason: 'invalid_size' });
    expect(place({ ...base, sizeCentis: 150 })).toMatchObject({ ok: false, reason: 'fractional_not_allowed' });
    expect(place({ ...base, timeInForce: 'day' as never })).toMatchObject({ ok: false, reason: 'invalid_time_in_force' });
    expect(place({ ...base, selfTradePrevention: 'both' as never })).toMatchObject({ ok: false, reason: 'invalid_self_trade_prevention' });
    expect(place({ ...base, buyMaxCostTicks: 0 })).toMatchObject({ ok: false, reason: 'invalid_buy_max_cost' });
    expect(place({ ...base, expirationTsMs: -5 })).toMatchObject({ ok: false, reason: 'invalid_expiration' });
    ok(place({ ...base, orderId: 'dup', clientOrderId: 'c-1' }));
    expect(place({ ...base, orderId: 'dup' })).toMatchObject({ ok: false, reason: 'duplicate_order_id' });
    const dupClient = place({ ...base, clientOrderId: 'c-1' });
    expect(dupClient).toMatchObject({ ok: false, reason: 'duplicate_client_order_id' });
    expect(dupClient.ok ? '' : dupClient.message).toContain('c-1');
    expect(e.createMarket({ marketTicker: M })).toMatchObject({ ok: false, reason: 'market_exists' });
    expect(e.createMarket({ marketTicker: 'X-1', tickStructure: 'hexa_cent' as never })).toMatchObject({ ok: false, reason: 'invalid_market_config' });
    expect(e.createAccount('alice')).toMatchObject({ ok: false, reason: 'account_exists' });
  });

  it('bounds sizes, positions and balances so that every amount stays an exact integer', () => {
    const { e, place } = setup({}, {}, { whale: $('20000000') });
    expect(place({ accountId: 'whale', side: 'yes', action: 'buy', priceTicks: $('0.01'), sizeCentis: ENGINE_LIMITS.maxOrderCentis + 100 })).toMatchObject({ ok: false, reason: 'invalid_size' });
    for (let i = 0; i < 10; i++) ok(place({ accountId: 'whale', side: 'yes', action: 'buy', priceTicks: $('0.01'), sizeCentis: ENGINE_LIMITS.maxOrderCentis }));
    expect(place({ accountId: 'whale', side: 'no', action: 'sell', priceTicks: $('0.99'), sizeCentis: C(1) })).toMatchObject({ ok: false, reason: 'position_limit_exceeded' });
    ok(place({ accountId: 'whale', side: 'yes', action: 'sell', priceTicks: $('0.99'), sizeCentis: C(1) })); // the other direction is fine
    expect(e.deposit('whale', ENGINE_LIMITS.maxCashTicks)).toMatchObject({ ok: false, reason: 'invalid_amount' });
    expect(e.createAccount('', 0)).toMatchObject({ ok: false, reason: 'invalid_account_id' });
  });

  it('throws only on programmer errors', () => {
    expect(() => new MatchingEngine({ balancePrecisionTicks: 7 as never })).toThrow(RangeError);
    expect(() => new MatchingEngine({ defaultFees: { takerFeeBps: -1, makerFeeBps: 0 } })).toThrow(RangeError);
    const { e } = setup();
    expect(() => e.advanceClock(Number.NaN)).toThrow(RangeError);
  });
});

describe('market lifecycle and settlement', () => {
  it('open -> closed (orders canceled, no new orders) -> determined -> settled ($1 per winning contract)', () => {
    const { e, place } = setup();
    ok(place({ accountId: 'bob', side: 'yes', action: 'sell', priceTicks: $('0.30'), sizeCentis: C(10) }));
    ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.30'), sizeCentis: C(4) })); // alice +4 YES, bob -4 (NO)
    ok(place({ accountId: 'carol', side: 'yes', action: 'buy', priceTicks: $('0.20'), sizeCentis: C(5) })); // resting
    const closed = e.closeMarket(M, 2_000);
    expect(closed.ok).toBe(true);
    expect(ofType(closed.events, 'order_canceled').map((x) => [x.accountId, x.reason])).toEqual([
      ['bob', 'market_closed'],
      ['carol', 'market_closed'],
    ]);
    expect(closed.events.at(-1)).toMatchObject({ type: 'market_status_changed', status: 'closed' });
    expect(e.getBook(M)).toEqual({ marketTicker: M, yes: [], no: [] });
    expect(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.30'), sizeCentis: C(1) })).toMatchObject({ ok: false, reason: 'market_not_open' });
    expect(e.settleMarket(M)).toMatchObject({ ok: false, reason: 'invalid_transition' });
    expect(e.closeMarket(M)).toMatchObject({ ok: false, reason: 'invalid_transition' });
    expect(e.determineMarket(M, 'yes').ok).toBe(true);
    const before = { alice: e.getAccount('alice')?.cashTicks as number, bob: e.getAccount('bob')?.cashTicks as number };
    const settled = e.settleMarket(M);
    expect(ofType(settled.events, 'settlement').map((x) => [x.accountId, x.positionCentis, x.payoutTicks])).toEqual([
      ['bob', -C(4), 0],
      ['alice', C(4), $('4')],
    ]);
    expect(e.getAccount('alice')?.cashTicks).toBe(before.alice + $('4'));
    expect(e.getAccount('bob')?.cashTicks).toBe(before.bob);
    expect(e.getPosition('alice', M)).toMatchObject({ positionCentis: 0, costBasisMicros: 0, realizedPnlMicros: $('2.80') * 100 });
    expect(e.getPosition('bob', M)).toMatchObject({ positionCentis: 0, realizedPnlMicros: -$('2.80') * 100 });
    expect(e.getMarket(M)).toMatchObject({ status: 'settled', result: 'yes', openInterestCentis: 0 });
    const t = e.totals();
    expect(t.imbalanceMicros).toBe(0);
    expect(t.openInterestCentis).toBe(0);
    expect(e.settleMarket(M)).toMatchObject({ ok: false, reason: 'invalid_transition' });
  });

  it('determining an open market closes it first; a NO result pays NO holders', () => {
    const { e, place } = setup();
    ok(place({ accountId: 'bob', side: 'no', action: 'buy', priceTicks: $('0.75'), sizeCentis: C(2) }));
    ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.25'), sizeCentis: C(2) }));
    ok(place({ accountId: 'carol', side: 'no', action: 'buy', priceTicks: $('0.10'), sizeCentis: C(2) }));
    const d = e.determineMarket(M, 'no');
    expect(d.events.map((x) => x.type)).toEqual(['orderbook_delta', 'order_canceled', 'market_status_changed', 'market_status_changed']);
    const cashBob = e.getAccount('bob')?.cashTicks as number;
    e.settleMarket(M);
    expect(e.getAccount('bob')?.cashTicks).toBe(cashBob + $('2'));
    expect(e.getAccount('carol')?.lockedTicks).toBe(0);
    expect(e.totals().imbalanceMicros).toBe(0);
  });
});

describe('events', () => {
  it('reports a crossing order in order: accepted, fills, maker updates, taker summary, rest, position', () => {
    const { place } = setup();
    ok(place({ accountId: 'bob', side: 'yes', action: 'sell', priceTicks: $('0.50'), sizeCentis: C(1) }));
    const r = ok(place({ accountId: 'alice', side: 'yes', action: 'buy', priceTicks: $('0.50'), sizeCentis: C(3), clientOrderId: 'mine' }));
    expect(r.events.map((x) => x.type)).toEqual([
      'order_accepted',
      'fill',
      'fill',
      'order_filled',
      'position_changed',
      'orderbook_delta',
      'order_partially_filled',
      'order_resting',
      'orderbook_delta',
      'position_changed',
    ]);
    expect(r.events[0]).toMatchObject({ clientOrderId: 'mine', initialCentis: C(3), status: 'pending' });
    expect(ofType(r.events, 'order_resting')[0]).toMatchObject({ remainingCentis: C(2), filledCentis: C(1), status: 'resting' });
    expect(ofType(r.events, 'position_changed').map((x) => [x.accountId, x.positionCentis])).toEqual([
      ['bob', -C(1)],
      ['alice', C(1)],
    ]);
  });
});
