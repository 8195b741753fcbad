/**
 * The trading console's model (issue #7 item 5): everything the bus says, folded into what the page shows, with every
 * price, size and amount formatted here, on the server, from the integer units of the bus contracts (ticks = 1/10000 $,
 * centis = 1/100 contract, micros = 1e-6 $) by libs/market's exact formatters. The page never does arithmetic on money.
 *
 * Inputs (each decoded and validated with the bus's own `decode*`; a malformed message is counted and dropped):
 * - `book.v1.*.bbo.*` (BboV1): top of book per market, the price-history point of the chart;
 * - `book.v1.*.snapshot.*` (BookSnapshotV1) and `book.v1.*.delta.*` (BookLevelV1, a level's new absolute size): the
 *   ladders, with the keys of the levels that changed since the market was last sent (the page highlights them);
 * - `signal.v1.opportunity.*` (OpportunityEventV1): episodes as they open, update and close;
 * - `signal.v1.trade.*` (SignalV1), `exec.v1.order.*` (OrderUpdateV1), `exec.v1.fill` (FillV1);
 * - the `ctl.v1.*` status replies, polled (see console-feed.ts): shard and feed health, execution status and portfolio.
 *
 * Output: {@link ConsoleState.snapshot} (everything, for a page that connects) and {@link ConsoleState.takeUpdate}
 * (only what changed since the previous call, each market at most once: the server calls it on a timer, which is the
 * per-market throttle).
 */
import {
  decodeBboV1,
  decodeBookLevelV1,
  decodeBookSnapshotV1,
  decodeOpportunityEventV1,
  decodeSignalV1,
  type DetectionStatusV1,
  type ExecutionPortfolioV1,
  type ExecutionStatusV1,
  type FillV1,
  type IngestionStatusV1,
  type OpportunityEventV1,
  type OrderUpdateV1,
  type SignalV1,
  type TickerPlantBooksV1,
  type TickerPlantStatusV1,
} from '@kalshi-platform/bus';
import { formatDollarsMicros, formatPriceDollars, formatSizeFp, ONE_DOLLAR } from '@kalshi-platform/market';

/** One price level as shown: `key` is `<side>:<ticks>` of the bus level (stable across updates). */
export interface LevelView {
  key: string;
  price: string;
  size: string;
}

/** A chart point: [exchange time in whole seconds, YES bid ticks, YES ask ticks] (null = no quote on that side). */
export type ChartPoint = [number, number | null, number | null];

/** A market as the page shows it (list row, ladder, latest chart point). */
export interface MarketView {
  ticker: string;
  /** false while the ticker plant holds the book stale (awaiting a snapshot) */
  valid: boolean;
  bid: string | null;
  bidSize: string | null;
  ask: string | null;
  askSize: string | null;
  /** ask - bid, dollars (negative = crossed) */
  spread: string | null;
  /** exchange time of the latest change (0 before any frame carried one) */
  tsMs: number;
  /** level changes seen (book.v1 deltas) */
  levelUpdates: number;
  /** YES view of the book: asks from the NO bids (ask = $1 - NO bid), best first; bids from the YES bids, best first */
  ladder: { asks: LevelView[]; bids: LevelView[] };
  /** keys of the levels that changed since this market was last sent */
  changed: string[];
  point: ChartPoint | null;
}

/** An opportunity episode as shown. */
export interface OpportunityView {
  key: string;
  kind: string;
  event: string;
  state: 'open' | 'closed';
  legs: Array<{ market: string; side: 'yes' | 'no'; action: string; price: string }>;
  gross: string;
  net: string;
  openedTsMs: number;
  closedTsMs: number | null;
  /** wall-clock time the console saw it first / last */
  seenMs: number;
  updatedMs: number;
  updates: number;
}

/** A trading signal as shown. The contract's real-valued fields (fair value, edges) are rounded to micro-dollars once. */
export interface SignalView {
  id: string;
  kind: string;
  legs: Array<{ market: string; side: 'yes' | 'no'; action: string; price: string; size: string }>;
  fair: string | null;
  gross: string;
  net: string;
  confidence: string;
  reasons: string[];
  createdTsMs: number;
  expiresTsMs: number;
}

/** One of our orders as shown. */
export interface OrderView {
  clientOrderId: string;
  orderId: string | null;
  signalId: string | null;
  market: string;
  side: 'yes' | 'no';
  action: 'buy' | 'sell';
  price: string;
  count: string;
  filled: string;
  remaining: string;
  status: string;
  rejectReason: string | null;
  updatedTsMs: number;
}

