/**
 * Min-heap of orders by `(expirationTsMs, seq)`, with lazy deletion: an order that ended some other way stays in the
 * heap until it reaches the top and is then dropped by the caller (who checks that it is still resting).
 */
import type { BookOrder } from './book-order';

export class ExpiryHeap {
  private readonly items: BookOrder[] = [];

  get size(): number {
    return this.items.length;
  }

  /** Expiration of the earliest entry, or +Infinity when empty. */
  peekTs(): number {
    return this.items.length === 0 ? Infinity : this.items[0].expirationTsMs;
  }

  push(order: BookOrder): void {
    const a = this.items;
    a.push(order);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(a[i], a[parent])) break;
      const t = a[i];
      a[i] = a[parent];
      a[parent] = t;
      i = parent;
    }
  }

  /** Removes and returns the earliest entry. @throws Error if the heap is empty (programmer error). */
  pop(): BookOrder {
    const a = this.items;
    if (a.length === 0) throw new Error('ExpiryHeap.pop on an empty heap');
    const top = a[0];
    const last = a.pop() as BookOrder;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && less(a[l], a[m])) m = l;
        if (r < a.length && less(a[r], a[m])) m = r;
        if (m === i) break;
        const t = a[i];
        a[i] = a[m];
        a[m] = t;
        i = m;
      }
    }
    return top;
  }
}

function less(x: BookOrder, y: BookOrder): boolean {
  return x.expirationTsMs < y.expirationTsMs || (x.expirationTsMs === y.expirationTsMs && x.seq < y.seq);
}
