/**
 * The live venue of the mock exchange: one {@link MatchingEngine} driven by journaled commands, with the
 * market-data views that REST, WebSocket and FIX read (mirror order books, trades, fills, settlements) and the
 * accounts behind the API keys.
 *
 * Every state-changing call is a command: it is applied to the engine at once (so the engine's order is the
 * venue's order), then stored durably with its events ({@link VenueJournal}, group-committed), and only then are
 * its events published to the listeners (WebSocket channels, FIX sessions) and the call's promise resolved. On
 * start the journal is replayed into a fresh engine: the engine is deterministic given each command's timestamp and
 * the ids the venue assigned, so a restart restores every resting order, balance and position exactly.
 *
 * Units: prices are {@link PriceTicks} (1/10000 $), sizes {@link SizeCentis} (1/100 contract), timestamps ms.
 */
import { createHash, KeyObject, randomUUID } from 'node:crypto';
import { KeyRegistry } from '../auth/key-registry';
import { ANY_TICK, OrderBook, type PriceTicks, type SizeCentis, type TickStructure } from '@kalshi-platform/market';
import {
  MatchingEngine,
  type Action,
  type EngineEvent,
  type EngineOptions,
  type EventOf,
  type MarketResult,
  type OpResult,
  type PlaceResult,
  type SelfTradePrevention,
  type Side,
  type TimeInForce,
} from '@kalshi-platform/matching';

/** A new order as the venue takes it from REST or FIX (already decoded into integers). */
export interface VenueOrderInput {
  marketTicker: string;
  side: Side;
  action: Action;
  /** Own-side limit price (YES price for side `yes`, NO price for side `no`), ticks. */
  priceTicks: PriceTicks;
  /** Size, centis (positive integer). */
  sizeCentis: SizeCentis;
  clientOrderId?: string;
  timeInForce?: TimeInForce;
  postOnly?: boolean;
  reduceOnly?: boolean;
  buyMaxCostTicks?: PriceTicks;
  expirationTsMs?: number;
  selfTradePrevention?: SelfTradePrevention;
}

/** A journaled command (the unit of durability and replay). */
export interface VenueCommand {
  /** 1, 2, 3, … in application order */
  seq: number;
  tsMs: number;
  kind: CommandKind;
  payload: Record<string, unknown>;
}

export type CommandKind =
  | 'create_market'
  | 'create_account'
  | 'deposit'
  | 'place_order'
  | 'cancel_order'
  | 'cancel_all'
  | 'amend_order'
  | 'decrease_order'
  | 'close_market'
  | 'determine_market'
  | 'settle_market'
  | 'advance_clock';

/** Where the venue stores its commands (implemented by the typeorm store; `null` journal = memory only). */
export interface VenueJournal {
  /** Resolves once `command` and its `events` are durable; calls resolve in call order. */
  commit(command: VenueCommand, events: EngineEvent[]): Promise<void>;
}

/** A public trade (Kalshi `GET /markets/trades`, WebSocket `trade`): one per match, from the taker's fill. */
export interface VenueTrade {
  tradeId: string;
  marketTicker: string;
  /** YES price of the trade (the maker's resting price in YES terms), ticks */
  yesPriceTicks: PriceTicks;
  sizeCentis: SizeCentis;
  /** the taker's outcome side and book side (Kalshi `taker_outcome_side`, `taker_book_side`) */
  takerSide: Side;
  takerAction: Action;
  tsMs: number;
}

/** Market facts the engine does not keep (for REST/WS output). */
export interface VenueMarketInfo {
  marketTicker: string;
  tickStructure: TickStructure;
  fractionalTradingEnabled: boolean;
  /** Kalshi `market_id` (UUID) */
  marketId: string;
  lastPriceTicks: PriceTicks | null;
  /** sum of traded sizes, centis */
  volumeCentis: SizeCentis;
}

export type VenueListener = (events: EngineEvent[], command: VenueCommand) => void;