/** One fill of the account as shown (`ours` = of an order the execution app placed; else foreign, e.g. the capture's). */
export interface FillView {
  id: string;
  market: string;
  side: 'yes' | 'no';
  action: 'buy' | 'sell';
  price: string;
  count: string;
  fee: string;
  taker: boolean;
  ours: boolean;
  tsMs: number;
}

/** Positions and PnL (execution's `ctl.v1.execution.portfolio`), dollars with 6 decimals. */
export interface PortfolioView {
  positions: Array<{ market: string; position: string; cost: string; realized: string; unrealized: string | null; fees: string; mark: string | null }>;
  pnl: { realized: string; unrealized: string; fees: string; total: string };
}

/** One service's health row (status replies on `ctl.v1.*`). */
export interface ServiceHealth {
  name: string;
  ok: boolean;
  summary: string;
}

/** The execution app's kill switch as last reported. */
export interface KillView {
  /** null = no execution app answered */
  engaged: boolean | null;
  by: string | null;
  reason: string | null;
  atMs: number | null;
  breaker: string | null;
  mode: string | null;
}

/** What the run is doing (set by the host: the platform's replay, the sportsbook phase, the end). */
export interface RunView {
  phase: string;
  replayed: number | null;
  total: number | null;
  framesReceived: number | null;
}

/** What one status poll collected: a reply or the error of each request. */
export interface StatusPoll {
  ingestion: IngestionStatusV1 | Error;
  shards: Array<TickerPlantStatusV1 | Error>;
  detection: DetectionStatusV1 | Error;
  execution: ExecutionStatusV1 | Error;
  portfolio: ExecutionPortfolioV1 | Error | null;
  /** wall clock of the poll, ms */
  atMs: number;
}

/** Everything a page needs when it connects. */
export interface ConsoleSnapshot {
  type: 'snapshot';
  run: RunView;
  markets: MarketView[];
  history: Record<string, ChartPoint[]>;
  opportunities: OpportunityView[];
  signals: SignalView[];
  orders: OrderView[];
  fills: FillView[];
  portfolio: PortfolioView | null;
  health: ServiceHealth[];
  kill: KillView;
  counters: ConsoleCounters;
}

/** What changed since the previous update; absent sections did not change. */
export interface ConsoleUpdate {
  type: 'update';
  run?: RunView;
  markets?: MarketView[];
  opportunities?: OpportunityView[];
  signals?: SignalView[];
  orders?: OrderView[];
  fills?: FillView[];
  portfolio?: PortfolioView;
  health?: ServiceHealth[];
  kill?: KillView;
}

/** Messages taken in and dropped, per input. */
export interface ConsoleCounters {
  received: number;
  malformed: number;
}

/** Sizes of the model. */
export interface ConsoleStateOptions {
  /** levels per side in a ladder; default 10 */
  ladderDepth?: number;
  /** chart points kept per market (one per exchange second); default 3600 */
  historyPoints?: number;
  /** signals, fills and closed opportunities kept; default 200 */
  keep?: number;
  /** orders kept; default 500 */
  keepOrders?: number;
}

interface MarketState {
  ticker: string;
  yes: Map<number, number>;
  no: Map<number, number>;
  valid: boolean;
  yesBid: number;
  yesBidSize: number;
  noBid: number;
  noBidSize: number;
  hasBbo: boolean;
  tsMs: number;
  levelUpdates: number;
  changed: Set<string>;
  history: ChartPoint[];
}

/** Real-valued ticks (a SignalV1's fair value and edges) as dollars with 6 decimals, rounded once to micro-dollars. */
export function formatRealTicks(ticks: number): string {
  return formatDollarsMicros(Math.round(ticks * 100));
}

/** A signed size (+YES / -NO centis) with 2 decimals. */
export const formatSignedSize = (centis: number): string => formatSizeFp(centis);

const errMessage = (e: Error): string => (e.message || e.name).slice(0, 200);

