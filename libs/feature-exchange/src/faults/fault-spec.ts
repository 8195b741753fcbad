/**
 * Fault injection of the mock exchange, in any mode. A spec is given on the command line
 * (`--faults "drop=5,disconnect=200,storm=10000/2000,latency=20,stale=50,legacy,seed=7"`) and can be changed at run
 * time (`POST /trade-api/v2/mock/faults` with the same keys as JSON). Each fault is observable by a client:
 *
 * | key | effect | a client sees |
 * |---|---|---|
 * | `drop=N` | drops data frames on the wire while the per-sid `seq` still advances: replay mode drops N recorded deltas chosen by `seed`; live mode drops every Nth orderbook data frame | a seq gap |
 * | `disconnect=N` | closes each WebSocket connection once it has been sent N frames (close code 1012) | a close, must reconnect and resubscribe |
 * | `storm=EVERY/FOR` | every EVERY ms, for FOR ms, every REST request is answered 429 `{"error":"too many requests"}` | 429s (rate-limit storm) |
 * | `latency=MS` | adds MS ms before every REST response and every WebSocket data frame | slower answers |
 * | `hold=MS` | handles every REST request at once, then holds its answer MS ms | an order placed whose answer is late (a client that dies meanwhile never learns it) |
 * | `stale=N` | after every Nth orderbook delta on a sid, re-sends an earlier delta of that sid with its old seq | a frame with seq <= the last one (must be ignored) |
 * | `legacy` | WebSocket frames in the pre-2026-03-12 integer-cent dialect (`price`, `delta`, `yes`/`no` arrays) | legacy frames |
 * | `seed=S` | seed of every random choice (default 1) | — |
 */
import { z } from 'zod';

/** A parsed fault spec; absent keys are off. */
export interface FaultSpec {
  drop?: number;
  disconnect?: number;
  storm?: { everyMs: number; forMs: number };
  latencyMs?: number;
  /** REST: the request is handled, its answer is sent this many ms later */
  holdMs?: number;
  stale?: number;
  legacy?: boolean;
  seed: number;
}

const positiveInt = (key: string) =>
  z
    .string()
    .regex(/^\d+$/, `${key} must be a non-negative integer`)
    .transform(Number)
    .refine((n) => Number.isSafeInteger(n), `${key} is too large`);

const SPEC_KEYS = ['drop', 'disconnect', 'storm', 'latency', 'hold', 'stale', 'legacy', 'seed'] as const;

/** Thrown for a malformed fault spec; the message names the bad key. */
export class FaultSpecError extends Error {}

/**
 * Parses `k=v,k=v,flag` (see the module docstring).
 * @throws FaultSpecError naming the unknown key or bad value.
 */
export function parseFaultSpec(text: string): FaultSpec {
  const spec: FaultSpec = { seed: 1 };
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    const value = eq < 0 ? undefined : part.slice(eq + 1).trim();
    if (!(SPEC_KEYS as readonly string[]).includes(key)) throw new FaultSpecError(`unknown fault ${JSON.stringify(key)}; known: ${SPEC_KEYS.join(', ')}`);
    if (key === 'legacy') {
      if (value !== undefined && value !== 'true' && value !== 'false') throw new FaultSpecError(`legacy takes no value (or true/false), got ${JSON.stringify(value)}`);
      spec.legacy = value !== 'false';
      continue;
    }
    if (value === undefined || value === '') throw new FaultSpecError(`fault ${key} needs a value (${key}=...)`);
    if (key === 'storm') {
      const m = /^(\d+)\/(\d+)$/.exec(value);
      if (!m || Number(m[1]) <= 0 || Number(m[2]) <= 0 || Number(m[2]) > Number(m[1])) throw new FaultSpecError(`storm must be EVERY_MS/FOR_MS with 0 < FOR <= EVERY, got ${JSON.stringify(value)}`);
      spec.storm = { everyMs: Number(m[1]), forMs: Number(m[2]) };
      continue;
    }
    const r = positiveInt(key).safeParse(value);
    if (!r.success) throw new FaultSpecError(r.error.issues[0].message + `, got ${JSON.stringify(value)}`);
    const n = r.data;
    if ((key === 'drop' || key === 'disconnect' || key === 'stale') && n === 0) throw new FaultSpecError(`${key} must be >= 1`);
    if (key === 'latency') spec.latencyMs = n;
    else if (key === 'hold') spec.holdMs = n;
    else (spec as unknown as Record<string, number>)[key] = n;
  }
  return spec;
}

/** The same spec as JSON body of `POST /mock/faults` (keys as in the text form; `storm` as "EVERY/FOR"). */
export const faultBodySchema = z
  .object({
    drop: z.number().int().positive().optional(),
    disconnect: z.number().int().positive().optional(),
    storm: z.string().optional(),
    latency: z.number().int().nonnegative().optional(),
    hold: z.number().int().nonnegative().optional(),
    stale: z.number().int().positive().optional(),
    legacy: z.boolean().optional(),
    seed: z.number().int().nonnegative().optional(),
  })
  .strict();

/** Counters of the faults injected so far. */
export interface FaultStats {
  framesDropped: number;
  forcedDisconnects: number;
  stormRejections: number;
  delayedResponses: number;
  staleFramesSent: number;
}

/** The current fault spec of a running exchange (mutable at run time) and what it has injected. */
export class FaultController {
  private spec: FaultSpec;
  private readonly startedMs: number;
  readonly stats: FaultStats = { framesDropped: 0, forcedDisconnects: 0, stormRejections: 0, delayedResponses: 0, staleFramesSent: 0 };
  private readonly listeners = new Set<(spec: FaultSpec) => void>();

  constructor(spec: FaultSpec = { seed: 1 }, private readonly clock: () => number = Date.now) {
    this.spec = spec;
    this.startedMs = clock();
  }

  get current(): Readonly<FaultSpec> {
    return this.spec;
  }

  /** Replaces the spec (run-time change); listeners (the WebSocket gateway) are told. */
  set(spec: FaultSpec): void {
    this.spec = spec;
    for (const l of this.listeners) l(spec);
  }

  onChange(l: (spec: FaultSpec) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** True while a 429 storm is on (`storm=EVERY/FOR`: the first FOR ms of every EVERY ms since start). */
  inStorm(nowMs = this.clock()): boolean {
    const s = this.spec.storm;
    if (!s) return false;
    return (nowMs - this.startedMs) % s.everyMs < s.forMs;
  }
}

/** Text form of a spec (for logs and `GET /mock/faults`). */
export function formatFaultSpec(s: FaultSpec): string {
  const parts: string[] = [];
  if (s.drop) parts.push(`drop=${s.drop}`);
  if (s.disconnect) parts.push(`disconnect=${s.disconnect}`);
  if (s.storm) parts.push(`storm=${s.storm.everyMs}/${s.storm.forMs}`);
  if (s.latencyMs) parts.push(`latency=${s.latencyMs}`);
  if (s.holdMs) parts.push(`hold=${s.holdMs}`);
  if (s.stale) parts.push(`stale=${s.stale}`);
  if (s.legacy) parts.push('legacy');
  parts.push(`seed=${s.seed}`);
  return parts.join(',');
}
