/**
 * MOCK-ONLY admin endpoints (not part of Kalshi's API): loopback tooling for tests and demos. Unauthenticated, not
 * rate limited and exempt from REST faults (see ./auth.guard, ./fault.interceptor) — bind the exchange to loopback.
 *
 * - `POST /trade-api/v2/mock/markets/{ticker}/close` -> `{ticker, status}`: stops trading, cancels resting orders;
 * - `POST /trade-api/v2/mock/markets/{ticker}/determine` `{result: "yes"|"no"}` -> `{ticker, status, result}`;
 * - `POST /trade-api/v2/mock/markets/{ticker}/settle` -> `{ticker, status, settlements}`: pays out positions;
 * - `POST /trade-api/v2/mock/accounts` `{account_id, balance_dollars?}` -> 201 `{account_id, api_key_id, private_key}`:
 *   opens an account and generates an API key for it (the private key is returned once, never logged);
 * - `POST /trade-api/v2/mock/accounts/{id}/deposit` `{amount_dollars}` -> `{account_id, balance_dollars}`;
 * - `GET /trade-api/v2/mock/faults` -> `{spec, faults, stats}`; `POST /trade-api/v2/mock/faults` with the JSON form of a
 *   fault spec (`faultBodySchema`: drop, disconnect, storm "EVERY/FOR", latency, hold, stale, legacy, seed) replaces the
 *   current spec (absent keys are off) -> the new `{spec, faults, stats}`.
 * (`GET /mock/replay` and `POST /mock/disconnect` live in market-data.controller.ts.)
 *
 * Refusals: unknown market/account 404, a lifecycle step out of order 409 `invalid_transition`, an existing account
 * 409 `account_exists`, bad input 400 naming the field.
 */
import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { formatPriceDollars } from '@kalshi-platform/market';
import { generateKalshiKeyPair } from '@kalshi-platform/kalshi';
import type { OpResult } from '@kalshi-platform/matching';
import { EXCHANGE_STATE, ExchangeState } from '../exchange-state';
import { faultBodySchema, FaultSpecError, formatFaultSpec, parseFaultSpec, type FaultSpec } from '../faults/fault-spec';
import { VenueHaltedError } from '../venue/venue';
import { registerApiKey } from './api-keys.controller';
import { badParam, KalshiHttpError, notFound } from './kalshi-http-error';
import { dollarsField, mockAccountSchema, mockDepositSchema, mockDetermineSchema, parseBody } from './params';

async function run(p: Promise<OpResult>, what: string): Promise<void> {
  let r: OpResult;
  try {
    r = await p;
  } catch (e) {
    if (e instanceof VenueHaltedError) throw new KalshiHttpError(503, 'service_unavailable', e.message);
    throw e;
  }
  if (r.ok) return;
  switch (r.reason) {
    case 'unknown_market':
    case 'unknown_account':
      throw notFound(what);
    case 'invalid_transition':
    case 'account_exists':
      throw new KalshiHttpError(409, r.reason, r.message);
    default:
      throw new KalshiHttpError(400, r.reason, r.message);
  }
}

/** See the module docstring. */
@Controller('trade-api/v2/mock')
export class MockAdminController {
  constructor(@Inject(EXCHANGE_STATE) private readonly st: ExchangeState) {}

  private market(ticker: string) {
    const m = this.st.venue.engine.getMarket(ticker);
    return { ticker, status: m?.status ?? 'unknown', ...(m?.result ? { result: m.result } : {}) };
  }

  /** Closes a market (no more trading; resting orders are canceled). */
  @Post('markets/:ticker/close')
  @HttpCode(200)
  async close(@Param('ticker') ticker: string) {
    await run(this.st.venue.closeMarket(ticker), `market ${ticker}`);
    return this.market(ticker);
  }

  /** Determines a closed market's result (`yes` | `no`). */
  @Post('markets/:ticker/determine')
  @HttpCode(200)
  async determine(@Param('ticker') ticker: string, @Body() body: unknown) {
    const b = parseBody(mockDetermineSchema, body);
    await run(this.st.venue.determineMarket(ticker, b.result), `market ${ticker}`);
    return this.market(ticker);
  }

