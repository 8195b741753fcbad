import { DynamicModule, Module } from '@nestjs/common';
import { BusModule, BusTransport } from '@kalshi-platform/bus';
import { KalshiFixOrderClient, KalshiRestClient, KalshiWsClient } from '@kalshi-platform/kalshi';
import { openRelationalStore, type RelationalStore } from '@kalshi-platform/storage';
import type { ExecutionConfig } from './execution.config';
import { ExecutionController } from './execution.controller';
import { ExecutionHttpController } from './execution.http';
import { ExecutionService, type ExecutionDeps } from './execution.service';
import { ExecutionStore } from './execution.store';
import { FixOrderRoute, RestOrderRoute } from './order-route';
import { EXECUTION_CONFIG, EXECUTION_DEPS } from './tokens';

/** The execution app: signals -> risk gate -> orders; fills -> positions; reconciliation; kill switch. */
@Module({})
export class ExecutionModule {
  static forRoot(cfg: ExecutionConfig, transport: BusTransport, deps: ExecutionDeps): DynamicModule {
    return {
      module: ExecutionModule,
      imports: [BusModule.forRoot(transport)],
      controllers: [ExecutionController, ExecutionHttpController],
      providers: [{ provide: EXECUTION_CONFIG, useValue: cfg }, { provide: EXECUTION_DEPS, useValue: deps }, ExecutionService],
      exports: [ExecutionService],
    };
  }
}

/** What {@link openExecutionDeps} opened, to close after the app. */
export interface OpenedExecutionDeps extends ExecutionDeps {
  relational: RelationalStore;
  /** closes the relational store (the service closes the route and the WebSocket) */
  closeStore(): Promise<void>;
}

/**
 * Opens what the service needs from its config: the relational store (PostgreSQL or PGlite; refuses to run with
 * pending migrations: run `kalshi-platform migrate up`), the signed REST client, the WebSocket client for `fill` and
 * `user_orders`, and the REST or FIX order route.
 * @throws Error naming what is missing (pending migrations, unreachable database)
 */
export async function openExecutionDeps(
  cfg: ExecutionConfig,
  opts: { clock?: () => number; log?: (level: 'info' | 'warn' | 'error', msg: string) => void; /** an already open store (not closed by closeStore) */ relational?: RelationalStore } = {},
): Promise<OpenedExecutionDeps> {
  const relational = opts.relational ?? (await openRelationalStore({ databaseUrl: cfg.databaseUrl, dataDir: cfg.dbDir, schema: cfg.dbSchema }));
  try {
    const st = await relational.migrationStatus();
    if (st.pending.length > 0) throw new Error(`execution: the relational store (${relational.kind}, schema ${relational.schema}) has pending migrations ${st.pending.join(', ')}: run \`npx kalshi-platform migrate up\` first`);
  } catch (e) {
    if (!opts.relational) await relational.close();
    throw e;
  }
  const credentials = { keyId: cfg.credentials.keyId, privateKeyPem: cfg.credentials.privateKeyPem };
  const rest = new KalshiRestClient({ baseUrl: cfg.restUrl, credentials });
  const ws = new KalshiWsClient({ url: cfg.wsUrl, credentials, reconnect: { initialDelayMs: 100, maxDelayMs: 5_000 }, log: opts.log });
  const route =
    cfg.route === 'fix'
      ? new FixOrderRoute(new KalshiFixOrderClient({ host: cfg.fix!.host, port: cfg.fix!.port, keyId: cfg.credentials.keyId, privateKeyPem: cfg.credentials.privateKeyPem, log: opts.log }))
      : new RestOrderRoute(rest);
  return { store: new ExecutionStore(relational), route, rest, ws, clock: opts.clock, relational, closeStore: async () => (opts.relational ? undefined : relational.close()) };
}
