/**
 * The market-maker runner: the I/O around the pure quoting logic of libs/strategy (`MarketMakerQuoter`).
 *
 * Every cycle, for each market it makes:
 * 1. steps the market's seeded random walk and computes the two-sided quote (YES bid, YES ask; ticks);
 * 2. reads its resting orders (`GET /portfolio/orders?status=resting`) and its new fills (`GET /portfolio/fills`);
 * 3. moves each quote, in the order of libs/strategy's `planQuoteMoves`: the side moving away from the other first
 *    (mid up: the ask first, then the bid; down: the bid first), so its own bid and ask never cross in between (a
 *    post_only amend would be refused with `post_only_would_cross`, a plain one would self-trade). A still-resting
 *    quote is amended in place (`POST /portfolio/orders/{id}/amend`, new price, total count = filled so far +
 *    `quantity`, a new `updated_client_order_id`); a quote that is gone (filled or canceled) is posted anew
 *    (`POST /portfolio/orders`, good_till_canceled, a fresh `client_order_id`); an unchanged quote is left alone (no
 *    write). An amend the exchange refuses leaves the old order resting, so it is canceled first
 *    (`DELETE /portfolio/orders/{id}`; if that is refused too, `GET /portfolio/orders/{id}` tells whether it still
 *    rests) and only once it is gone is a replacement posted: the runner never leaves an order resting that it does
 *    not track. A still-resting order of one side whose move failed is not crossed by the other side's move (that
 *    side waits for the next cycle);
 * 4. logs one line: per market mid / bid / ask, and the fills so far.
 * On stop it cancels every order it placed that still rests (`DELETE /portfolio/orders/{id}`), then sweeps
 * `GET /portfolio/orders?status=resting` for any order carrying its client-order-id prefix.
 *
 * The YES bid is **buy YES** at the bid; the YES ask is **buy NO at $1 − ask** (the same book level on Kalshi's single
 * book, docs.kalshi.com/getting_started/orderbook_responses): it needs no YES inventory, its collateral is its own
 * price, and a NO bought against held YES nets the position out as Kalshi does.
 *
 * All requests go through the platform's own signed client (`KalshiRestClient`, RSA-PSS) and are decoded with
 * libs/kalshi's REST decoders, so every quote exercises the real path. Prices are integer ticks (1/10000 $), sizes
 * integer centis (1/100 contract); the wire carries Kalshi's fixed-point strings (`*_dollars`, `*_fp`).
 * Endpoints and fields: docs.kalshi.com/api-reference/orders (create-order, amend-order, cancel-order, get-orders),
 * api-reference/portfolio (get-fills), api-reference/market (get-market, get-markets).
 */
import {
  decodeAmendOrder,
  decodeCancelOrder,
  decodeFills,
  decodeMarket,
  decodeMarketsList,
  decodeOrder,
  decodeOrders,
  KalshiHttpError,
  type DecodeResult,
  type Fill,
  type KalshiRestClient,
  type Market,
  type Order,
} from '@kalshi-platform/kalshi';
import { formatPriceDollars, formatSizeFp, ONE_DOLLAR, type PriceTicks, type SizeCentis } from '@kalshi-platform/market';
import { MarketMakerQuoter, planQuoteMoves, quotesCross, type TwoSidedQuote } from '@kalshi-platform/strategy';

/** Configuration of a {@link MarketMaker} (integers: ticks and centis). */
export interface MarketMakerConfig {
  /** a signed client for the exchange's REST base (`…/trade-api/v2`) */
  client: KalshiRestClient;
  /** markets to quote; `'all'` = every open market; undefined = the first {@link DEFAULT_MARKET_COUNT} open markets */
  tickers?: string[] | 'all';
  /** cycle period, ms */
  intervalMs: number;
  /** walk and quote bounds, ticks (inclusive; snapped inward to each market's grid) */
  priceMinTicks: PriceTicks;
  priceMaxTicks: PriceTicks;
  /** quoted width ask − bid, ticks */
  spreadTicks: PriceTicks;
  /** size of each quote, centis */
  quantityCentis: SizeCentis;
  /** PRNG seed; market i walks with seed + i */
  seed: number;
  /** largest walk step per cycle, in grid steps (default 2) */
  maxStepGridTicks?: number;
  /** stop after this many quoting cycles (undefined = until {@link MarketMaker.stop}) */
  maxCycles?: number;
  /** post quotes as post_only (a quote that would cross is then refused by the exchange and retried next cycle) */
  postOnly?: boolean;
  /** prefix of every client_order_id (≤ 40 characters of `[A-Za-z0-9_-]`); identifies this runner's orders */
  clientOrderIdPrefix: string;
  /** one line per cycle and a few lifecycle lines (default: none) */
  log?: (line: string) => void;
}

