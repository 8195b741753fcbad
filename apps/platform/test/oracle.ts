/** The real demo capture and its derived final-book oracle (shared/data, copied under data/samples). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Report } from '../src/report';

export const SAMPLE_DIR = resolve(__dirname, '../../../data/samples/kalshi-demo-ws-capture-2026-07-01');
export const CAPTURE = resolve(SAMPLE_DIR, 'ws_session_orderbook_delta_fill.jsonl');

interface OracleBook {
  yes_dollars_fp: Array<[string, string]>;
  no_dollars_fp: Array<[string, string]>;
  best_yes_bid: string;
  implied_yes_ask: string;
}

export const ORACLE: Record<string, OracleBook> = JSON.parse(readFileSync(resolve(SAMPLE_DIR, 'DERIVED_expected_final_books.json'), 'utf8'));

/** Asserts that the report's books and BBO equal the oracle exactly, market by market. */
export function expectBooksMatchOracle(report: Report): void {
  expect(Object.keys(report.books).sort()).toEqual(Object.keys(ORACLE).sort());
  for (const [ticker, o] of Object.entries(ORACLE)) {
    expect({ ticker, yes: report.books[ticker].yes_dollars_fp, no: report.books[ticker].no_dollars_fp }).toEqual({ ticker, yes: o.yes_dollars_fp, no: o.no_dollars_fp });
    expect(report.bbo[ticker].yes_bid_dollars).toBe(o.best_yes_bid);
    expect(report.bbo[ticker].yes_ask_dollars).toBe(o.implied_yes_ask);
  }
  expect(report.stats.invalid_books).toEqual([]);
}