  /** Settles a determined market: $1 per winning contract; `settlements` = positions settled. */
  @Post('markets/:ticker/settle')
  @HttpCode(200)
  async settle(@Param('ticker') ticker: string) {
    const before = this.st.venue.settlements.length;
    await run(this.st.venue.settleMarket(ticker), `market ${ticker}`);
    return { ...this.market(ticker), settlements: this.st.venue.settlements.length - before };
  }

  /** Opens an account (balance in dollars, default 0) with a generated API key; 201 `{account_id, api_key_id, private_key}`. */
  @Post('accounts')
  @HttpCode(201)
  async createAccount(@Body() body: unknown) {
    const b = parseBody(mockAccountSchema, body);
    const cash = b.balance_dollars === undefined ? 0 : dollarsField('balance_dollars', b.balance_dollars);
    await run(this.st.venue.createAccount(b.account_id, cash), `account ${b.account_id}`);
    const pair = generateKalshiKeyPair();
    const keyId = await registerApiKey(this.st, b.account_id, `${b.account_id} (mock)`, pair.publicKeyPem, ['read', 'write']);
    return { account_id: b.account_id, api_key_id: keyId, private_key: pair.privateKeyPem };
  }

  /** Adds cash to an account; `{account_id, balance_dollars}` (the new available balance). */
  @Post('accounts/:id/deposit')
  @HttpCode(200)
  async deposit(@Param('id') accountId: string, @Body() body: unknown) {
    const b = parseBody(mockDepositSchema, body);
    const amount = dollarsField('amount_dollars', b.amount_dollars);
    if (amount <= 0) throw badParam('amount_dollars', 'must be positive');
    await run(this.st.venue.deposit(accountId, amount), `account ${accountId}`);
    const a = this.st.venue.engine.getAccount(accountId);
    return { account_id: accountId, balance_dollars: formatPriceDollars(a?.availableTicks ?? 0) };
  }

  private faultsJson() {
    const f = this.st.faults;
    const c = f.current;
    return {
      spec: formatFaultSpec(c),
      faults: {
        drop: c.drop ?? null,
        disconnect: c.disconnect ?? null,
        storm: c.storm ? `${c.storm.everyMs}/${c.storm.forMs}` : null,
        latency: c.latencyMs ?? null,
        hold: c.holdMs ?? null,
        stale: c.stale ?? null,
        legacy: c.legacy === true,
        seed: c.seed,
        in_storm: f.inStorm(),
      },
      stats: {
        frames_dropped: f.stats.framesDropped,
        forced_disconnects: f.stats.forcedDisconnects,
        storm_rejections: f.stats.stormRejections,
        delayed_responses: f.stats.delayedResponses,
        stale_frames_sent: f.stats.staleFramesSent,
      },
    };
  }

  /** Current fault spec and what has been injected. */
  @Get('faults')
  getFaults() {
    return this.faultsJson();
  }

  /** Replaces the fault spec (JSON form of `--faults`; absent keys are off). */
  @Post('faults')
  @HttpCode(200)
  setFaults(@Body() body: unknown) {
    const b = parseBody(faultBodySchema, body ?? {});
    const spec: FaultSpec = { seed: b.seed ?? 1 };
    if (b.drop !== undefined) spec.drop = b.drop;
    if (b.disconnect !== undefined) spec.disconnect = b.disconnect;
    if (b.latency !== undefined && b.latency > 0) spec.latencyMs = b.latency;
    if (b.hold !== undefined && b.hold > 0) spec.holdMs = b.hold;
    if (b.stale !== undefined) spec.stale = b.stale;
    if (b.legacy) spec.legacy = true;
    if (b.storm !== undefined) {
      try {
        spec.storm = parseFaultSpec(`storm=${b.storm}`).storm;
      } catch (e) {
        if (e instanceof FaultSpecError) throw badParam('storm', e.message);
        throw e;
      }
    }
    this.st.faults.set(spec);
    return this.faultsJson();
  }
}