/** Markets quoted when no tickers are given: Kalshi's Basic tier allows 10 writes/s, a cycle costs ≤ 2 per market. */
export const DEFAULT_MARKET_COUNT = 2;

/** One side of a market's quote as last seen on the exchange. */
export interface QuoteSlot {
  /** `yes` for the bid (buy YES), `no` for the ask (buy NO at 1 − ask) */
  side: 'yes' | 'no';
  orderId?: string;
  clientOrderId?: string;
  /** own-side limit price of the live order, ticks */
  priceTicks?: PriceTicks;
  /** the order's fill count so far, centis */
  filledCentis: SizeCentis;
  remainingCentis: SizeCentis;
  resting: boolean;
}

/** What the runner knows about one quoted market. */
export interface QuotedMarket {
  ticker: string;
  structure: Market['priceLevelStructure'];
  quoter: MarketMakerQuoter;
  quote: TwoSidedQuote | null;
  bid: QuoteSlot;
  ask: QuoteSlot;
  /** position from this runner's fills, centis, YES terms (+ YES held, − NO held) */
  positionCentis: SizeCentis;
}

/**
 * What one side did in a cycle: `kept` (unchanged), `amended` (in place, same order id), `placed` (a new order: none
 * rested, or the amend was refused and the old order canceled first), `refused` (no new order: the exchange refused
 * it, or the old order could not be taken off the book, or the move would have crossed this runner's other side).
 */
export type SlotAction = 'kept' | 'amended' | 'placed' | 'refused';

/** Result of one {@link MarketMaker.cycle}. */
export interface CycleReport {
  cycle: number;
  markets: Array<{ ticker: string; quote: TwoSidedQuote; bid: SlotAction; ask: SlotAction; bidOrderId?: string; askOrderId?: string; positionCentis: SizeCentis }>;
  /** fills of this runner's orders seen so far (all cycles) */
  fills: number;
  fillCentis: SizeCentis;
  /** fills first seen in this cycle */
  newFills: Fill[];
  /** the log line */
  line: string;
}

/** Throws with the decoder's message when a body does not decode. */
function must<T>(r: DecodeResult<T>, what: string): T {
  if (!r.ok) throw new Error(`${what}: unexpected body: ${r.error.message}`);
  return r.value;
}

/** A 4xx answer (the exchange refused: e.g. the order is gone, would cross post-only, no balance). */
function isRefusal(e: unknown): e is KalshiHttpError {
  return e instanceof KalshiHttpError && e.status >= 400 && e.status < 500 && e.status !== 429;
}

/** The error code of a Kalshi error body (`{"error":{"code"}}` or `{"code"}`), or `?`. */
function errorCode(e: KalshiHttpError): string {
  const b = e.body as { error?: { code?: unknown }; code?: unknown } | null;
  const c = b && typeof b === 'object' ? (b.error?.code ?? b.code) : undefined;
  return typeof c === 'string' ? c : '?';
}

const MARKET_OPEN = new Set(['active', 'open']);

/** See the module docstring. */
export class MarketMaker {
  readonly markets: QuotedMarket[] = [];
  /** every fill of this runner's orders, in the order the exchange listed them per poll */
  readonly fills: Fill[] = [];
  /** every order id this runner placed */
  readonly orderIds = new Set<string>();
  private readonly seenFills = new Set<string>();
  private readonly client: KalshiRestClient;
  private readonly log: (line: string) => void;
  private cycles = 0;
  private nextClientId = 1;
  private fillsSinceSec = 0;
  private stopped = false;
  private wake: (() => void) | null = null;
  private started = false;

