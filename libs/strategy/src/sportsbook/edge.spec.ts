/**
 * Hand-computed examples of sportsbookEdge. Fee: Kalshi taker fee 0.07·C·P·(1−P) rounded UP to $0.0001 (1 tick)
 * per fill (docs.kalshi.com/getting_started/fee_rounding), charged per ONE contract at the ask.
 */
import { OrderBook } from '@kalshi-platform/market';
import { asksFromOrderBook, sportsbookEdge, SportsbookInputError, takerFeePerContractTicks } from './index';

describe('sportsbookEdge', () => {
  it('fair 0.55, YES ask 0.50: gross 500, fee 175, net 325 ticks; NO side negative; best YES', () => {
    // YES: fee = ceil(0.07·0.50·0.50 = 0.0175) = $0.0175 = 175 ticks; net = 0.55 − 0.50 − 0.0175 = $0.0325 = 325
    // NO (ask 0.51 = 1 − YES bid 0.49): fair 0.45; fee = ceil(0.07·0.51·0.49 = 0.017493) = 0.0175; net = 0.45 − 0.51 − 0.0175 = −775
    const r = sportsbookEdge({ fairYes: 0.55, yesAsks: [[5000, 10_000]], noAsks: [[5100, 5000]] });
    expect(r.yes).toMatchObject({ side: 'yes', askTicks: 5000, askSizeCentis: 10_000, feePerContractTicks: 175 });
    expect(r.yes?.grossEdgeTicks).toBeCloseTo(500, 9);
    expect(r.yes?.netEdgeTicks).toBeCloseTo(325, 9);
    expect(r.no).toMatchObject({ side: 'no', askTicks: 5100, feePerContractTicks: 175 });
    expect(r.no?.fairTicks).toBeCloseTo(4500, 9);
    expect(r.no?.netEdgeTicks).toBeCloseTo(-775, 9);
    expect(r.best).toBe(r.yes);
  });

  it('fair 0.40, NO ask 0.56: NO fair 0.60, fee ceil(0.07·0.56·0.44 = 0.017248) = 0.0173, net 0.0227; best NO', () => {
    const r = sportsbookEdge({ fairYes: 0.4, yesAsks: [[4500, 100]], noAsks: [[5600, 300], [5700, 100]] });
    expect(r.yes?.netEdgeTicks).toBeCloseTo(4000 - 4500 - takerFeePerContractTicks(4500), 9); // fee 0.017325 → 174
    expect(takerFeePerContractTicks(4500)).toBe(174);
    expect(r.no?.feePerContractTicks).toBe(173);
    expect(r.no?.grossEdgeTicks).toBeCloseTo(400, 9);
    expect(r.no?.netEdgeTicks).toBeCloseTo(227, 9);
    expect(r.best?.side).toBe('no');
  });

  it('positive gross but fees eat it: fair 0.51 at 0.50 → gross 100, net −75; no best side', () => {
    const r = sportsbookEdge({ fairYes: 0.51, yesAsks: [[5000, 100]], noAsks: [] });
    expect(r.yes?.grossEdgeTicks).toBeCloseTo(100, 9);
    expect(r.yes?.netEdgeTicks).toBeCloseTo(-75, 9);
    expect(r.no).toBeNull();
    expect(r.best).toBeNull();
  });

  it('empty book: both sides null', () => {
    expect(sportsbookEdge({ fairYes: 0.5, yesAsks: [], noAsks: [] })).toEqual({ yes: null, no: null, best: null });
  });

  it('fee settings: whole-cent rounding 0.0175 → 0.02; series rate 0.035 → ceil(0.00875) = 0.0088; rate 0 → no fee', () => {
    expect(sportsbookEdge({ fairYes: 0.55, yesAsks: [[5000, 100]], noAsks: [], fees: { feeRoundingTicks: 100 } }).yes?.netEdgeTicks).toBeCloseTo(300, 9);
    expect(takerFeePerContractTicks(5000, 100, { takerFeeBps: 350 })).toBe(88);
    expect(takerFeePerContractTicks(5000, 100, { takerFeeBps: 0 })).toBe(0);
  });

  it('fractional size steps raise the per-contract fee bound (rounding per fill)', () => {
    // 1 centi at 0.50: ceil(0.07·0.01·0.25 = 0.000175) = 0.0002 = 2 ticks → 200 ticks per contract
    expect(takerFeePerContractTicks(5000, 1)).toBe(200);
    // 0.5 contract: ceil(0.07·0.5·0.25 = 0.00875) = 88 ticks → 176 per contract
    expect(takerFeePerContractTicks(5000, 50)).toBe(176);
    expect(sportsbookEdge({ fairYes: 0.55, yesAsks: [[5000, 100]], noAsks: [], sizeStepCentis: 1 }).yes?.netEdgeTicks).toBeCloseTo(300, 9);
  });

  it('derives the ask ladders from an OrderBook (YES ask = 1 − NO bid, ascending)', () => {
    const book = new OrderBook('T');
    book.applySnapshot(
      [
        [4800, 300],
        [4900, 100],
      ],
      [
        [4500, 200],
        [5000, 700],
      ],
    );
    expect(asksFromOrderBook(book)).toEqual({
      yesAsks: [
        [5000, 700],
        [5500, 200],
      ],
      noAsks: [
        [5100, 100],
        [5200, 300],
      ],
    });
    expect(asksFromOrderBook(new OrderBook('EMPTY'))).toEqual({ yesAsks: [], noAsks: [] });
  });

  it('bad input throws SportsbookInputError naming the field', () => {
    const field = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(SportsbookInputError);
        return (e as SportsbookInputError).field;
      }
      return undefined;
    };
    expect(field(() => sportsbookEdge({ fairYes: 1.2, yesAsks: [], noAsks: [] }))).toBe('fairYes');
    expect(field(() => sportsbookEdge({ fairYes: NaN, yesAsks: [], noAsks: [] }))).toBe('fairYes');
    expect(field(() => sportsbookEdge({ fairYes: 0.5, yesAsks: [[5000, 1], [4000, 1]], noAsks: [] }))).toBe('yesAsks[1][0]');
    expect(field(() => sportsbookEdge({ fairYes: 0.5, yesAsks: [], noAsks: [[5000, 0]] }))).toBe('noAsks[0][1]');
    expect(field(() => sportsbookEdge({ fairYes: 0.5, yesAsks: [[10_000, 1]], noAsks: [] }))).toBe('yesAsks[0][0]');
    expect(field(() => sportsbookEdge({ fairYes: 0.5, yesAsks: [], noAsks: [], fees: { takerFeeBps: -1 } }))).toBe('fees.takerFeeBps');
    expect(field(() => sportsbookEdge({ fairYes: 0.5, yesAsks: [], noAsks: [], fees: { feeRoundingTicks: 0 } }))).toBe('fees.feeRoundingTicks');
    expect(field(() => sportsbookEdge({ fairYes: 0.5, yesAsks: [], noAsks: [], sizeStepCentis: 101 }))).toBe('sizeStepCentis');
    expect(field(() => takerFeePerContractTicks(0))).toBe('priceTicks');
  });
});
