/**
 * Seed of the live venue: markets, events and series from real recorded Kalshi REST bodies (copied into
 * `data/exchange/`, each folder with its SOURCE.md), and initial order books from the real demo WebSocket capture
 * (its final books, `DERIVED_expected_final_books.json`) and the recorded `GET /markets/{t}/orderbook` bodies.
 *
 * The books are put on the venue as resting post-only orders of a `house` account (buy YES at each YES bid level,
 * buy NO at each NO bid level), so they then move by trading like any other liquidity. Seeding happens once, on the
 * first start; later starts replay the journal.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePriceDollars, parseSizeFp, type Level, type TickStructure } from '@kalshi-platform/market';
import { inferMarket, ReferenceData, type RefEvent, type RefMarket } from '../reference';
import type { Venue } from './venue';

/** Paths of the seed files (defaults: the copies under `data/` of the repository). */
export interface LiveSeedFiles {
  /** folder with `kalshi-starter-golden-rest/` and `ccxt-kalshi-static-responses-2026-06/` */
  restFixturesDir: string;
  /** `DERIVED_expected_final_books.json` of the demo capture */
  captureBooksPath: string;
}

/** One market to list, with its initial book. */
export interface SeedMarket {
  ref: RefMarket;
  tickStructure: TickStructure;
  fractionalTradingEnabled: boolean;
  marketId?: string;
  /** bids, ascending, [priceTicks, sizeCentis] */
  book: { yes: Level[]; no: Level[] };
}

/** What {@link loadLiveSeed} returns. */
export interface LiveSeed {
  reference: ReferenceData;
  markets: SeedMarket[];
}