  constructor(private readonly cfg: MarketMakerConfig) {
    if (!/^[A-Za-z0-9_-]{1,40}$/.test(cfg.clientOrderIdPrefix)) throw new RangeError(`client order id prefix must be 1-40 characters of [A-Za-z0-9_-], got ${JSON.stringify(cfg.clientOrderIdPrefix)}`);
    if (!Number.isSafeInteger(cfg.quantityCentis) || cfg.quantityCentis <= 0) throw new RangeError(`quantity must be a positive number of centis, got ${cfg.quantityCentis}`);
    if (!Number.isSafeInteger(cfg.intervalMs) || cfg.intervalMs < 0) throw new RangeError(`interval must be a non-negative integer of ms, got ${cfg.intervalMs}`);
    this.client = cfg.client;
    this.log = cfg.log ?? (() => undefined);
  }

  /** Quoting cycles done so far. */
  get cycleCount(): number {
    return this.cycles;
  }

  /** Fills seen so far, centis. */
  get fillCentis(): SizeCentis {
    return this.fills.reduce((s, f) => s + f.countCentis, 0);
  }

  /**
   * Resolves the markets (`GET /markets?status=open` when no tickers are given, `GET /markets/{ticker}` each) and
   * builds their quoters from each market's `price_level_structure` and current top of book.
   * @throws Error naming a ticker that is unknown or not open, RangeError when the band does not fit a market's grid.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.fillsSinceSec = Math.floor(Date.now() / 1000) - 1;
    let tickers: string[];
    if (Array.isArray(this.cfg.tickers) && this.cfg.tickers.length > 0) tickers = this.cfg.tickers;
    else {
      const all = await this.client.getAll<unknown>('markets', 'markets', { status: 'open', limit: 1000 });
      const open = must(decodeMarketsList({ markets: all }), 'GET /markets').markets.filter((m) => MARKET_OPEN.has(m.status));
      tickers = (this.cfg.tickers === 'all' ? open : open.slice(0, DEFAULT_MARKET_COUNT)).map((m) => m.ticker);
      if (tickers.length === 0) throw new Error('the exchange lists no open market');
    }
    for (const [i, ticker] of tickers.entries()) {
      let m: Market;
      try {
        m = must(decodeMarket(await this.client.get(`markets/${encodeURIComponent(ticker)}`)), `GET /markets/${ticker}`);
      } catch (e) {
        if (e instanceof KalshiHttpError && e.status === 404) throw new Error(`unknown market ${ticker}`);
        throw e;
      }
      if (!MARKET_OPEN.has(m.status)) throw new Error(`market ${ticker} is not open (status ${m.status})`);
      let quoter: MarketMakerQuoter;
      try {
        quoter = new MarketMakerQuoter({
          structure: m.priceLevelStructure,
          priceMinTicks: this.cfg.priceMinTicks,
          priceMaxTicks: this.cfg.priceMaxTicks,
          spreadTicks: this.cfg.spreadTicks,
          maxStepGridTicks: this.cfg.maxStepGridTicks,
          seed: this.cfg.seed + i,
          marketBidTicks: m.yesBidTicks,
          marketAskTicks: m.yesAskTicks,
        });
      } catch (e) {
        throw new RangeError(`${ticker} (${m.priceLevelStructure}): ${(e as Error).message}`);
      }
      const slot = (side: 'yes' | 'no'): QuoteSlot => ({ side, filledCentis: 0, remainingCentis: 0, resting: false });
      this.markets.push({ ticker, structure: m.priceLevelStructure, quoter, quote: null, bid: slot('yes'), ask: slot('no'), positionCentis: 0 });
    }
    this.log(
      `market maker: ${this.markets.map((m) => `${m.ticker} (${m.structure}, band ${formatPriceDollars(m.quoter.band.lowTicks)}..${formatPriceDollars(m.quoter.band.highTicks)})`).join(', ')}; ` +
        `spread ${formatPriceDollars(this.cfg.spreadTicks)}, quantity ${formatSizeFp(this.cfg.quantityCentis)}, every ${this.cfg.intervalMs} ms, seed ${this.cfg.seed}`,
    );
  }

  /** One quoting cycle (see the module docstring). Starts the runner first if needed. */
  async cycle(): Promise<CycleReport> {
    await this.start();
    const first = this.cycles === 0;
    this.cycles++;
    for (const m of this.markets) m.quote = first ? m.quoter.current() : m.quoter.next();
    await this.refreshOrders();
    const newFills = await this.pollFills();
    const rows: CycleReport['markets'] = [];
    for (const m of this.markets) {
      const q = m.quote!;
      const actions: Record<'bid' | 'ask', SlotAction> = { bid: 'kept', ask: 'kept' };
      for (const step of planQuoteMoves(this.restingQuotes(m), q)) {
        const s = m[step.side];
        if (step.op === 'cancel') {
          if (s.resting && !(await this.cancelSlot(m, s))) actions[step.side] = 'refused';
          continue;
        }
        // the other side's move may have failed with its old order still resting: never cross it
        const other = this.restingQuotes(m);
        if (step.side === 'bid' ? quotesCross(q.bidTicks, other.askTicks) : quotesCross(other.bidTicks, q.askTicks)) {
          this.log(`${m.ticker} ${step.side} not moved: it would cross this runner's resting ${step.side === 'bid' ? 'ask' : 'bid'}`);
          actions[step.side] = 'refused';
          continue;
        }
        actions[step.side] = await this.moveSlot(m, s, step.side === 'bid' ? q.bidTicks : ONE_DOLLAR - q.askTicks);
      }
      const { bid, ask } = actions;
      rows.push({ ticker: m.ticker, quote: q, bid, ask, bidOrderId: m.bid.orderId, askOrderId: m.ask.orderId, positionCentis: m.positionCentis });
    }
    const mark = (a: SlotAction) => (a === 'refused' ? '!' : a === 'placed' ? '+' : a === 'amended' ? '~' : '=');
    const line =
      `cycle ${this.cycles} ` +
      rows
        .map(
          (r) =>
            `| ${r.ticker} mid ${formatPriceDollars(r.quote.midTicks)} bid ${formatPriceDollars(r.quote.bidTicks)}${mark(r.bid)} ask ${formatPriceDollars(r.quote.askTicks)}${mark(r.ask)} pos ${formatSizeFp(r.positionCentis)} `,
        )
        .join('') +
      `| fills ${this.fills.length} (${formatSizeFp(this.fillCentis)} contracts)`;
    this.log(line);
    return { cycle: this.cycles, markets: rows, fills: this.fills.length, fillCentis: this.fillCentis, newFills, line };
  }

