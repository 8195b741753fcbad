/**
 * `kalshi-platform demo` (issue #4): a read-only tour of one series over Kalshi's public REST endpoints (no
 * signature needed): `GET /series/{series}` -> its open markets (`GET /markets?series_ticker=&status=open`, cursor
 * paged until the cursor comes back empty) -> for the first `--limit` markets the order book
 * (`GET /markets/{ticker}/orderbook`: best YES bid / YES ask with sizes and ladder depth) and the recent trades
 * (`GET /markets/trades?ticker=&limit=5`), printed as aligned text tables.
 *
 * Prices and sizes stay fixed-point end to end: the decoders turn Kalshi's strings into integer ticks / centis,
 * YES ask = 1 - best NO bid is computed in ticks, and `formatPriceDollars` / `formatSizeFp` print them back in
 * Kalshi's own form (`"0.1200"`, `"1966.33"`); no floats.
 *
 * Base URL: `--rest-url`, then env `KALSHI_REST_URL`, then Kalshi production. Exit codes: 0 ok, 2 bad argument or
 * unknown series (the message names it), 1 anything else (network, HTTP, undecodable body).
 */
import type { Command } from 'commander';
import { decodeMarketsList, decodeOrderbook, decodeSeries, decodeTrades, KalshiHttpError, KalshiRestClient, type DecodeResult, type Market, type Orderbook, type Trade } from '@kalshi-platform/kalshi';
import { formatPriceDollars, formatSizeFp, parsePriceDollars, type Level, type PriceTicks, type SizeCentis } from '@kalshi-platform/market';

/** Kalshi production REST base URL. */
export const KALSHI_PRODUCTION_REST_URL = 'https://external-api.kalshi.com/trade-api/v2';
/** Markets whose book and trades are shown when `--limit` is not given. */
export const DEFAULT_DEMO_LIMIT = 3;
/** Trades shown per market. */
export const DEMO_TRADES_PER_MARKET = 5;

/** $1 in ticks: YES ask = ONE - best NO bid. */
const ONE_DOLLAR: PriceTicks = parsePriceDollars('1');

export interface DemoOptions {
  series: string;
  /** base URL, e.g. `http://127.0.0.1:8080/trade-api/v2` */
  restUrl: string;
  /** markets whose order book and trades are fetched (default {@link DEFAULT_DEMO_LIMIT}) */
  limit?: number;
  /** page size of the market listing (default 200) */
  pageLimit?: number;
}

/** A bad argument or an unknown series; the message names it. The CLI exits 2. */
export class DemoArgError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoArgError';
  }
}

/** Best bids / asks of a REST order book, in ticks and centis. */
export interface BookTop {
  yesBid?: Level;
  /** YES ask derived from the best NO bid: `[1 - noBid, noBidSize]` */
  yesAsk?: Level;
  yesLevels: number;
  noLevels: number;
  yesDepthCentis: SizeCentis;
  noDepthCentis: SizeCentis;
}

/** Best YES bid (last YES level) and YES ask (1 - last NO level) plus ladder depth. */
export function bookTop(book: Orderbook): BookTop {
  const yesBest = book.yes[book.yes.length - 1];
  const noBest = book.no[book.no.length - 1];
  const sum = (l: Level[]) => l.reduce((a, [, s]) => a + s, 0);
  return {
    yesBid: yesBest,
    yesAsk: noBest ? [ONE_DOLLAR - noBest[0], noBest[1]] : undefined,
    yesLevels: book.yes.length,
    noLevels: book.no.length,
    yesDepthCentis: sum(book.yes),
    noDepthCentis: sum(book.no),
  };
}

/** Renders rows as an aligned text table (header, dashes, rows); columns in `right` are right-aligned. */
export function formatTable(header: string[], rows: string[][], right: ReadonlySet<number> = new Set()): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}

function unwrap<T>(r: DecodeResult<T>, what: string): T {
  if (!r.ok) throw new Error(`${what}: undecodable body: ${r.error.message}`);
  return r.value;
}

const px = (t: PriceTicks | undefined): string => (t === undefined ? '-' : formatPriceDollars(t));
const sz = (c: SizeCentis | undefined): string => (c === undefined ? '-' : formatSizeFp(c));