/** See the module docstring. Not thread-safe (there are no threads); every method is O(levels of one market) or less. */
export class ConsoleState {
  private readonly depth: number;
  private readonly historyPoints: number;
  private readonly keep: number;
  private readonly keepOrders: number;
  private readonly markets = new Map<string, MarketState>();
  private readonly opportunities = new Map<string, OpportunityView>();
  private signals: SignalView[] = [];
  private readonly orders = new Map<string, OrderView>();
  private fills: FillView[] = [];
  private readonly fillIds = new Set<string>();
  private portfolio: PortfolioView | null = null;
  private health: ServiceHealth[] = [];
  private kill: KillView = { engaged: null, by: null, reason: null, atMs: null, breaker: null, mode: null };
  private run: RunView = { phase: 'starting', replayed: null, total: null, framesReceived: null };
  private readonly counters: ConsoleCounters = { received: 0, malformed: 0 };
  private lastFrames: { n: number; atMs: number } | null = null;

  private readonly dirtyMarkets = new Set<string>();
  private readonly dirtyOpportunities = new Set<string>();
  private newSignals: SignalView[] = [];
  private readonly dirtyOrders = new Set<string>();
  private newFills: FillView[] = [];
  private dirtyPortfolio = false;
  private dirtyHealth = false;
  private dirtyKill = false;
  private dirtyRun = false;

  constructor(o: ConsoleStateOptions = {}) {
    this.depth = o.ladderDepth ?? 10;
    this.historyPoints = o.historyPoints ?? 3600;
    this.keep = o.keep ?? 200;
    this.keepOrders = o.keepOrders ?? 500;
  }

  // ---- inputs -------------------------------------------------------------------------------------------------

  /** A BboV1 (`book.v1.*.bbo.*`). Never throws. */
  onBbo(data: unknown): void {
    const b = this.decode(decodeBboV1, data);
    if (!b) return;
    const m = this.market(b.marketTicker);
    m.valid = b.valid;
    m.yesBid = b.yesBidTicks;
    m.yesBidSize = b.yesBidSizeCentis;
    m.noBid = b.noBidTicks;
    m.noBidSize = b.noBidSizeCentis;
    m.hasBbo = true;
    if (b.tsMs > 0) m.tsMs = b.tsMs;
    if (b.valid && b.tsMs > 0) this.addPoint(m, b.tsMs);
    this.dirtyMarkets.add(m.ticker);
  }

  /** A BookLevelV1 (`book.v1.*.delta.*`): the level's new absolute size (0 = removed). Never throws. */
  onLevel(data: unknown): void {
    const l = this.decode(decodeBookLevelV1, data);
    if (!l) return;
    const m = this.market(l.marketTicker);
    const ladder = l.side === 'yes' ? m.yes : m.no;
    if (l.sizeCentis > 0) ladder.set(l.priceTicks, l.sizeCentis);
    else ladder.delete(l.priceTicks);
    m.changed.add(`${l.side}:${l.priceTicks}`);
    m.levelUpdates++;
    if (l.tsMs > 0) m.tsMs = l.tsMs;
    this.dirtyMarkets.add(m.ticker);
  }

  /** A BookSnapshotV1 (`book.v1.*.snapshot.*`): the whole book again (after a subscribe or a resync). Never throws. */
  onBookSnapshot(data: unknown): void {
    const s = this.decode(decodeBookSnapshotV1, data);
    if (!s) return;
    const m = this.market(s.marketTicker);
    this.replaceLadders(m, s.yes, s.no);
    if (s.tsMs > 0) m.tsMs = s.tsMs;
    this.dirtyMarkets.add(m.ticker);
  }

  /** Books of a ticker-plant shard (`ctl.v1.ticker-plant.<i>.books`): seeds a console that attaches to a running bus. */
  seedBooks(reply: TickerPlantBooksV1): void {
    for (const [ticker, b] of Object.entries(reply.books)) {
      const m = this.market(ticker);
      this.replaceLadders(m, b.yes, b.no);
      if (!m.hasBbo) {
        const y = b.yes[b.yes.length - 1];
        const n = b.no[b.no.length - 1];
        m.valid = b.valid;
        m.yesBid = y ? y[0] : -1;
        m.yesBidSize = y ? y[1] : 0;
        m.noBid = n ? n[0] : -1;
        m.noBidSize = n ? n[1] : 0;
        m.hasBbo = true;
      }
      this.dirtyMarkets.add(ticker);
    }
  }