  /**
   * Runs cycles every `intervalMs` until {@link stop} is called or `maxCycles` is reached, then cancels this runner's
   * resting orders. A cycle that fails (network, 5xx after retries) is logged and the next one tries again.
   * @returns the number of cycles run and of orders canceled at the end.
   */
  async run(): Promise<{ cycles: number; canceled: number; fills: number }> {
    await this.start();
    const t0 = Date.now();
    let k = 0;
    while (!this.stopped && (this.cfg.maxCycles === undefined || this.cycles < this.cfg.maxCycles)) {
      try {
        await this.cycle();
      } catch (e) {
        this.log(`cycle ${this.cycles} failed: ${(e as Error).message}`);
      }
      k++;
      if (this.stopped || (this.cfg.maxCycles !== undefined && this.cycles >= this.cfg.maxCycles)) break;
      await this.sleep(Math.max(0, t0 + k * this.cfg.intervalMs - Date.now()));
    }
    const canceled = await this.cancelAll();
    return { cycles: this.cycles, canceled, fills: this.fills.length };
  }

  /** Asks {@link run} to stop after the current cycle (it then cancels the resting quotes). Idempotent. */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  /**
   * Cancels every order of this runner that still rests: the tracked quotes, then any resting order whose
   * client_order_id carries this runner's prefix. A 404 (already gone) counts as done.
   * @returns how many orders were canceled.
   */
  async cancelAll(): Promise<number> {
    const ids = new Set<string>();
    for (const m of this.markets) for (const s of [m.bid, m.ask]) if (s.orderId && s.resting) ids.add(s.orderId);
    try {
      for (const o of await this.restingOrders()) if (o.clientOrderId?.startsWith(`${this.cfg.clientOrderIdPrefix}-`) || this.orderIds.has(o.orderId)) ids.add(o.orderId);
    } catch (e) {
      this.log(`listing resting orders failed: ${(e as Error).message}`);
    }
    let canceled = 0;
    for (const id of ids) {
      try {
        await this.client.request('DELETE', `portfolio/orders/${encodeURIComponent(id)}`);
        canceled++;
      } catch (e) {
        if (!(e instanceof KalshiHttpError && e.status === 404)) this.log(`cancel ${id} failed: ${(e as Error).message}`);
      }
    }
    for (const m of this.markets) for (const s of [m.bid, m.ask]) s.resting = false;
    this.log(`market maker stopped after ${this.cycles} cycles: canceled ${canceled} resting orders; fills ${this.fills.length} (${formatSizeFp(this.fillCentis)} contracts)`);
    return canceled;
  }