/** Options of {@link Venue}. */
export interface VenueOptions {
  engine?: EngineOptions;
  journal?: VenueJournal | null;
  /** clock, ms (default Date.now) */
  clock?: () => number;
  /** how often resting orders' `expiration_ts` is checked, ms (default 250; 0 = no timer) */
  expiryCheckMs?: number;
  log?: (msg: string) => void;
  /** API keys (default: an empty registry) */
  keys?: KeyRegistry;
}

/**
 * The n-th trade's id as Kalshi shapes them, a UUID (RFC 9562 version 5 layout: SHA-1 of a fixed name and n), so
 * that consumers validating `trade_id` as a UUID (the tick store's `kalshi_trades`) accept the mock's trades. It is a
 * pure function of n because a restart replays the journal and must regenerate the same ids; two separate mock
 * venues therefore reuse ids, which a real exchange never does.
 */
export function venueTradeId(n: number): string {
  const h = createHash('sha1').update(`kalshi-platform-mock-trade:${n}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** Thrown when the venue cannot take a command (journal failed: the venue halts to keep state and storage equal). */
export class VenueHaltedError extends Error {}

/** See the module docstring. */
export class Venue {
  readonly engine: MatchingEngine;
  /** mirror of each market's published book (YES/NO bid ladders), updated from `orderbook_delta` events */
  readonly books = new Map<string, OrderBook>();
  readonly markets = new Map<string, VenueMarketInfo>();
  /** every public trade in order (append-only) */
  readonly trades: VenueTrade[] = [];
  /** every fill (both sides of each trade), in order */
  readonly fills: EventOf<'fill'>[] = [];
  readonly settlements: EventOf<'settlement'>[] = [];
  /** API keys and the accounts they trade for (kept by the store's `api_keys` table, not the journal) */
  readonly keys: KeyRegistry;
  private readonly fillsByAccount = new Map<string, EventOf<'fill'>[]>();
  private readonly listeners = new Set<VenueListener>();
  /** last balance reported per account (see balanceEvents) */
  private readonly lastBalance = new Map<string, { cashTicks: PriceTicks; availableTicks: PriceTicks }>();
  private readonly journal: VenueJournal | null;
  private readonly clock: () => number;
  private readonly log: (msg: string) => void;
  private seq = 0;
  private tail: Promise<void> = Promise.resolve();
  private halted: Error | null = null;
  private expiryTimer: NodeJS.Timeout | null = null;
  private replaying = false;

  constructor(opts: VenueOptions = {}) {
    this.clock = opts.clock ?? Date.now;
    this.engine = new MatchingEngine({ tradeId: venueTradeId, ...opts.engine, nowMs: opts.engine?.nowMs ?? 0 });
    this.journal = opts.journal ?? null;
    this.keys = opts.keys ?? new KeyRegistry();
    this.log = opts.log ?? (() => undefined);
    const every = opts.expiryCheckMs ?? 250;
    if (every > 0) {
      this.expiryTimer = setInterval(() => void this.expireOrders().catch(() => undefined), every);
      this.expiryTimer.unref();
    }
  }

  /** Number of commands applied (the journal's last seq). */
  get commandCount(): number {
    return this.seq;
  }

  /** The error that halted the venue, if any. */
  get haltedBy(): Error | null {
    return this.halted;
  }

  /**
   * Replays journaled commands into the (fresh) engine without journaling them again. Listeners registered before
   * the replay (views that keep history the engine does not, like the REST order ledger) receive every replayed
   * command's events synchronously; listeners registered later see only new commands.
   * @throws Error naming the command when the journal does not replay (corrupt or from another engine version).
   */
  replay(commands: ReadonlyArray<Omit<VenueCommand, 'kind'> & { kind: string }>): void {
    this.replaying = true;
    try {
      for (const c of commands) {
        if (c.seq !== this.seq + 1) throw new Error(`journal gap: expected command ${this.seq + 1}, found ${c.seq}`);
        const r = this.apply(c as VenueCommand);
        if (this.listeners.size > 0) this.publish(r.events, c as VenueCommand);
      }
    } finally {
      this.replaying = false;
    }
  }

  /** Subscribes to the events of every command once it is durable; returns the unsubscribe function. */
  onEvents(listener: VenueListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops the expiry timer and waits for pending commits. */
  async close(): Promise<void> {
    if (this.expiryTimer) clearInterval(this.expiryTimer);
    this.expiryTimer = null;
    await this.tail.catch(() => undefined);
  }

  /** Resolves when every command so far is durable and published. */
  flush(): Promise<void> {
    return this.tail;
  }

  // ------------------------------------------------------------------------------------------- API keys

  /** API key id -> account id. */
  accountForKey(keyId: string): string | undefined {
    return this.keys.get(keyId)?.accountId;
  }

  /** API key id -> public key (RSA). */
  publicKeyFor(keyId: string): KeyObject | undefined {
    return this.keys.get(keyId)?.publicKey;
  }

  // ------------------------------------------------------------------------------------------- commands

  /** Lists a market (engine `createMarket`) and starts its mirror book. */
  createMarket(cfg: { marketTicker: string; tickStructure?: TickStructure; fractionalTradingEnabled?: boolean; seriesTicker?: string; takerFeeBps?: number; makerFeeBps?: number; marketId?: string }): Promise<OpResult> {
    return this.run('create_market', { ...cfg, marketId: cfg.marketId ?? randomUUID() }) as Promise<OpResult>;
  }

  createAccount(accountId: string, initialCashTicks: PriceTicks = 0): Promise<OpResult> {
    return this.run('create_account', { accountId, initialCashTicks }) as Promise<OpResult>;
  }

  deposit(accountId: string, amountTicks: PriceTicks): Promise<OpResult> {
    return this.run('deposit', { accountId, amountTicks }) as Promise<OpResult>;
  }

  /** Places an order for `accountId`; the venue assigns the order id (UUID). */
  placeOrder(accountId: string, input: VenueOrderInput, source: 'rest' | 'fix' | 'admin' = 'rest'): Promise<PlaceResult> {
    return this.run('place_order', { ...input, accountId, orderId: randomUUID(), source }) as Promise<PlaceResult>;
  }

  cancelOrder(accountId: string, orderId: string): Promise<OpResult> {
    return this.run('cancel_order', { accountId, orderId }) as Promise<OpResult>;
  }

  cancelAllOrders(accountId: string, marketTicker?: string): Promise<OpResult> {
    return this.run('cancel_all', { accountId, marketTicker }) as Promise<OpResult>;
  }

  /** Amends price and/or the new REMAINING size (see engine `amendOrder`). */
  amendOrder(accountId: string, orderId: string, change: { priceTicks?: PriceTicks; remainingCentis?: SizeCentis }): Promise<PlaceResult> {
    return this.run('amend_order', { accountId, orderId, ...change }) as Promise<PlaceResult>;
  }

  decreaseOrder(accountId: string, orderId: string, change: { reduceByCentis?: SizeCentis; reduceToCentis?: SizeCentis }): Promise<OpResult> {
    return this.run('decrease_order', { accountId, orderId, ...change }) as Promise<OpResult>;
  }

  closeMarket(marketTicker: string): Promise<OpResult> {
    return this.run('close_market', { marketTicker }) as Promise<OpResult>;
  }

  determineMarket(marketTicker: string, result: MarketResult): Promise<OpResult> {
    return this.run('determine_market', { marketTicker, result }) as Promise<OpResult>;
  }

  settleMarket(marketTicker: string): Promise<OpResult> {
    return this.run('settle_market', { marketTicker }) as Promise<OpResult>;
  }

  // ------------------------------------------------------------------------------------------- queries

  /** Fills of one account, oldest first. */
  fillsOf(accountId: string): readonly EventOf<'fill'>[] {
    return this.fillsByAccount.get(accountId) ?? [];
  }

  // ------------------------------------------------------------------------------------------- internals

  /**
   * Moves the engine clock to now and expires resting orders whose `expiration_ts` has passed (run by the expiry
   * timer). Journaled only when something expired: replay reaches the same state at the next command's time anyway.
   * @returns the events (empty when nothing expired), once durable.
   */
  expireOrders(): Promise<EngineEvent[]> {
    if (this.halted) return Promise.resolve([]);
    const now = Math.max(this.clock(), this.engine.nowMs);
    const r = this.engine.advanceClock(now);
    if (r.events.length === 0) return Promise.resolve([]);
    const cmd: VenueCommand = { seq: ++this.seq, tsMs: now, kind: 'advance_clock', payload: {} };
    this.index(r.events);
    this.balanceEvents(r.events, now);
    return this.record(cmd, r).then(() => r.events);
  }

  private run(kind: CommandKind, payload: Record<string, unknown>): Promise<OpResult | PlaceResult> {
    if (this.halted) return Promise.reject(new VenueHaltedError(`venue halted: ${this.halted.message}`));
    const tsMs = Math.max(this.clock(), this.engine.nowMs);
    const cmd: VenueCommand = { seq: this.seq + 1, tsMs, kind, payload };
    const result = this.apply(cmd);
    // a refusal that changed nothing (only its own order_rejected event) is not journaled
    if (!result.ok && result.events.every((e) => e.type === 'order_rejected')) {
      this.seq--;
      return this.tail.then(() => result);
    }
    return this.record(cmd, result).then(() => result);
  }

  /** Applies a command to the engine and the market-data views. */
  private apply(cmd: VenueCommand): OpResult | PlaceResult {
    this.seq = cmd.seq;
    const p = cmd.payload as Record<string, never>;
    const e = this.engine;
    const t = cmd.tsMs;
    let r: OpResult | PlaceResult;
    switch (cmd.kind) {
      case 'create_market': {
        r = e.createMarket(
          { marketTicker: p.marketTicker, tickStructure: p.tickStructure, fractionalTradingEnabled: p.fractionalTradingEnabled, seriesTicker: p.seriesTicker, takerFeeBps: p.takerFeeBps, makerFeeBps: p.makerFeeBps },
          t,
        );
        if (r.ok) {
          this.books.set(p.marketTicker, new OrderBook(p.marketTicker, ANY_TICK));
          this.books.get(p.marketTicker)!.applySnapshot([], []);
          this.markets.set(p.marketTicker, {
            marketTicker: p.marketTicker,
            tickStructure: (p.tickStructure as TickStructure | undefined) ?? 'linear_cent',
            fractionalTradingEnabled: !!p.fractionalTradingEnabled,
            marketId: p.marketId,
            lastPriceTicks: null,
            volumeCentis: 0,
          });
        }
        break;
      }
      case 'create_account':
        r = e.createAccount(p.accountId, p.initialCashTicks, t);
        break;
      case 'deposit':
        r = e.deposit(p.accountId, p.amountTicks, t);
        break;
      case 'place_order':
        r = e.placeOrder(
          {
            orderId: p.orderId,
            accountId: p.accountId,
            marketTicker: p.marketTicker,
            side: p.side,
            action: p.action,
            priceTicks: p.priceTicks,
            sizeCentis: p.sizeCentis,
            clientOrderId: p.clientOrderId,
            timeInForce: p.timeInForce,
            postOnly: p.postOnly,
            reduceOnly: p.reduceOnly,
            buyMaxCostTicks: p.buyMaxCostTicks,
            expirationTsMs: p.expirationTsMs,
            selfTradePrevention: p.selfTradePrevention,
          },
          t,
        );
        break;
      case 'cancel_order':
        r = e.cancelOrder(p.accountId, p.orderId, t);
        break;
      case 'cancel_all':
        r = e.cancelAllOrders(p.accountId, p.marketTicker, t);
        break;
      case 'amend_order':
        r = e.amendOrder(p.accountId, p.orderId, { priceTicks: p.priceTicks, remainingCentis: p.remainingCentis }, t);
        break;
      case 'decrease_order':
        r = e.decreaseOrder(p.accountId, p.orderId, { reduceByCentis: p.reduceByCentis, reduceToCentis: p.reduceToCentis }, t);
        break;
      case 'close_market':
        r = e.closeMarket(p.marketTicker, t);
        break;
      case 'determine_market':
        r = e.determineMarket(p.marketTicker, p.result, t);
        break;
      case 'settle_market':
        r = e.settleMarket(p.marketTicker, t);
        break;
      case 'advance_clock':
        r = e.advanceClock(t);
        break;
      default:
        throw new Error(`unknown command kind ${JSON.stringify(cmd.kind)} (journal from a newer version?)`);
    }
    this.index(r.events);
    this.balanceEvents(r.events, t);
    return r;
  }

  /**
   * The engine reports `balance_changed` only for deposits, withdrawals and settlements; orders lock cash and fills
   * move it without one. After every command the venue appends a `balance_changed` for each account the command
   * touched whose cash or available balance differs from the last one reported, so that the store's `accounts` table
   * and the balance channels stay true.
   */
  private balanceEvents(events: EngineEvent[], tsMs: number): void {
    // accounts in first-touch order; a command touches one or a few, so a list beats a Set
    const touched: string[] = [];
    for (const ev of events) {
      if (ev.type === 'balance_changed') this.lastBalance.set(ev.accountId, { cashTicks: ev.cashTicks, availableTicks: ev.availableTicks });
      else if ('accountId' in ev && ev.type !== 'order_rejected' && !touched.includes(ev.accountId)) touched.push(ev.accountId);
    }
    for (const id of touched) {
      const b = this.engine.getBalance(id);
      if (!b) continue;
      const last = this.lastBalance.get(id);
      if (last && last.cashTicks === b.cashTicks && last.availableTicks === b.availableTicks) continue;
      events.push({ type: 'balance_changed', accountId: id, cashTicks: b.cashTicks, availableTicks: b.availableTicks, deltaTicks: b.cashTicks - (last?.cashTicks ?? 0), tsMs });
      this.lastBalance.set(id, { cashTicks: b.cashTicks, availableTicks: b.availableTicks });
    }
  }

  /** Updates mirror books, trades, fills and settlements from a command's events. */
  private index(events: EngineEvent[]): void {
    for (const ev of events) {
      switch (ev.type) {
        case 'orderbook_delta': {
          const b = this.books.get(ev.marketTicker);
          if (b) b.applyDelta(ev.side, ev.priceTicks, ev.deltaCentis);
          break;
        }
        case 'fill': {
          this.fills.push(ev);
          let list = this.fillsByAccount.get(ev.accountId);
          if (!list) this.fillsByAccount.set(ev.accountId, (list = []));
          list.push(ev);
          if (ev.isTaker) {
            this.trades.push({ tradeId: ev.tradeId, marketTicker: ev.marketTicker, yesPriceTicks: ev.yesPriceTicks, sizeCentis: ev.sizeCentis, takerSide: ev.side, takerAction: ev.action, tsMs: ev.tsMs });
            const m = this.markets.get(ev.marketTicker);
            if (m) {
              m.lastPriceTicks = ev.yesPriceTicks;
              m.volumeCentis += ev.sizeCentis;
            }
          }
          break;
        }
        case 'settlement':
          this.settlements.push(ev);
          break;
      }
    }
  }

  /** Journals a command (ordered group commit) and publishes its events once durable. */
  private record(cmd: VenueCommand, r: OpResult | PlaceResult): Promise<void> {
    if (this.replaying) return Promise.resolve();
    if (!this.journal) {
      // memory only: nothing to wait for and nothing can fail, so the tail never rejects: publish after the commands
      // before this one, in order, with one promise instead of three
      this.tail = this.tail.then(() => this.publish(r.events, cmd));
      return this.tail;
    }
    const durable = this.journal ? this.journal.commit(cmd, r.events) : Promise.resolve();
    const step = this.tail.then(
      () => durable,
      () => durable,
    );
    this.tail = step.then(
      () => this.publish(r.events, cmd),
      (err: Error) => {
        if (!this.halted) {
          this.halted = err;
          this.log(`venue halted: journal commit of command ${cmd.seq} (${cmd.kind}) failed: ${err.message}`);
        }
        throw new VenueHaltedError(`venue halted: ${err.message}`);
      },
    );
    return this.tail;
  }

  private publish(events: EngineEvent[], cmd: VenueCommand): void {
    for (const l of this.listeners) {
      try {
        l(events, cmd);
      } catch (e) {
        this.log(`venue listener failed on command ${cmd.seq}: ${(e as Error).message}`);
      }
    }
  }
}