  /** An OpportunityEventV1 (`signal.v1.opportunity.*`, or the episodes reply of detection). Never throws. */
  onOpportunity(data: unknown, nowMs = Date.now()): void {
    const o = this.decode(decodeOpportunityEventV1, data);
    if (!o) return;
    const prev = this.opportunities.get(o.key);
    // an episode key is reused by the next episode of the same opportunity: a new one opens after a close
    if (prev && prev.state === 'closed' && o.type === 'opened') this.opportunities.delete(o.key);
    const before = this.opportunities.get(o.key);
    this.opportunities.set(o.key, this.opportunityView(o, before, nowMs));
    this.dirtyOpportunities.add(o.key);
    this.trimOpportunities();
  }

  /** A SignalV1 (`signal.v1.trade.*`). Never throws. */
  onSignal(data: unknown): void {
    const s = this.decode(decodeSignalV1, data);
    if (!s) return;
    const v = signalView(s);
    this.signals.push(v);
    if (this.signals.length > this.keep) this.signals = this.signals.slice(-this.keep);
    this.newSignals.push(v);
  }

  /** An OrderUpdateV1 (`exec.v1.order.*`). Never throws. */
  onOrder(data: unknown): void {
    const o = data as Partial<OrderUpdateV1> | null;
    if (!o || o.v !== 1 || typeof o.clientOrderId !== 'string' || !Number.isSafeInteger(o.priceTicks) || !Number.isSafeInteger(o.countCentis)) {
      this.counters.malformed++;
      return;
    }
    this.counters.received++;
    this.putOrder(o as OrderUpdateV1);
  }

  /** A FillV1 (`exec.v1.fill`). Never throws. */
  onFill(data: unknown): void {
    const f = data as Partial<FillV1> | null;
    if (!f || f.v !== 1 || typeof f.fillId !== 'string' || !Number.isSafeInteger(f.priceTicks) || !Number.isSafeInteger(f.countCentis) || !Number.isSafeInteger(f.feeMicros)) {
      this.counters.malformed++;
      return;
    }
    this.counters.received++;
    this.putFill(f as FillV1);
  }

  /** One status poll (console-feed.ts): health rows, the kill switch, and the portfolio when execution answered. */
  onStatus(p: StatusPoll): void {
    const rows: ServiceHealth[] = [];
    const i = p.ingestion;
    if (i instanceof Error) rows.push({ name: 'ingestion (feed)', ok: false, summary: `no answer: ${errMessage(i)}` });
    else {
      let rate = '';
      if (this.lastFrames && p.atMs > this.lastFrames.atMs) rate = `, ${Math.round(((i.framesReceived - this.lastFrames.n) * 1000) / (p.atMs - this.lastFrames.atMs))} frames/s`;
      this.lastFrames = { n: i.framesReceived, atMs: p.atMs };
      rows.push({
        name: 'ingestion (feed)',
        ok: i.connected && i.pendingResyncs === 0,
        summary: `${i.connected ? 'connected' : 'DISCONNECTED'}; ${i.framesReceived} frames${rate}; ${i.subscribedMarkets} markets; gaps ${i.gapsDetected}, resyncs ${i.resyncs}, pending ${i.pendingResyncs}, reconnects ${i.reconnects}, malformed ${i.malformed}`,
      });
    }
    p.shards.forEach((s, k) => {
      if (s instanceof Error) rows.push({ name: `ticker-plant shard ${k}`, ok: false, summary: `no answer: ${errMessage(s)}` });
      else rows.push({ name: `ticker-plant shard ${s.shardIndex}/${s.shardCount}`, ok: s.invalidBooks === 0, summary: `${s.books} books (${s.invalidBooks} invalid); consumed ${s.consumed}, rejected ${s.rejected}; published ${s.published} (BBO ${s.bboPublished})` });
    });
    const d = p.detection;
    if (d instanceof Error) rows.push({ name: 'detection', ok: false, summary: `no answer: ${errMessage(d)}` });
    else rows.push({ name: 'detection', ok: true, summary: `consumed ${d.consumed}, rejected ${d.rejected}; ${d.events} events; episodes ${d.episodes} (${d.openEpisodes} open)` });
    const e = p.execution;
    let kill: KillView;
    if (e instanceof Error) {
      rows.push({ name: 'execution', ok: false, summary: `no answer: ${errMessage(e)}` });
      kill = { engaged: null, by: null, reason: null, atMs: null, breaker: null, mode: null };
    } else {
      const byStatus = Object.entries(e.ordersByStatus).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ');
      rows.push({
        name: `execution (${e.mode}, ${e.route})`,
        ok: !e.killSwitch.engaged && e.breaker.state === 'closed' && e.exchangeErrors === 0,
        summary: `signals ${e.signalsReceived} (ignored ${e.signalsIgnored}); orders ${e.ordersSent}${byStatus ? ` [${byStatus}]` : ''}; fills ${e.fills}; breaker ${e.breaker.state}; kill switch ${e.killSwitch.engaged ? 'ENGAGED' : 'off'}; exchange errors ${e.exchangeErrors}`,
      });
      kill = { engaged: e.killSwitch.engaged, by: e.killSwitch.by ?? null, reason: e.killSwitch.reason ?? null, atMs: e.killSwitch.atMs ?? null, breaker: e.breaker.state, mode: e.mode };
    }
    if (JSON.stringify(rows) !== JSON.stringify(this.health)) {
      this.health = rows;
      this.dirtyHealth = true;
    }
    this.setKill(kill);
    const pf = p.portfolio;
    if (pf && !(pf instanceof Error)) {
      for (const o of pf.orders) this.putOrder(o);
      for (const f of pf.fills) this.putFill(f);
      const view = portfolioView(pf);
      if (JSON.stringify(view) !== JSON.stringify(this.portfolio)) {
        this.portfolio = view;
        this.dirtyPortfolio = true;
      }
    }
  }