  // ------------------------------------------------------------------------------------------------ internals

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  private async restingOrders(): Promise<Order[]> {
    const all = await this.client.getAll<unknown>('portfolio/orders', 'orders', { status: 'resting', limit: 1000 });
    return must(decodeOrders({ orders: all }), 'GET /portfolio/orders').orders;
  }

  /** Updates each slot from the exchange's resting orders (a slot whose order no longer rests is free). */
  private async refreshOrders(): Promise<void> {
    const byId = new Map((await this.restingOrders()).map((o) => [o.orderId, o]));
    for (const m of this.markets) {
      for (const s of [m.bid, m.ask]) {
        if (!s.orderId) continue;
        const o = byId.get(s.orderId);
        if (o && o.status === 'resting') this.fillSlot(s, o);
        else s.resting = false;
      }
    }
  }

  /** Reads fills since the start; keeps the new ones of this runner's orders and updates positions. */
  private async pollFills(): Promise<Fill[]> {
    const all = await this.client.getAll<unknown>('portfolio/fills', 'fills', { min_ts: this.fillsSinceSec, limit: 1000 });
    const fresh: Fill[] = [];
    for (const f of must(decodeFills({ fills: all }), 'GET /portfolio/fills').fills) {
      const key = f.fillId ?? `${f.tradeId}/${f.orderId}`;
      if (this.seenFills.has(key) || !this.orderIds.has(f.orderId)) continue;
      this.seenFills.add(key);
      fresh.push(f);
      const m = this.markets.find((x) => x.ticker === f.ticker);
      if (m) m.positionCentis += (f.side === 'yes') === (f.action === 'buy') ? f.countCentis : -f.countCentis;
    }
    this.fills.push(...fresh);
    return fresh;
  }

  private fillSlot(s: QuoteSlot, o: Order): void {
    s.orderId = o.orderId;
    s.clientOrderId = o.clientOrderId ?? s.clientOrderId;
    s.priceTicks = s.side === 'yes' ? o.yesPriceTicks : (o.noPriceTicks ?? ONE_DOLLAR - o.yesPriceTicks);
    s.filledCentis = o.fillCountCentis ?? 0;
    s.remainingCentis = o.remainingCountCentis ?? 0;
    s.resting = o.status === 'resting';
    this.orderIds.add(o.orderId);
  }

  /** The market's resting quotes, YES terms (the ask slot holds a NO price). */
  private restingQuotes(m: QuotedMarket): { bidTicks?: PriceTicks; askTicks?: PriceTicks } {
    const r: { bidTicks?: PriceTicks; askTicks?: PriceTicks } = {};
    if (m.bid.resting && m.bid.priceTicks !== undefined) r.bidTicks = m.bid.priceTicks;
    if (m.ask.resting && m.ask.priceTicks !== undefined) r.askTicks = ONE_DOLLAR - m.ask.priceTicks;
    return r;
  }

