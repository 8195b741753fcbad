/**
 * `kalshi-platform odds --file ODDS.json [--method multiplicative|additive|power|shin] [--consensus median|mean]
 * [--max-age-s N] [--format table|json]` (issue #5, command-line contract: keep it stable).
 *
 * Reads a saved The Odds API v4 odds response (libs/odds-api `FileOddsSource`), decodes it (libs/odds
 * `decodeOddsResponse`, American or decimal prices), and prints each event's de-vigged consensus of its `h2h` market:
 * every book's prices de-vigged with `--method`, then the `--consensus` (median or mean) per outcome, renormalised to
 * sum to 1; stale quotes (`--max-age-s`) and outlier books are dropped first (libs/odds `consensus`).
 *
 * - JSON: `[{"id","sport_key","commence_time","home_team","away_team","books": N, "fair": {"<outcome>": "0.5234"}}]`,
 *   fair probabilities as decimal strings with 4 places (rounded half-up from the exact value).
 * - The age filter's "now" is the newest `last_update` in the file (a saved response has no other clock); without
 *   `--max-age-s` no quote is dropped for age.
 * - Events with no usable book are left out of the output and listed on stderr with the reasons. Bad flags or an
 *   unreadable / undecodable file exit 2 naming the flag or the JSON path.
 */
import type { Command } from 'commander';
import { consensus, decodeOddsResponse, DEVIG_METHODS, eventQuotes, formatProbability, OddsError, type DevigMethod, type OddsApiEvent } from '@kalshi-platform/odds';
import { FileOddsSource, OddsSourceError } from '@kalshi-platform/odds-api';
import { formatTable } from './demo';
import { optionsOrExit, resultOrExit } from './flags';

export const CONSENSUS_AGGREGATES = ['median', 'mean'] as const;
export const ODDS_OUTPUT_FORMATS = ['table', 'json'] as const;

export interface OddsCommandOptions {
  file: string;
  method: DevigMethod;
  consensus: (typeof CONSENSUS_AGGREGATES)[number];
  /** drop quotes older than this (s) relative to the newest `last_update` in the file; undefined = no age filter */
  maxAgeS?: number;
  format: (typeof ODDS_OUTPUT_FORMATS)[number];
}

/** One event of the output (the JSON contract). */
export interface OddsEventFair {
  id: string;
  sport_key: string;
  commence_time: string;
  home_team: string | null;
  away_team: string | null;
  books: number;
  fair: Record<string, string>;
}

export interface OddsResult {
  events: OddsEventFair[];
  /** events without a consensus, with why */
  skipped: Array<{ id: string; reason: string }>;
  /** books dropped per event (stale, outlier, ...), for the table output */
  dropped: Record<string, string[]>;
}

/** Bad command-line input or an unusable file: exit 2. */
export class OddsArgError extends Error {}

export interface OddsCliFlags {
  file?: string;
  method?: string;
  consensus?: string;
  maxAgeS?: string;
  format?: string;
}

