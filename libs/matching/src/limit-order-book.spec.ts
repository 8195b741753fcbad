import fc from 'fast-check';
import { ExpiryHeap } from './expiry-heap';
import { BookOrder } from './book-order';
import { LimitOrderBook } from './limit-order-book';
import { LadderError, PriceLadder } from './ladder';

/** Naive reference: arrays scanned in full, price-time priority by (price, arrival). */
class NaiveBook {
  private orders: { id: string; bid: boolean; price: number; size: number; seq: number }[] = [];
  private seq = 0;
  fills: [string, string, number, number][] = [];

  limit(id: string, bid: boolean, price: number, size: number): number {
    let left = size;
    for (;;) {
      if (left === 0) break;
      const candidates = this.orders.filter((o) => o.bid !== bid && (bid ? o.price <= price : o.price >= price));
      if (candidates.length === 0) break;
      candidates.sort((x, y) => (bid ? x.price - y.price : y.price - x.price) || x.seq - y.seq);
      const m = candidates[0];
      const q = Math.min(left, m.size);
      m.size -= q;
      left -= q;
      this.fills.push([m.id, id, m.price, q]);
      if (m.size === 0) this.orders = this.orders.filter((o) => o !== m);
    }
    if (left > 0) this.orders.push({ id, bid, price, size: left, seq: ++this.seq });
    return size - left;
  }

  cancel(id: string): boolean {
    const n = this.orders.length;
    this.orders = this.orders.filter((o) => o.id !== id);
    return this.orders.length !== n;
  }

  depth(): { bids: [number, number][]; asks: [number, number][] } {
    const agg = (bid: boolean): [number, number][] => {
      const m = new Map<number, number>();
      for (const o of this.orders) if (o.bid === bid) m.set(o.price, (m.get(o.price) ?? 0) + o.size);
      return [...m.entries()].sort((x, y) => (bid ? y[0] - x[0] : x[0] - y[0]));
    };
    return { bids: agg(true), asks: agg(false) };
  }
}

describe('LimitOrderBook (lean price-time book, the core of the engine)', () => {
  it('matches like a naive price-time reference (fills, prices, sizes, final book)', () => {
    const op = fc.oneof(
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('limit' as const), bid: fc.boolean(), slot: fc.integer({ min: 1, max: 1000 }), size: fc.integer({ min: 1, max: 50 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.constantFrom(1, 50), (ops, spread) => {
        const fills: [string, string, number, number][] = [];
        const book = new LimitOrderBook({ onFill: (m, t, p, q) => fills.push([m, t, p, q]) });
        const ref = new NaiveBook();
        let n = 0;
        for (const o of ops) {
          if (o.kind === 'limit') {
            // cluster prices so that they cross often, but also use the extremes of the ladder (slots 1..1000)
            const slot = spread === 1 ? o.slot : 500 + (o.slot % 50);
            const id = `o${++n}`;
            expect(book.limit(id, o.bid ? 'buy' : 'sell', slot * 10, o.size)).toBe(ref.limit(id, o.bid, slot * 10, o.size));
          } else if (n > 0) {
            const id = `o${(o.pick % n) + 1}`;
            expect(book.cancel(id)).toBe(ref.cancel(id));
          }
        }
        expect(fills).toEqual(ref.fills);
        expect(book.depth()).toEqual(ref.depth());
        expect(book.volume).toBe(ref.fills.reduce((s, f) => s + f[3], 0));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses duplicates, off-grid prices and bad sizes without changing anything', () => {
    const book = new LimitOrderBook();
    expect(book.limit('a', 'buy', 5_000, 10)).toBe(0);
    expect(book.limit('a', 'buy', 5_000, 10)).toBe('duplicate_id');
    expect(book.limit('b', 'buy', 5_005, 10)).toBe('invalid_price');
    expect(book.limit('b', 'buy', 0, 10)).toBe('invalid_price');
    expect(book.limit('b', 'buy', 10_010, 10)).toBe('invalid_price');
    expect(book.limit('b', 'buy', 5_000, 0)).toBe('invalid_size');
    expect(book.limit('b', 'buy', 5_000, 1.5)).toBe('invalid_size');
    expect(book.depth()).toEqual({ bids: [[5_000, 10]], asks: [] });
    expect(book.cancel('zzz')).toBe(false);
  });
});

describe('PriceLadder', () => {
  it('finds the next best level across bitmap words (slots 0, 31, 32, 63, 64, 1000)', () => {
    for (const isBid of [true, false]) {
      const ladder = new PriceLadder(isBid, 1001, 10);
      const slots = [0, 31, 32, 63, 64, 500, 999, 1000];
      const orders = slots.map((s, i) => {
        const o = new BookOrder(`o${i}`, isBid, s * 10, 1, i);
        ladder.append(o, s * 10);
        return o;
      });
      const seen: number[] = [];
      ladder.forEachLevel((l) => void seen.push(l.index));
      expect(seen).toEqual(isBid ? [...slots].reverse() : slots);
      // remove the best one by one
      const order = isBid ? [...orders].reverse() : orders;
      const bests: number[] = [];
      for (const o of order) {
        bests.push(ladder.bestIndex);
        ladder.remove(o);
      }
      expect(bests).toEqual(isBid ? [...slots].reverse() : slots);
      expect(ladder.bestIndex).toBe(-1);
      expect(ladder.orderCount).toBe(0);
    }
  });

  it('throws on programmer errors', () => {
    const ladder = new PriceLadder(true);
    expect(() => ladder.append(new BookOrder('x', true, 5, 1, 1), 5)).toThrow(LadderError);
    expect(() => ladder.remove(new BookOrder('y', true, 50, 1, 1))).toThrow(LadderError);
  });
});

describe('ExpiryHeap', () => {
  it('pops by (expiration, seq)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 100 }), (exps) => {
        const heap = new ExpiryHeap();
        const orders = exps.map((x, i) => {
          const o = new BookOrder(`o${i}`, true, 100, 1, i);
          o.expirationTsMs = x;
          heap.push(o);
          return o;
        });
        const out: BookOrder[] = [];
        while (heap.size > 0) out.push(heap.pop());
        expect(out.map((o) => o.seq)).toEqual([...orders].sort((a, b) => a.expirationTsMs - b.expirationTsMs || a.seq - b.seq).map((o) => o.seq));
        expect(heap.peekTs()).toBe(Infinity);
      }),
    );
    expect(() => new ExpiryHeap().pop()).toThrow();
  });
});