  /**
   * Takes a slot's resting order off the book (`DELETE /portfolio/orders/{id}`). When the cancel is refused (the order
   * filled or was canceled meanwhile, or the exchange refuses for another reason), `GET /portfolio/orders/{id}` tells
   * whether it still rests.
   * @returns true when the order no longer rests (the slot is then free); false when it still rests (the slot keeps
   *   tracking it). Network errors and 5xx propagate with the slot still tracking the order.
   */
  private async cancelSlot(m: QuotedMarket, s: QuoteSlot): Promise<boolean> {
    const id = s.orderId;
    if (!id) {
      s.resting = false;
      return true;
    }
    const what = `${m.ticker} ${s.side === 'yes' ? 'bid' : 'ask'}`;
    try {
      const r = must(decodeCancelOrder(await this.client.request('DELETE', `portfolio/orders/${encodeURIComponent(id)}`)), 'DELETE /portfolio/orders/{id}');
      if (r.order.orderId === id && r.order.status === 'resting') {
        this.fillSlot(s, r.order);
        return false;
      }
      s.resting = false;
      return true;
    } catch (e) {
      if (!isRefusal(e)) throw e;
      if (e.status === 404) {
        s.resting = false;
        return true;
      }
      this.log(`${what} cancel of ${id} refused (${e.status} ${errorCode(e)}); checking whether it still rests`);
    }
    let o: Order;
    try {
      o = must(decodeOrder(await this.client.get(`portfolio/orders/${encodeURIComponent(id)}`)), 'GET /portfolio/orders/{id}');
    } catch (e) {
      if (e instanceof KalshiHttpError && e.status === 404) {
        s.resting = false;
        return true;
      }
      throw e;
    }
    if (o.status === 'resting') {
      this.fillSlot(s, o);
      this.log(`${what} ${id} still rests; keeping it and retrying next cycle`);
      return false;
    }
    s.resting = false;
    return true;
  }

  private newClientOrderId(): string {
    return `${this.cfg.clientOrderIdPrefix}-${this.nextClientId++}`;
  }

  /** Moves one side to `priceTicks` (own side terms): keep, amend, or place anew. */
  private async moveSlot(m: QuotedMarket, s: QuoteSlot, priceTicks: PriceTicks): Promise<SlotAction> {
    const priceField = s.side === 'yes' ? 'yes_price_dollars' : 'no_price_dollars';
    const qty = this.cfg.quantityCentis;
    if (s.resting && s.orderId) {
      if (s.priceTicks === priceTicks && s.remainingCentis === qty) return 'kept';
      const updated = this.newClientOrderId();
      try {
        const body = await this.client.request('POST', `portfolio/orders/${encodeURIComponent(s.orderId)}/amend`, {}, {
          ticker: m.ticker,
          side: s.side,
          action: 'buy',
          client_order_id: s.clientOrderId,
          updated_client_order_id: updated,
          [priceField]: formatPriceDollars(priceTicks),
          // Kalshi's amend count is the new total: filled so far + the wanted remaining size
          count_fp: formatSizeFp(s.filledCentis + qty),
        });
        const r = must(decodeAmendOrder(body), 'POST /portfolio/orders/{id}/amend');
        this.fillSlot(s, r.order);
        if (!r.order.clientOrderId) s.clientOrderId = updated;
        return 'amended';
      } catch (e) {
        if (!isRefusal(e)) throw e;
        // the amend was refused (would cross post-only, no balance, or the order filled or vanished since the read):
        // a refused amend leaves the old order as it was, so take it off the book before placing a replacement
        this.log(`${m.ticker} ${s.side === 'yes' ? 'bid' : 'ask'} amend of ${s.orderId} refused (${e.status} ${errorCode(e)}); canceling it, then placing a new order`);
        if (!(await this.cancelSlot(m, s))) return 'refused';
      }
    }
    const clientOrderId = this.newClientOrderId();
    try {
      const body = await this.client.request('POST', 'portfolio/orders', {}, {
        ticker: m.ticker,
        side: s.side,
        action: 'buy',
        count_fp: formatSizeFp(qty),
        [priceField]: formatPriceDollars(priceTicks),
        client_order_id: clientOrderId,
        time_in_force: 'good_till_canceled',
        ...(this.cfg.postOnly ? { post_only: true } : {}),
      });
      const o = must(decodeOrder(body), 'POST /portfolio/orders');
      this.fillSlot(s, o);
      if (!o.clientOrderId) s.clientOrderId = clientOrderId;
      return 'placed';
    } catch (e) {
      if (!isRefusal(e)) throw e;
      this.log(`${m.ticker} ${s.side === 'yes' ? 'bid' : 'ask'} refused: ${e.message}`);
      s.resting = false;
      s.orderId = undefined;
      return 'refused';
    }
  }
}
