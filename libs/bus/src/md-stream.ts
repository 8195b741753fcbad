/**
 * JetStream persistence of the market data (issue #6, shard hand-off): a stream that captures every core-NATS publish
 * on `md.v1.>`, so ingestion's snapshots, deltas and stale marks (published through @nestjs/microservices as plain
 * `PUB md.v1.p<k>.<kind>.<ticker>`, payload `{"pattern":...,"data":<BookSnapshotV1|BookDeltaV1|BookStaleV1>}`) can be
 * replayed: a ticker-plant shard that gains a partition rebuilds its books from the stream (the latest snapshot of each
 * market and every message after it) and every message carries its stream sequence, the cut of the hand-off protocol
 * (libs/feature-ticker-plant/src/handoff.service.ts).
 *
 * Settings of the stream (NATS docs, "JetStream > Streams", https://docs.nats.io/nats-concepts/jetstream/streams):
 * limits retention (messages stay until a limit removes them, whoever consumed them), `max_age` 24 h by default (and
 * optionally `max_msgs` / `max_bytes`, discarding the oldest), file storage. Ingestion and the ticker plant both call
 * {@link ensureMdStream} at start; whichever comes first creates it, the others find it. Like `ensureSignalStream`
 * (./jetstream.ts), an existing stream is never changed: its differences from the wanted settings are reported.
 */
import { DiscardPolicy, nanos, RetentionPolicy, StorageType, type StreamConfig } from 'nats';
import { ensureStream } from './jetstream';
import { MD_PREFIX } from './subjects';

/** Default name of the market-data stream. */
export const MD_STREAM = 'MD';
/** Subjects of the market-data stream: every `md.v1.p<k>.<snapshot|delta|stale>.<ticker>`. */
export const MD_STREAM_SUBJECTS: readonly string[] = [`${MD_PREFIX}.>`];
/** How long the stream keeps a message by default, ms (24 h). */
export const MD_STREAM_MAX_AGE_MS = 24 * 3_600_000;

/** Options of {@link ensureMdStream}; the defaults are the production stream. */
export interface MdStreamOptions {
  /** stream name, default {@link MD_STREAM} (`MD`; env `MD_STREAM` in the apps); tests pass a unique one */
  stream?: string;
  /** subjects, default {@link MD_STREAM_SUBJECTS} (`md.v1.>`) */
  subjects?: readonly string[];
  /** max age of a message, ms (integer >= 1), default {@link MD_STREAM_MAX_AGE_MS} */
  maxAgeMs?: number;
  /** max messages kept (integer >= 1; the oldest are discarded), default unlimited */
  maxMsgs?: number;
  /** max bytes kept (integer >= 1; the oldest are discarded), default unlimited */
  maxBytes?: number;
  /** connection timeout, ms, default 5000 */
  connectTimeoutMs?: number;
  /** connection name shown by the server, default `md-stream` */
  name?: string;
}

/** What {@link ensureMdStream} found or did. */
export interface EnsureMdStreamResult {
  /** true when this call created the stream */
  created: boolean;
  stream: string;
  /**
   * Settings of an EXISTING stream that differ from the wanted ones, one line each; empty when it matches or was just
   * created. Such a stream is left exactly as it is (an operator may have changed it on purpose): a report, not an error.
   */
  mismatches: string[];
}

/** JetStream API error codes (nats-server): stream not found, name in use with other settings, subjects overlap. */
function optionalLimit(v: number | undefined, what: string): number {
  if (v === undefined) return -1;
  if (!Number.isSafeInteger(v) || v < 1) throw new Error(`${what} must be an integer >= 1, got ${String(v)}`);
  return v;
}

/**
 * Creates the JetStream stream of the market data if it is missing. Idempotent: an existing stream of that name is
 * never changed (its differences are reported in `mismatches`); processes racing to create it all succeed with one
 * stream (JetStream's add is idempotent for identical settings).
 * @param natsUrl e.g. `nats://127.0.0.1:4222` (the server must have JetStream enabled)
 * @throws Error on a bad option, when the server cannot be reached, or when JetStream refuses (not enabled, or another
 *   stream already captures these subjects: the message names that stream)
 */
export async function ensureMdStream(natsUrl: string, opts: MdStreamOptions = {}): Promise<EnsureMdStreamResult> {
  const stream = opts.stream ?? MD_STREAM;
  const subjects = [...(opts.subjects ?? MD_STREAM_SUBJECTS)];
  const maxAgeMs = opts.maxAgeMs ?? MD_STREAM_MAX_AGE_MS;
  if (typeof stream !== 'string' || !/^[A-Za-z0-9_-]+$/.test(stream)) throw new Error(`stream name ${JSON.stringify(stream)} must be letters, digits, _ or -`);
  if (subjects.length === 0 || subjects.some((s) => typeof s !== 'string' || s.length === 0)) throw new Error('subjects must be non-empty strings (at least one)');
  if (!Number.isSafeInteger(maxAgeMs) || maxAgeMs < 1) throw new Error(`maxAgeMs must be an integer >= 1, got ${String(maxAgeMs)}`);
  const maxMsgs = optionalLimit(opts.maxMsgs, 'maxMsgs');
  const maxBytes = optionalLimit(opts.maxBytes, 'maxBytes');
  const want: Partial<StreamConfig> = {
    name: stream,
    subjects,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(maxAgeMs),
    max_msgs: maxMsgs,
    max_bytes: maxBytes,
  };

  try {
    return await ensureStream(natsUrl, want as Partial<StreamConfig> & { name: string; subjects: string[] }, { name: opts.name ?? 'md-stream', connectTimeoutMs: opts.connectTimeoutMs });
  } catch (e) {
    // name the setting the apps read the stream name from
    throw new Error((e as Error).message.replace(/\(use its name(: (\S+))?\)$/, (_m, _a, other: string | undefined) => `(use its name, e.g. MD_STREAM=${other ?? '<name>'})`));
  }
}