  /** The bus the console watched is gone (its pipeline closed): the health rows say so, the kill switch is unavailable. */
  onFeedClosed(): void {
    if (this.health.length > 0) {
      this.health = this.health.map((h) => ({ name: h.name, ok: false, summary: h.summary.startsWith('stopped') ? h.summary : `stopped (its pipeline has closed); last: ${h.summary}` }));
      this.dirtyHealth = true;
    }
    this.lastFrames = null;
    this.setKill({ engaged: null, by: null, reason: null, atMs: null, breaker: null, mode: null });
  }

  /** The kill switch after a command (the reply of `ctl.v1.execution.kill|resume`), before the next poll confirms it. */
  setKill(k: KillView): void {
    if (JSON.stringify(k) === JSON.stringify(this.kill)) return;
    this.kill = k;
    this.dirtyKill = true;
  }

  /** The current kill-switch view. */
  killView(): KillView {
    return { ...this.kill };
  }

  /** What the run is doing (the host calls it). */
  setRun(r: Partial<RunView>): void {
    const next = { ...this.run, ...r };
    if (JSON.stringify(next) === JSON.stringify(this.run)) return;
    this.run = next;
    this.dirtyRun = true;
  }

  // ---- outputs ------------------------------------------------------------------------------------------------

  /** Everything, for a page that connects (ladders without change marks). */
  snapshot(): ConsoleSnapshot {
    const markets = [...this.markets.values()].sort((a, b) => (a.ticker < b.ticker ? -1 : a.ticker > b.ticker ? 1 : 0));
    const history: Record<string, ChartPoint[]> = {};
    for (const m of markets) history[m.ticker] = m.history.slice();
    return {
      type: 'snapshot',
      run: { ...this.run },
      markets: markets.map((m) => this.marketView(m, false)),
      history,
      opportunities: [...this.opportunities.values()],
      signals: this.signals.slice(),
      orders: [...this.orders.values()],
      fills: this.fills.slice(),
      portfolio: this.portfolio,
      health: this.health.slice(),
      kill: { ...this.kill },
      counters: { ...this.counters },
    };
  }

  /** What changed since the previous call (each market once, with the levels that changed), or null if nothing did. */
  takeUpdate(): ConsoleUpdate | null {
    const u: ConsoleUpdate = { type: 'update' };
    let any = false;
    if (this.dirtyRun) {
      u.run = { ...this.run };
      this.dirtyRun = false;
      any = true;
    }
    if (this.dirtyMarkets.size > 0) {
      u.markets = [];
      for (const t of this.dirtyMarkets) {
        const m = this.markets.get(t);
        if (m) u.markets.push(this.marketView(m, true));
      }
      this.dirtyMarkets.clear();
      any = true;
    }
    if (this.dirtyOpportunities.size > 0) {
      u.opportunities = [];
      for (const k of this.dirtyOpportunities) {
        const o = this.opportunities.get(k);
        if (o) u.opportunities.push(o);
      }
      this.dirtyOpportunities.clear();
      any = true;
    }
    if (this.newSignals.length > 0) {
      u.signals = this.newSignals;
      this.newSignals = [];
      any = true;
    }
    if (this.dirtyOrders.size > 0) {
      u.orders = [];
      for (const k of this.dirtyOrders) {
        const o = this.orders.get(k);
        if (o) u.orders.push(o);
      }
      this.dirtyOrders.clear();
      any = true;
    }
    if (this.newFills.length > 0) {
      u.fills = this.newFills;
      this.newFills = [];
      any = true;
    }
    if (this.dirtyPortfolio && this.portfolio) {
      u.portfolio = this.portfolio;
      this.dirtyPortfolio = false;
      any = true;
    }
    if (this.dirtyHealth) {
      u.health = this.health.slice();
      this.dirtyHealth = false;
      any = true;
    }
    if (this.dirtyKill) {
      u.kill = { ...this.kill };
      this.dirtyKill = false;
      any = true;
    }
    return any ? u : null;
  }