const TICK_STRUCTURES = new Set(['linear_cent', 'tapered_deci_cent', 'deci_cent']);

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read seed file ${path}: ${(e as Error).message}`);
  }
}

/** The Kalshi body of a fixture file (`{_metadata, response}` wrapper of the golden fixtures, or a raw body). */
function body(path: string): Record<string, unknown> {
  const j = readJson(path) as Record<string, unknown>;
  return (j && typeof j === 'object' && 'response' in j ? j.response : j) as Record<string, unknown>;
}

function levels(raw: unknown, path: string): Level[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new Error(`seed file ${path}: a book side is not an array`);
  return raw
    .map((l, i) => {
      if (!Array.isArray(l) || typeof l[0] !== 'string' || typeof l[1] !== 'string') throw new Error(`seed file ${path}: level ${i} is not ["price","size"]`);
      return [parsePriceDollars(l[0]), parseSizeFp(l[1])] as Level;
    })
    .sort((a, b) => a[0] - b[0]);
}

function refFromTemplate(t: Record<string, unknown>): RefMarket {
  const ticker = String(t.ticker);
  const inferred = inferMarket(ticker);
  // served by rest/market-json.ts, which recomputes the live fields and never serves the legacy integer-cent ones
  const template = { ...t };
  return {
    ticker,
    eventTicker: typeof t.event_ticker === 'string' ? t.event_ticker : inferred.eventTicker,
    seriesTicker: inferred.seriesTicker,
    title: typeof t.title === 'string' ? t.title : ticker,
    yesSubTitle: typeof t.yes_sub_title === 'string' ? t.yes_sub_title : inferred.yesSubTitle,
    status: 'active',
    priceLevelStructure: typeof t.price_level_structure === 'string' && TICK_STRUCTURES.has(t.price_level_structure) ? t.price_level_structure : 'linear_cent',
    strikeType: typeof t.strike_type === 'string' ? t.strike_type : inferred.strikeType,
    floorStrike: typeof t.floor_strike === 'number' ? t.floor_strike : inferred.floorStrike,
    capStrike: typeof t.cap_strike === 'number' ? t.cap_strike : undefined,
    template,
  };
}

/** Default seed files inside the repository rooted at `repoRoot`. */
export function defaultLiveSeedFiles(repoRoot: string): LiveSeedFiles {
  return {
    restFixturesDir: join(repoRoot, 'data/exchange'),
    captureBooksPath: join(repoRoot, 'data/samples/kalshi-demo-ws-capture-2026-07-01/DERIVED_expected_final_books.json'),
  };
}

/**
 * Reads the seed files.
 * @throws Error naming the file when one is missing or not the expected Kalshi shape.
 */
export function loadLiveSeed(files: LiveSeedFiles): LiveSeed {
  const golden = join(files.restFixturesDir, 'kalshi-starter-golden-rest');
  const ccxt = join(files.restFixturesDir, 'ccxt-kalshi-static-responses-2026-06');
  const ref = new ReferenceData();
  const books = new Map<string, { yes: Level[]; no: Level[] }>();

  // markets: recorded market JSON (fixed-point ccxt capture first: it is the newer dialect)
  const templates: Record<string, unknown>[] = [];
  for (const f of [join(ccxt, 'get_markets_tickers_KXELONMARS-99_KXCOLONIZEMARS-50.json'), join(golden, 'markets_list_response.json')]) {
    const b = body(f);
    if (!Array.isArray(b.markets)) throw new Error(`seed file ${f}: no markets array`);
    templates.push(...(b.markets as Record<string, unknown>[]));
  }
  for (const f of [join(ccxt, 'get_market_KXELONMARS-99.json'), join(golden, 'market_single_response.json')]) {
    const b = body(f);
    if (!b.market || typeof b.market !== 'object') throw new Error(`seed file ${f}: no market object`);
    templates.push(b.market as Record<string, unknown>);
  }
  for (const t of templates) {
    if (typeof t.ticker !== 'string') continue;
    if (!ref.markets.has(t.ticker)) ref.markets.set(t.ticker, refFromTemplate(t));
  }

  // books recorded over REST
  const ob = join(ccxt, 'get_market_orderbook_KXELONMARS-99.json');
  const obBody = body(ob).orderbook_fp as Record<string, unknown> | undefined;
  if (obBody) books.set('KXELONMARS-99', { yes: levels(obBody.yes_dollars, ob), no: levels(obBody.no_dollars, ob) });

  // the demo capture's markets and final books
  const capture = readJson(files.captureBooksPath) as Record<string, { yes_dollars_fp?: unknown; no_dollars_fp?: unknown }>;
  for (const [ticker, b] of Object.entries(capture)) {
    if (!ref.markets.has(ticker)) ref.markets.set(ticker, inferMarket(ticker));
    books.set(ticker, { yes: levels(b.yes_dollars_fp, files.captureBooksPath), no: levels(b.no_dollars_fp, files.captureBooksPath) });
  }

  // events: recorded event JSON where there is one, inferred otherwise
  const evTemplates = new Map<string, Record<string, unknown>>();
  for (const f of [join(golden, 'events_list_response.json')]) {
    const b = body(f);
    for (const e of (b.events as Record<string, unknown>[] | undefined) ?? []) evTemplates.set(String(e.event_ticker), e);
  }
  const single = body(join(golden, 'event_single_response.json')).event as Record<string, unknown> | undefined;
  if (single) evTemplates.set(String(single.event_ticker), single);
  for (const m of ref.markets.values()) {
    let e = ref.events.get(m.eventTicker);
    if (!e) {
      const t = evTemplates.get(m.eventTicker);
      e = {
        eventTicker: m.eventTicker,
        seriesTicker: typeof t?.series_ticker === 'string' ? t.series_ticker : m.seriesTicker,
        title: typeof t?.title === 'string' ? t.title : m.eventTicker,
        subTitle: typeof t?.sub_title === 'string' ? t.sub_title : '',
        category: typeof t?.category === 'string' ? t.category : '',
        mutuallyExclusive: t?.mutually_exclusive === true,
        marketTickers: [],
        template: t,
      } satisfies RefEvent;
      ref.events.set(e.eventTicker, e);
    }
    m.seriesTicker = e.seriesTicker;
    e.marketTickers.push(m.ticker);
  }

  // series: recorded series JSON (list + single), inferred for the rest
  const seriesList = body(join(golden, 'series_list_response.json')).series as Record<string, unknown>[] | undefined;
  const seriesSingle = body(join(golden, 'series_single_response.json')).series as Record<string, unknown> | undefined;
  for (const s of [...(seriesList ?? []), ...(seriesSingle ? [seriesSingle] : [])]) if (typeof s.ticker === 'string') ref.series.set(s.ticker, s);
  for (const e of ref.events.values()) {
    if (!ref.series.has(e.seriesTicker)) {
      ref.series.set(e.seriesTicker, { ticker: e.seriesTicker, title: e.seriesTicker, category: e.category, frequency: 'custom', tags: [], settlement_sources: [], contract_url: '', contract_terms_url: '', fee_type: 'quadratic', fee_multiplier: 1, additional_prohibitions: [] });
    }
  }

  const markets: SeedMarket[] = [...ref.markets.values()].map((m) => {
    const t = m.template;
    const book = books.get(m.ticker) ?? { yes: [], no: [] };
    const fractional = t?.fractional_trading_enabled === true || [...book.yes, ...book.no].some(([, s]) => s % 100 !== 0);
    return {
      ref: m,
      tickStructure: m.priceLevelStructure as TickStructure,
      fractionalTradingEnabled: fractional,
      marketId: undefined,
      book,
    };
  });
  return { reference: ref, markets };
}

/** Account that holds the seeded liquidity. */
export const HOUSE_ACCOUNT = 'house';
/** Cash of the house account, ticks ($10,000,000: the seeded books cost about $1.95M). */
export const HOUSE_CASH_TICKS = 100_000_000_000;

/**
 * Lists every seed market on the venue and rests the seed books as post-only orders of {@link HOUSE_ACCOUNT}.
 * @returns the number of orders placed and of levels refused (a level off the market's tick grid, say).
 */
export async function seedVenue(venue: Venue, seed: LiveSeed, log: (m: string) => void = () => undefined): Promise<{ orders: number; refused: number }> {
  await venue.createAccount(HOUSE_ACCOUNT, HOUSE_CASH_TICKS);
  let orders = 0;
  let refused = 0;
  for (const m of seed.markets) {
    const r = await venue.createMarket({ marketTicker: m.ref.ticker, tickStructure: m.tickStructure, fractionalTradingEnabled: m.fractionalTradingEnabled, seriesTicker: m.ref.seriesTicker });
    if (!r.ok) throw new Error(`cannot list seed market ${m.ref.ticker}: ${r.message}`);
    const pending: Array<Promise<{ ok: boolean; message?: string }>> = [];
    for (const side of ['yes', 'no'] as const) {
      for (const [priceTicks, sizeCentis] of m.book[side]) {
        pending.push(venue.placeOrder(HOUSE_ACCOUNT, { marketTicker: m.ref.ticker, side, action: 'buy', priceTicks, sizeCentis, postOnly: true }, 'admin'));
      }
    }
    for (const p of await Promise.all(pending)) {
      if (p.ok) orders++;
      else {
        refused++;
        log(`seed: a level of ${m.ref.ticker} was refused: ${p.message}`);
      }
    }
  }
  return { orders, refused };
}

/** True when the default seed files exist under `repoRoot`. */
export function hasLiveSeed(files: LiveSeedFiles): boolean {
  return existsSync(files.restFixturesDir) && existsSync(files.captureBooksPath);
}