/** @throws OddsArgError naming the flag */
export function oddsOptionsFromFlags(flags: OddsCliFlags): OddsCommandOptions {
  if (!flags.file) throw new OddsArgError('--file is required (a saved The Odds API v4 odds response)');
  const method = flags.method ?? 'multiplicative';
  if (!(DEVIG_METHODS as readonly string[]).includes(method)) throw new OddsArgError(`--method: must be one of ${DEVIG_METHODS.join(', ')}, got ${JSON.stringify(method)}`);
  const agg = flags.consensus ?? 'median';
  if (!(CONSENSUS_AGGREGATES as readonly string[]).includes(agg)) throw new OddsArgError(`--consensus: must be one of ${CONSENSUS_AGGREGATES.join(', ')}, got ${JSON.stringify(agg)}`);
  const format = flags.format ?? 'table';
  if (!(ODDS_OUTPUT_FORMATS as readonly string[]).includes(format)) throw new OddsArgError(`--format: must be one of ${ODDS_OUTPUT_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  let maxAgeS: number | undefined;
  if (flags.maxAgeS !== undefined) {
    if (!/^\d{1,9}$/.test(flags.maxAgeS)) throw new OddsArgError(`--max-age-s: expected a whole number of seconds, got ${JSON.stringify(flags.maxAgeS)}`);
    maxAgeS = Number(flags.maxAgeS);
  }
  return { file: flags.file, method: method as DevigMethod, consensus: agg as OddsCommandOptions['consensus'], maxAgeS, format: format as OddsCommandOptions['format'] };
}

const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** The newest quote time in the response: the "now" of a saved file. */
function newestUpdateMs(events: readonly OddsApiEvent[]): number {
  let newest = 0;
  for (const e of events) for (const b of e.bookmakers) for (const m of b.markets) newest = Math.max(newest, m.lastUpdateMs);
  return newest;
}

/**
 * Reads, decodes and de-vigs the file.
 * @throws OddsArgError for an unreadable file or a body that is not a v4 odds response (the message names the path)
 */
export async function runOdds(opts: OddsCommandOptions): Promise<OddsResult> {
  let body: string;
  try {
    body = (await new FileOddsSource(opts.file).getOdds()).body;
  } catch (e) {
    if (e instanceof OddsSourceError) throw new OddsArgError(`--file: ${e.message}`);
    throw e;
  }
  const decoded = decodeOddsResponse(body, { format: 'auto' });
  if (!decoded.ok) throw new OddsArgError(`--file ${opts.file}: not a The Odds API v4 odds response: ${decoded.error.message}`);
  const events = decoded.value.events;
  const nowMs = newestUpdateMs(events);
  const out: OddsResult = { events: [], skipped: [], dropped: {} };
  for (const e of events) {
    const quotes = eventQuotes(e, 'h2h');
    if (quotes.length === 0) {
      out.skipped.push({ id: e.id, reason: 'no h2h market' });
      continue;
    }
    try {
      const c = consensus(quotes, {
        method: opts.method,
        consensus: opts.consensus,
        priceFormat: decoded.value.format,
        ...(opts.maxAgeS !== undefined ? { maxAgeMs: opts.maxAgeS * 1000, nowMs } : {}),
      });
      out.events.push({
        id: e.id,
        sport_key: e.sportKey,
        commence_time: isoSeconds(e.commenceTsMs),
        home_team: e.homeTeam ?? null,
        away_team: e.awayTeam ?? null,
        books: c.books.length,
        fair: Object.fromEntries(c.outcomes.map((o) => [o.name, formatProbability(o.fairProbability, 4)])),
      });
      if (c.dropped.length > 0) out.dropped[e.id] = c.dropped.map((d) => `${d.bookmaker} (${d.reason})`);
    } catch (err) {
      if (!(err instanceof OddsError)) throw err;
      out.skipped.push({ id: e.id, reason: err.message });
    }
  }
  return out;
}

/** The table output: one row per outcome. */
export function formatOddsTable(r: OddsResult): string {
  const rows: string[][] = [];
  for (const e of r.events) {
    const names = Object.keys(e.fair);
    names.forEach((name, i) =>
      rows.push(
        i === 0
          ? [e.sport_key, e.commence_time, `${e.away_team ?? '?'} @ ${e.home_team ?? '?'}`, String(e.books), name, e.fair[name], (r.dropped[e.id] ?? []).join(', ')]
          : ['', '', '', '', name, e.fair[name], ''],
      ),
    );
  }
  return formatTable(['sport', 'commence', 'event', 'books', 'outcome', 'fair', 'dropped'], rows, new Set([3, 5]));
}

/** Registers `odds` on the program. */
export const registerOdds = (program: Command): void => {
  program
    .command('odds')
    .description(
      "De-vigged sportsbook consensus of a saved The Odds API v4 odds response: each book's h2h prices de-vigged, then the median " +
        '(or mean) per outcome renormalised to 1, after dropping stale quotes and outlier books.',
    )
    .option('--file <file>', 'a saved The Odds API v4 odds response (JSON array)')
    .option('--method <method>', `de-vig method: ${DEVIG_METHODS.join(' | ')}`, 'multiplicative')
    .option('--consensus <how>', 'median | mean across books', 'median')
    .option('--max-age-s <n>', "drop quotes older than N s before the file's newest last_update (default: no age filter)")
    .option('--format <format>', 'table | json', 'table')
    .action(async (flags: OddsCliFlags) => {
      const opts = optionsOrExit('odds', (e) => e instanceof OddsArgError, () => oddsOptionsFromFlags(flags));
      const r = await resultOrExit('odds', (e) => e instanceof OddsArgError, () => runOdds(opts));
      for (const s of r.skipped) process.stderr.write(`kalshi-platform odds: no consensus for event ${s.id}: ${s.reason}\n`);
      process.stdout.write(opts.format === 'json' ? `${JSON.stringify(r.events, null, 2)}\n` : `${formatOddsTable(r)}\n`);
    });
};
