import { resolve } from 'node:path';
import type { EngineEvent } from '@kalshi-platform/matching';
import { defaultLiveSeedFiles, HOUSE_ACCOUNT, loadLiveSeed, seedVenue } from '../src/venue/live-seed';
import { Venue, type VenueCommand, type VenueJournal } from '../src/venue/venue';

const REPO = resolve(__dirname, '../../..');

/** A journal kept in memory (the typeorm store is tested in store.spec.ts). */
class MemoryJournal implements VenueJournal {
  readonly commands: VenueCommand[] = [];
  async commit(c: VenueCommand, _events: EngineEvent[]): Promise<void> {
    this.commands.push(structuredClone(c));
  }
}

function stateOf(v: Venue) {
  return {
    accounts: v.engine.accountIds().map((a) => v.engine.getAccount(a)),
    orders: v.engine.listOrders({}),
    books: v.engine.marketTickers().map((t) => v.engine.getBook(t)),
    trades: v.trades,
  };
}

describe('Venue (live mode seed, journal replay)', () => {
  const seed = loadLiveSeed(defaultLiveSeedFiles(REPO));

  it('lists the recorded markets and the capture markets, with their final books as house orders', async () => {
    const v = new Venue({ expiryCheckMs: 0 });
    const r = await seedVenue(v, seed);
    expect(r.refused).toBe(0);
    expect(v.engine.marketTickers()).toEqual(expect.arrayContaining(['KXELONMARS-99', 'KXCOLONIZEMARS-50', 'KXBTCD-26JUL0317-T60499.99']));
    // the mirror book equals the capture's final book (oracle: DERIVED_expected_final_books.json)
    const oracle = require(resolve(REPO, 'data/samples/kalshi-demo-ws-capture-2026-07-01/DERIVED_expected_final_books.json'));
    for (const [ticker, b] of Object.entries<{ yes_dollars_fp?: string[][]; no_dollars_fp?: string[][] }>(oracle)) {
      const book = v.books.get(ticker)!;
      const fmt = (ls: Array<[number, number]>) => ls.map(([p, s]) => [(p / 10000).toFixed(4), (s / 100).toFixed(2)]);
      expect(fmt(book.levels('yes'))).toEqual(b.yes_dollars_fp ?? []);
      expect(fmt(book.levels('no'))).toEqual(b.no_dollars_fp ?? []);
    }
    expect(v.engine.listOrders({ accountId: HOUSE_ACCOUNT }).filter((o) => o.status === 'resting').length).toBe(r.orders);
    expect(r.orders).toBeGreaterThan(100);
    await v.close();
  });

  it('a restart from the journal restores orders, balances, positions and trades exactly', async () => {
    const journal = new MemoryJournal();
    let now = 1_780_000_000_000;
    const v = new Venue({ journal, expiryCheckMs: 0, clock: () => now });
    await seedVenue(v, seed);
    await v.createAccount('alice', 10_000_000);
    const book = v.books.get('KXELONMARS-99')!;
    const ask = book.yesAskTicks;
    now += 1000;
    const taken = await v.placeOrder('alice', { marketTicker: 'KXELONMARS-99', side: 'yes', action: 'buy', priceTicks: ask, sizeCentis: 500 });
    expect(taken.ok && taken.filledCentis).toBe(500);
    const rest = await v.placeOrder('alice', { marketTicker: 'KXELONMARS-99', side: 'yes', action: 'buy', priceTicks: 100, sizeCentis: 300, clientOrderId: 'c1', expirationTsMs: now + 5000 });
    expect(rest.ok && rest.status).toBe('resting');
    const dup = await v.placeOrder('alice', { marketTicker: 'KXELONMARS-99', side: 'yes', action: 'buy', priceTicks: 100, sizeCentis: 300, clientOrderId: 'c1' });
    expect(dup.ok ? 'accepted' : dup.reason).toBe('duplicate_client_order_id');
    await v.flush();
    const before = stateOf(v);
    await v.close();

    const w = new Venue({ expiryCheckMs: 0, clock: () => now });
    w.replay(journal.commands);
    expect(stateOf(w)).toEqual(before);
    expect(w.commandCount).toBe(journal.commands.length);
    // the restored clock expires the resting order at its time
    now += 6000;
    const expired = await w.expireOrders();
    expect(expired.some((e) => e.type === 'order_expired')).toBe(true);
    await w.close();
  });
});
