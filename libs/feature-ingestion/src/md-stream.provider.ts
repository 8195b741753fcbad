/**
 * Makes sure the JetStream stream of the market data exists before ingestion publishes anything (issue #6, shard
 * hand-off): at application bootstrap (`listen()`, before `FeedService.start()`), when the bus is NATS and the config
 * names a stream (`IngestionConfig.mdStream`, env `MD_STREAM`, default `MD`). The ticker plant ensures the same stream
 * (libs/bus `ensureMdStream`, idempotent); an existing stream is left as it is and its differences logged. A failure
 * (no JetStream, another stream already captures `md.v1.>`) is logged as an error and ingestion goes on publishing on
 * core NATS: the feed itself does not need the stream, only the ticker plant's hand-off replay does.
 */
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ensureMdStream, type BusTransport } from '@kalshi-platform/bus';
import type { IngestionConfig } from './ingestion.config';
import { INGESTION_CONFIG, INGESTION_TRANSPORT } from './tokens';

@Injectable()
export class MdStreamEnsurer implements OnApplicationBootstrap {
  private readonly logger = new Logger('ingestion');
  /** what happened at start: `created`, `exists`, `failed`, or `off` (no stream configured or not on NATS) */
  outcome: 'created' | 'exists' | 'failed' | 'off' = 'off';

  constructor(
    @Inject(INGESTION_CONFIG) private readonly cfg: IngestionConfig,
    @Inject(INGESTION_TRANSPORT) private readonly transport: BusTransport,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.transport.kind !== 'nats' || !this.cfg.mdStream) return;
    try {
      const r = await ensureMdStream(this.transport.url, { stream: this.cfg.mdStream, name: 'ingestion-md-stream' });
      this.outcome = r.created ? 'created' : 'exists';
      if (r.created) this.logger.log(`created the JetStream stream ${r.stream} (market data for replay)`);
      else if (r.mismatches.length > 0) this.logger.warn(`JetStream stream ${r.stream} exists with other settings (left as is): ${r.mismatches.join('; ')}`);
    } catch (e) {
      this.outcome = 'failed';
      this.logger.error(`market data will not be replayable (ticker-plant hand-off needs it): ${(e as Error).message}`);
    }
  }
}