/** Runs the tour, writing the tables through `write`. @throws DemoArgError for an unknown series. */
export async function runDemo(opts: DemoOptions, write: (text: string) => void = (t) => process.stdout.write(t)): Promise<{ markets: number; shown: number }> {
  const limit = opts.limit ?? DEFAULT_DEMO_LIMIT;
  const client = new KalshiRestClient({ baseUrl: opts.restUrl, maxAttempts: 3 });
  const series = opts.series;

  let seriesBody: unknown;
  try {
    seriesBody = await client.get(`series/${encodeURIComponent(series)}`);
  } catch (e) {
    if (e instanceof KalshiHttpError && (e.status === 404 || e.status === 400)) throw new DemoArgError(`unknown series ${JSON.stringify(series)} (GET /series/${series} -> HTTP ${e.status})`);
    throw e;
  }
  const s = unwrap(decodeSeries(seriesBody), `GET /series/${series}`);

  const markets: Market[] = [];
  let cursor: string | undefined;
  for (let page = 0; ; page++) {
    if (page >= 10_000) throw new Error('GET /markets: more than 10000 pages');
    const body = await client.get('markets', { series_ticker: series, status: 'open', limit: opts.pageLimit ?? 200, cursor });
    const p = unwrap(decodeMarketsList(body), 'GET /markets');
    markets.push(...p.markets);
    if (!p.cursor) break;
    cursor = p.cursor;
  }

  write(`Series ${s.ticker}: ${s.title}${s.category ? ` [${s.category}]` : ''}${s.frequency ? `, ${s.frequency}` : ''}\n`);
  write(`${markets.length} open market${markets.length === 1 ? '' : 's'}\n\n`);
  if (markets.length === 0) return { markets: 0, shown: 0 };
  write(
    formatTable(
      ['MARKET', 'STATUS', 'YES BID', 'YES ASK', 'LAST', 'VOLUME', 'TITLE'],
      markets.map((m) => [m.ticker, m.status, px(m.yesBidTicks), px(m.yesAskTicks), px(m.lastPriceTicks), sz(m.volumeCentis), m.title ?? '']),
      new Set([2, 3, 4, 5]),
    ),
  );

  const shown = markets.slice(0, Math.max(0, limit));
  const books: string[][] = [];
  const trades: Trade[] = [];
  for (const m of shown) {
    const t = encodeURIComponent(m.ticker);
    const top = bookTop(unwrap(decodeOrderbook(await client.get(`markets/${t}/orderbook`)), `GET /markets/${m.ticker}/orderbook`));
    books.push([
      m.ticker,
      sz(top.yesBid?.[1]),
      px(top.yesBid?.[0]),
      px(top.yesAsk?.[0]),
      sz(top.yesAsk?.[1]),
      top.yesBid && top.yesAsk ? formatPriceDollars(top.yesAsk[0] - top.yesBid[0]) : '-',
      `${top.yesLevels} / ${formatSizeFp(top.yesDepthCentis)}`,
      `${top.noLevels} / ${formatSizeFp(top.noDepthCentis)}`,
    ]);
    const tp = unwrap(decodeTrades(await client.get('markets/trades', { ticker: m.ticker, limit: DEMO_TRADES_PER_MARKET })), `GET /markets/trades?ticker=${m.ticker}`);
    trades.push(...tp.trades.slice(0, DEMO_TRADES_PER_MARKET));
  }
  write(`\nOrder books (first ${shown.length}; YES ask = 1 - best NO bid; depth = levels / contracts)\n`);
  write(formatTable(['MARKET', 'BID SIZE', 'YES BID', 'YES ASK', 'ASK SIZE', 'SPREAD', 'YES DEPTH', 'NO DEPTH'], books, new Set([1, 2, 3, 4, 5, 6, 7])));
  write(`\nRecent trades (up to ${DEMO_TRADES_PER_MARKET} per market)\n`);
  if (trades.length === 0) write('(none)\n');
  else
    write(
      formatTable(
        ['MARKET', 'TIME', 'TAKER', 'YES PRICE', 'NO PRICE', 'COUNT', 'TRADE ID'],
        trades.map((tr) => [tr.ticker, tr.createdTime ?? '-', tr.takerSide ?? '-', formatPriceDollars(tr.yesPriceTicks), formatPriceDollars(tr.noPriceTicks), formatSizeFp(tr.countCentis), tr.tradeId]),
        new Set([3, 4, 5]),
      ),
    );
  return { markets: markets.length, shown: shown.length };
}

export interface DemoCliFlags {
  series?: string;
  restUrl?: string;
  limit?: string;
}

/** Flags (then env `KALSHI_REST_URL`, then production) → options. @throws DemoArgError naming the flag */
export function demoOptionsFromFlags(flags: DemoCliFlags, env: NodeJS.ProcessEnv = process.env): DemoOptions {
  if (!flags.series) throw new DemoArgError('--series: is required');
  const restUrl = flags.restUrl ?? env.KALSHI_REST_URL ?? KALSHI_PRODUCTION_REST_URL;
  try {
    new URL(restUrl);
  } catch {
    throw new DemoArgError(`--rest-url: not a URL: ${JSON.stringify(restUrl)}`);
  }
  let limit = DEFAULT_DEMO_LIMIT;
  if (flags.limit !== undefined) {
    if (!/^\d+$/.test(flags.limit)) throw new DemoArgError(`--limit: not a non-negative integer: ${JSON.stringify(flags.limit)}`);
    limit = Number(flags.limit);
  }
  return { series: flags.series, restUrl, limit };
}

/** Registers `demo` on the program. */
export const registerDemo = (program: Command): void => {
  program
    .command('demo')
    .description("Show a series' open markets, top of book and recent trades (public endpoints, no credentials)")
    .option('--series <ticker>', 'series ticker, e.g. KXHIGHNY')
    .option('--rest-url <url>', `REST base URL (env KALSHI_REST_URL, default ${KALSHI_PRODUCTION_REST_URL})`)
    .option('--limit <n>', `markets whose order book and trades are shown (default ${DEFAULT_DEMO_LIMIT})`)
    .action(async (flags: DemoCliFlags) => {
      try {
        await runDemo(demoOptionsFromFlags(flags));
      } catch (e) {
        if (e instanceof DemoArgError) {
          process.stderr.write(`kalshi-platform demo: ${e.message}\n`);
          process.exit(2);
        }
        throw e;
      }
    });
};
