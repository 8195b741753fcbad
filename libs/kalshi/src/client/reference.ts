/**
 * Reference data from a Kalshi `GET /events?with_nested_markets=true` body: events, whether their markets
 * are mutually exclusive, and each market's strike. Accepts the fixed-point and the legacy (pre-2026)
 * bodies alike (only dialect-independent fields are read).
 */

/** A market as reference data (no prices). */
export interface ReferenceMarket {
  ticker: string;
  eventTicker: string;
  title?: string;
  yesSubTitle?: string;
  status?: string;
  /** `greater`, `greater_or_equal`, `less`, `between`, ... as Kalshi sends it */
  strikeType?: string;
  floorStrike?: number;
  capStrike?: number;
  priceLevelStructure?: string;
}

/** An event with its markets. */
export interface ReferenceEvent {
  eventTicker: string;
  seriesTicker: string;
  title: string;
  subTitle?: string;
  category?: string;
  mutuallyExclusive: boolean;
  markets: ReferenceMarket[];
}

/** Error for a body that is not an events response; the message names the field. */
export class ReferenceDataError extends Error {}

function str(o: Record<string, unknown>, k: string, where: string, required: true): string;
function str(o: Record<string, unknown>, k: string, where: string, required: false): string | undefined;
function str(o: Record<string, unknown>, k: string, where: string, required: boolean): string | undefined {
  const v = o[k];
  if (v === undefined || v === null) {
    if (required) throw new ReferenceDataError(`${where}.${k} is missing`);
    return undefined;
  }
  if (typeof v !== 'string') throw new ReferenceDataError(`${where}.${k} must be a string, got ${JSON.stringify(v)}`);
  return v;
}

function num(o: Record<string, unknown>, k: string, where: string): number | undefined {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new ReferenceDataError(`${where}.${k} must be a number, got ${JSON.stringify(v)}`);
  return n;
}

/**
 * Reads events and their nested markets from an events body (`{events: [...], cursor}`) or a single-event
 * body (`{event, markets}`).
 * @throws ReferenceDataError naming the offending field.
 */
export function referenceEventsFromBody(body: unknown): ReferenceEvent[] {
  if (typeof body !== 'object' || body === null) throw new ReferenceDataError('events body must be a JSON object');
  const b = body as Record<string, unknown>;
  let raw: unknown[];
  if (Array.isArray(b.events)) raw = b.events;
  else if (typeof b.event === 'object' && b.event !== null) raw = [{ ...(b.event as object), markets: b.markets ?? (b.event as Record<string, unknown>).markets }];
  else throw new ReferenceDataError('events body has neither an "events" array nor an "event" object');
  return raw.map((e, i) => {
    const where = `events[${i}]`;
    if (typeof e !== 'object' || e === null) throw new ReferenceDataError(`${where} must be an object`);
    const o = e as Record<string, unknown>;
    const eventTicker = str(o, 'event_ticker', where, true);
    const me = o.mutually_exclusive;
    if (me !== undefined && typeof me !== 'boolean') throw new ReferenceDataError(`${where}.mutually_exclusive must be a boolean`);
    const marketsRaw = o.markets ?? [];
    if (!Array.isArray(marketsRaw)) throw new ReferenceDataError(`${where}.markets must be an array`);
    const markets = marketsRaw.map((m, j) => {
      const mw = `${where}.markets[${j}]`;
      if (typeof m !== 'object' || m === null) throw new ReferenceDataError(`${mw} must be an object`);
      const mo = m as Record<string, unknown>;
      return {
        ticker: str(mo, 'ticker', mw, true),
        eventTicker: str(mo, 'event_ticker', mw, false) ?? eventTicker,
        title: str(mo, 'title', mw, false),
        yesSubTitle: str(mo, 'yes_sub_title', mw, false),
        status: str(mo, 'status', mw, false),
        strikeType: str(mo, 'strike_type', mw, false),
        floorStrike: num(mo, 'floor_strike', mw),
        capStrike: num(mo, 'cap_strike', mw),
        priceLevelStructure: str(mo, 'price_level_structure', mw, false),
      };
    });
    return {
      eventTicker,
      seriesTicker: str(o, 'series_ticker', where, false) ?? eventTicker.split('-')[0],
      title: str(o, 'title', where, false) ?? eventTicker,
      subTitle: str(o, 'sub_title', where, false),
      category: str(o, 'category', where, false),
      mutuallyExclusive: me === true,
      markets,
    };
  });
}
