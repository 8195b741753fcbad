import { OddsError } from '../errors';
import { describeValue } from '@kalshi-platform/market';

/**
 * Invalid input to event matching (`matchKalshiEvents`, `parseMatchOverrides`, alias-table indexing): a field of the
 * wrong type, a market ticker that does not start with its event ticker, a duplicate id, an option out of range, a
 * table code that denotes two teams. `field` is the dotted path of the offending field from the argument
 * (`kalshiMarkets[3].marketTicker`, `overrides.KXNBAGAME-24MAR26LALMIL.outcomes`, `options.windowMs`); the message
 * names it and quotes the value. Data that is merely unmatchable (unknown series, unknown team, no game in the
 * window) is not an error: it is reported as an `unmatched`/`ambiguous` result.
 */
export class EventMatchInputError extends OddsError {
  constructor(
    readonly field: string,
    expected: string,
    readonly value: unknown,
  ) {
    super('invalid_match_input', `${field}: expected ${expected}, got ${describeValue(value)}`);
    this.name = 'EventMatchInputError';
  }
}