  // ---- internals ----------------------------------------------------------------------------------------------

  private decode<T>(decode: (x: unknown) => T, data: unknown): T | null {
    try {
      const v = decode(data);
      this.counters.received++;
      return v;
    } catch {
      this.counters.malformed++;
      return null;
    }
  }

  private market(ticker: string): MarketState {
    let m = this.markets.get(ticker);
    if (!m) {
      m = { ticker, yes: new Map(), no: new Map(), valid: false, yesBid: -1, yesBidSize: 0, noBid: -1, noBidSize: 0, hasBbo: false, tsMs: 0, levelUpdates: 0, changed: new Set(), history: [] };
      this.markets.set(ticker, m);
    }
    return m;
  }

  private replaceLadders(m: MarketState, yes: Array<[number, number]>, no: Array<[number, number]>): void {
    m.yes = new Map(yes.filter(([, q]) => q > 0));
    m.no = new Map(no.filter(([, q]) => q > 0));
  }

  private addPoint(m: MarketState, tsMs: number): void {
    const sec = Math.floor(tsMs / 1000);
    const bid = m.yesBidSize > 0 && m.yesBid > 0 ? m.yesBid : null;
    const ask = m.noBidSize > 0 && m.noBid > 0 ? ONE_DOLLAR - m.noBid : null;
    const h = m.history;
    const last = h[h.length - 1];
    if (last && sec < last[0]) return; // the chart's time only moves forward
    if (last && sec === last[0]) h[h.length - 1] = [sec, bid, ask];
    else {
      h.push([sec, bid, ask]);
      if (h.length > this.historyPoints) h.splice(0, h.length - this.historyPoints);
    }
  }

  private marketView(m: MarketState, withChanges: boolean): MarketView {
    const hasBid = m.valid && m.yesBidSize > 0 && m.yesBid > 0;
    const hasAsk = m.valid && m.noBidSize > 0 && m.noBid > 0;
    const askTicks = ONE_DOLLAR - m.noBid;
    const bids = [...m.yes.entries()].sort((a, b) => b[0] - a[0]).slice(0, this.depth);
    const asks = [...m.no.entries()].sort((a, b) => b[0] - a[0]).slice(0, this.depth); // best NO bid = best YES ask
    const changed = withChanges ? [...m.changed] : [];
    if (withChanges) m.changed.clear();
    return {
      ticker: m.ticker,
      valid: m.valid,
      bid: hasBid ? formatPriceDollars(m.yesBid) : null,
      bidSize: hasBid ? formatSizeFp(m.yesBidSize) : null,
      ask: hasAsk ? formatPriceDollars(askTicks) : null,
      askSize: hasAsk ? formatSizeFp(m.noBidSize) : null,
      spread: hasBid && hasAsk ? formatPriceDollars(askTicks - m.yesBid) : null,
      tsMs: m.tsMs,
      levelUpdates: m.levelUpdates,
      ladder: {
        asks: asks.map(([p, q]) => ({ key: `no:${p}`, price: formatPriceDollars(ONE_DOLLAR - p), size: formatSizeFp(q) })),
        bids: bids.map(([p, q]) => ({ key: `yes:${p}`, price: formatPriceDollars(p), size: formatSizeFp(q) })),
      },
      changed,
      point: m.history.length > 0 ? m.history[m.history.length - 1] : null,
    };
  }

