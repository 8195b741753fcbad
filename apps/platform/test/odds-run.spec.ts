/**
 * `npm start -- --odds ODDS.json` (issue #5 command-line contract): after the replay, the sportsbook half paper-trades
 * against live game markets for the real The Odds API capture. Oracle, independent of the platform's code: a second
 * venue started with the same odds file and the same seeded mis-pricing lists which game markets the house quotes
 * (non-empty books) and which of those `seededEdges` puts 5 cents below fair: exactly those get a signal (5 cents
 * minus at most half a cent of rounding minus at most 1.75 cents of fee still clears the 1-cent threshold; every
 * other market's ask is 2 cents ABOVE fair), and every signal is executed in full against the house.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { seededEdges, startExchange } from '@kalshi-platform/feature-exchange';
import { decodeOrderbook, KalshiRestClient } from '@kalshi-platform/kalshi';
import { runPlatform } from '../src/platform';
import { CAPTURE } from './oracle';

const ODDS = resolve(__dirname, '../../../data/samples/theoddsapi-sportsbook-arb-2024-03-26/odds_h2h_us_2024-03-27T0134Z.json');
const SEED = 3;

/** Micros from a report dollar string with 6 decimals ("-4.202500"). */
const micros = (s: string): number => Math.round(Number(s) * 1e6);

describe('npm start -- --odds', () => {
  let expected: string[];
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'odds-oracle-'));
    const ex = await startExchange({ host: '127.0.0.1', port: 0, mode: 'live', logger: false, rateLimits: false, credentialsOut: join(dir, 'c.json'), gamesFromOdds: ODDS });
    try {
      const rest = new KalshiRestClient({ baseUrl: ex.restUrl });
      const edge = seededEdges({ seed: SEED, share: 0.25, cents: 5 });
      expected = [];
      for (const series of ['KXNBAGAME', 'KXNHLGAME']) {
        for (const m of await rest.getAll<{ ticker: string }>('markets', 'markets', { series_ticker: series, limit: 200 })) {
          const ob = decodeOrderbook(await rest.get(`markets/${m.ticker}/orderbook`));
          if (!ob.ok) throw ob.error;
          if (ob.value.yes.length > 0 && edge(m.ticker) === 5) expected.push(m.ticker);
        }
      }
      expected.sort();
    } finally {
      await ex.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('signals exactly the mis-priced game markets, executes each in full, and positions equal the exchange', async () => {
    expect(expected.length).toBeGreaterThanOrEqual(3); // the seed mis-prices a handful of the 30 quoted markets
    const r = await runPlatform({ capturePath: CAPTURE, eventsPath: null, speed: 'max', dropFrames: 0, seed: SEED, shards: 1, oddsPath: ODDS, oddsDurationMs: 2_000, logLevels: [] });
    const sb = r.opportunities.filter((o) => o.kind === 'sportsbook_edge');
    expect(sb.map((o) => o.legs[0].market_ticker).sort()).toEqual(expected);
    for (const o of sb) {
      expect(Number(o.max_net_edge_dollars)).toBeGreaterThanOrEqual(0.01);
      expect(o.signal_id).toBe(`sbe1:${o.legs[0].market_ticker}:yes:${Math.round(Number(o.legs[0].price_dollars) * 10_000)}:${o.signal_id!.split(':').pop()}`);
    }
    // one order per signal, filled in full at the signal's price
    expect(r.orders!.map((o) => o.signal_id).sort()).toEqual(sb.map((o) => o.signal_id).sort());
    for (const o of r.orders!) {
      const s = sb.find((x) => x.signal_id === o.signal_id)!;
      expect(o).toMatchObject({ status: 'executed', side: 'yes', action: 'buy', price_dollars: s.legs[0].price_dollars, count_fp: s.size_fp, filled_fp: s.size_fp });
    }
    expect(r.execution!.risk_rejections).toEqual({});
    // positions: ours equal the exchange's, one per executed market; the reconciliation found nothing to fix
    expect(r.positions!.map((p) => p.market_ticker).sort()).toEqual(expected);
    for (const p of r.positions!) expect(p.position_fp).toBe(p.exchange_position_fp);
    expect(r.execution!.reconcile!.positionMismatches).toEqual([]);
    // PnL: nothing was closed, so realized = -fees; total = realized + unrealized; fills at fair minus price are worth more than the fees
    const fees = r.fills!.reduce((a, f) => a + micros(f.fee_dollars), 0);
    expect(micros(r.pnl!.fees_dollars)).toBe(fees);
    expect(micros(r.pnl!.realized_dollars)).toBe(-fees);
    expect(micros(r.pnl!.total_dollars)).toBe(micros(r.pnl!.realized_dollars) + micros(r.pnl!.unrealized_dollars));
    expect(micros(r.pnl!.expected_at_fair_dollars)).toBeGreaterThan(0);
  }, 120_000);
});
