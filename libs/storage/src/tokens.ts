/**
 * Injection tokens for the storage adapters, as plain symbols so this library stays framework-free. The feature
 * modules (ingestion, ticker plant, detection) take them as optional providers: absent = that service stores nothing.
 */

/** A {@link TickStore} (QuestDB or embedded) the service writes its rows through. */
export const TICK_STORE = Symbol('TICK_STORE');

/** A {@link HotCache} (Redis or in-memory LRU) for latest BBO, odds and rate-limit counters. */
export const HOT_CACHE = Symbol('HOT_CACHE');

/**
 * Closes (drains) the stores a standalone service owns (tick store, hot cache) when its application shuts down.
 * NestJS calls `onApplicationShutdown` on every provider instance that has it, so a module registers one of these
 * with what it owns; the all-in-one platform, which shares one store between services, closes them itself and
 * registers it empty. Closing errors are not thrown (shutdown goes on); closables are closed in order.
 */
export class CloseOnShutdown {
  constructor(private readonly closables: ReadonlyArray<{ close(): Promise<void> } | null | undefined>) {}

  async onApplicationShutdown(): Promise<void> {
    for (const c of this.closables) await c?.close().catch(() => undefined);
  }
}