  private opportunityView(o: OpportunityEventV1, prev: OpportunityView | undefined, nowMs: number): OpportunityView {
    return {
      key: o.key,
      kind: o.kind,
      event: o.eventTicker,
      state: o.type === 'closed' || o.closedTsMs !== null ? 'closed' : 'open',
      legs: o.legs.map((l) => ({ market: l.marketTicker, side: l.side, action: l.action, price: formatPriceDollars(l.priceTicks) })),
      gross: formatPriceDollars(o.maxGrossEdgeTicks),
      net: formatPriceDollars(o.maxNetEdgeTicks),
      openedTsMs: o.openedTsMs,
      closedTsMs: o.closedTsMs,
      seenMs: prev?.seenMs ?? nowMs,
      updatedMs: nowMs,
      updates: (prev?.updates ?? 0) + 1,
    };
  }

  private trimOpportunities(): void {
    let closed = 0;
    for (const o of this.opportunities.values()) if (o.state === 'closed') closed++;
    if (closed <= this.keep) return;
    for (const [k, o] of this.opportunities) {
      if (closed <= this.keep) break;
      if (o.state === 'closed') {
        this.opportunities.delete(k);
        closed--;
      }
    }
  }

  private putOrder(o: OrderUpdateV1): void {
    const prev = this.orders.get(o.clientOrderId);
    if (prev && prev.updatedTsMs > o.updatedTsMs) return;
    const v: OrderView = {
      clientOrderId: o.clientOrderId,
      orderId: o.orderId,
      signalId: o.signalId,
      market: o.marketTicker,
      side: o.side,
      action: o.action,
      price: formatPriceDollars(o.priceTicks),
      count: formatSizeFp(o.countCentis),
      filled: formatSizeFp(o.filledCentis),
      remaining: formatSizeFp(o.remainingCentis),
      status: o.status,
      rejectReason: o.rejectReason,
      updatedTsMs: o.updatedTsMs,
    };
    if (prev && JSON.stringify(prev) === JSON.stringify(v)) return;
    this.orders.delete(o.clientOrderId); // re-inserted last: the map keeps update order
    this.orders.set(o.clientOrderId, v);
    this.dirtyOrders.add(o.clientOrderId);
    while (this.orders.size > this.keepOrders) this.orders.delete(this.orders.keys().next().value as string);
  }

  private putFill(f: FillV1): void {
    if (this.fillIds.has(f.fillId)) return;
    this.fillIds.add(f.fillId);
    const v: FillView = {
      id: f.fillId,
      market: f.marketTicker,
      side: f.side,
      action: f.action,
      price: formatPriceDollars(f.priceTicks),
      count: formatSizeFp(f.countCentis),
      fee: formatDollarsMicros(f.feeMicros),
      taker: f.isTaker,
      ours: f.clientOrderId !== null,
      tsMs: f.tsMs,
    };
    this.fills.push(v);
    if (this.fills.length > this.keep) {
      for (const old of this.fills.splice(0, this.fills.length - this.keep)) this.fillIds.delete(old.id);
    }
    this.newFills.push(v);
  }
}

function signalView(s: SignalV1): SignalView {
  return {
    id: s.id,
    kind: s.kind,
    legs: s.legs.map((l) => ({ market: l.marketTicker, side: l.side, action: l.action, price: formatPriceDollars(l.priceTicks), size: formatSizeFp(l.sizeCentis) })),
    fair: s.fairTicks === null ? null : formatRealTicks(s.fairTicks),
    gross: formatRealTicks(s.grossEdgeTicks),
    net: formatRealTicks(s.netEdgeTicks),
    confidence: s.confidence.toFixed(2),
    reasons: s.reasons.slice(0, 5),
    createdTsMs: s.createdTsMs,
    expiresTsMs: s.expiresTsMs,
  };
}

function portfolioView(p: ExecutionPortfolioV1): PortfolioView {
  return {
    positions: p.positions.map((x) => ({
      market: x.marketTicker,
      position: formatSignedSize(x.positionCentis),
      cost: formatDollarsMicros(x.costBasisMicros),
      realized: formatDollarsMicros(x.realizedPnlMicros),
      unrealized: x.unrealizedPnlMicros === null ? null : formatDollarsMicros(x.unrealizedPnlMicros),
      fees: formatDollarsMicros(x.feesPaidMicros),
      mark: x.markTicks === null ? null : formatPriceDollars(x.markTicks),
    })),
    pnl: {
      realized: formatDollarsMicros(p.pnl.realizedMicros),
      unrealized: formatDollarsMicros(p.pnl.unrealizedMicros),
      fees: formatDollarsMicros(p.pnl.feesMicros),
      total: formatDollarsMicros(p.pnl.totalMicros),
    },
  };
}
