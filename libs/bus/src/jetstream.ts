/**
 * JetStream persistence of the trading signals (issue #5): a stream that captures every core-NATS publish on
 * `signal.v1.trade.>`, so the SignalV1 messages detection publishes through @nestjs/microservices (plain
 * `PUB signal.v1.trade.<kind>`, payload `{"pattern":"signal.v1.trade.<kind>","data":<SignalV1>}`) are kept for audit
 * and replay without any change to the publisher: JetStream stores a core publish on a subject a stream listens to.
 *
 * Settings of the stream (NATS docs, "JetStream > Streams", https://docs.nats.io/nats-concepts/jetstream/streams):
 * limits retention (messages stay until a limit removes them, whoever consumed them), `max_age` 7 days, file
 * storage. Only this file talks to JetStream; the app publishes as before.
 */
import { connect, nanos, RetentionPolicy, StorageType, type JetStreamManager, type NatsError, type StreamConfig, type StreamInfo } from 'nats';
import { SIGNAL_PREFIX, SIGNAL_STREAM } from './subjects';

/** Subjects of {@link SIGNAL_STREAM}: every `signal.v1.trade.<kind>` (SignalV1). */
export const SIGNAL_STREAM_SUBJECTS: readonly string[] = [`${SIGNAL_PREFIX}.trade.>`];
/** How long the stream keeps a signal, ms (7 days). */
export const SIGNAL_STREAM_MAX_AGE_MS = 7 * 24 * 3_600_000;

/** Options of {@link ensureSignalStream}; the defaults are the production stream. */
export interface SignalStreamOptions {
  /** stream name, default {@link SIGNAL_STREAM} (`SIGNALS`); tests pass a unique one */
  stream?: string;
  /** subjects, default {@link SIGNAL_STREAM_SUBJECTS} (`signal.v1.trade.>`) */
  subjects?: readonly string[];
  /** max age of a message, ms (integer >= 1), default {@link SIGNAL_STREAM_MAX_AGE_MS} */
  maxAgeMs?: number;
  /** connection timeout, ms, default 5000 */
  connectTimeoutMs?: number;
  /** connection name shown by the server, default `signal-stream` */
  name?: string;
}

/** What {@link ensureSignalStream} found or did. */
export interface EnsureSignalStreamResult {
  /** true when this call created the stream */
  created: boolean;
  stream: string;
  /**
   * Settings of an EXISTING stream that differ from the wanted ones, one line each (`max_age: 86400000 ms, wanted
   * 604800000 ms`); empty when it matches or was just created. Such a stream is left exactly as it is (an operator
   * may have changed it on purpose): this is a report, not an error.
   */
  mismatches: string[];
}

/** JetStream API error code "stream not found" (nats-server `JSStreamNotFoundErr`). */
const STREAM_NOT_FOUND = 10059;
/** JetStream API error code "stream name already in use with a different configuration" (`JSStreamNameExistErr`). */
const STREAM_NAME_EXISTS = 10058;
const SUBJECTS_OVERLAP = 10065;

const apiErrCode = (e: unknown): number | undefined => (e as NatsError | null)?.api_error?.err_code;

/**
 * Creates the JetStream stream of the trading signals if it is missing. Idempotent: an existing stream of that name
 * is never changed (its differences from the wanted settings are reported in `mismatches`); two processes racing to
 * create it both succeed with one stream (JetStream's add is idempotent for identical settings, so both may report
 * `created: true`; a racer with other settings sees the winner's stream as existing, with its differences).
 * @param natsUrl e.g. `nats://127.0.0.1:4222` (the server must have JetStream enabled)
 * @throws Error on a bad option, when the server cannot be reached, or when JetStream refuses (not enabled, the
 *   subjects overlap another stream's): the message names the stream and the server's reason.
 */
export async function ensureSignalStream(natsUrl: string, opts: SignalStreamOptions = {}): Promise<EnsureSignalStreamResult> {
  const stream = opts.stream ?? SIGNAL_STREAM;
  const subjects = [...(opts.subjects ?? SIGNAL_STREAM_SUBJECTS)];
  const maxAgeMs = opts.maxAgeMs ?? SIGNAL_STREAM_MAX_AGE_MS;
  if (typeof stream !== 'string' || !/^[A-Za-z0-9_-]+$/.test(stream)) throw new Error(`stream name ${JSON.stringify(stream)} must be letters, digits, _ or -`);
  if (subjects.length === 0 || subjects.some((s) => typeof s !== 'string' || s.length === 0)) throw new Error('subjects must be non-empty strings (at least one)');
  if (!Number.isSafeInteger(maxAgeMs) || maxAgeMs < 1) throw new Error(`maxAgeMs must be an integer >= 1, got ${String(maxAgeMs)}`);
  const want: Partial<StreamConfig> & { name: string; subjects: string[] } = { name: stream, subjects, retention: RetentionPolicy.Limits, storage: StorageType.File, max_age: nanos(maxAgeMs) };
  return ensureStream(natsUrl, want, { name: opts.name ?? 'signal-stream', connectTimeoutMs: opts.connectTimeoutMs });
}

/**
 * Creates the JetStream stream `want` (name and subjects required) on `natsUrl` unless a stream of that name exists;
 * an existing stream is left as it is and its differing settings are reported in `mismatches`. Shared by
 * {@link ensureSignalStream} and `ensureMdStream`; idempotent, and a stream created meanwhile by another process is
 * reported like any existing one.
 * @throws Error naming the stream when JetStream is unavailable, when another stream already captures the subjects
 *   (naming it), or when the stream cannot be created
 */
export async function ensureStream(natsUrl: string, want: Partial<StreamConfig> & { name: string; subjects: string[] }, opts: { name: string; connectTimeoutMs?: number }): Promise<EnsureSignalStreamResult> {
  const stream = want.name;
  const subjects = want.subjects;
  const nc = await connect({ servers: natsUrl, name: opts.name, timeout: opts.connectTimeoutMs ?? 5000 });
  try {
    let jsm: JetStreamManager;
    try {
      jsm = await nc.jetstreamManager();
    } catch (e) {
      throw new Error(`JetStream stream ${stream}: JetStream is not available on ${natsUrl}: ${(e as Error).message}`);
    }
    const existing = await streamInfo(jsm, stream);
    if (existing !== null) return { created: false, stream, mismatches: differences(existing, want) };
    try {
      await jsm.streams.add(want);
      return { created: true, stream, mismatches: [] };
    } catch (e) {
      // created meanwhile by another process: report it like any existing stream
      if (apiErrCode(e) === STREAM_NAME_EXISTS) {
        const now = await streamInfo(jsm, stream);
        if (now !== null) return { created: false, stream, mismatches: differences(now, want) };
      }
      if (apiErrCode(e) === SUBJECTS_OVERLAP) {
        const other = await jsm.streams.find(subjects[0]).catch(() => null);
        throw new Error(`JetStream stream ${stream}: ${other ? `stream ${other}` : 'another stream'} already captures ${subjects.join(', ')} (use its name${other ? `: ${other}` : ''})`);
      }
      throw new Error(`JetStream stream ${stream}: cannot create it on ${subjects.join(', ')}: ${(e as Error).message}`);
    }
  } finally {
    await nc.close();
  }
}

/** The stream's info, or null when there is no such stream. @throws Error for any other failure. */
async function streamInfo(jsm: JetStreamManager, stream: string): Promise<StreamInfo | null> {
  try {
    return await jsm.streams.info(stream);
  } catch (e) {
    if (apiErrCode(e) === STREAM_NOT_FOUND) return null;
    throw new Error(`JetStream stream ${stream}: cannot read its info: ${(e as Error).message}`);
  }
}

/** Wanted settings an existing stream does not have, one line each. */
function differences(info: StreamInfo, want: Partial<StreamConfig>): string[] {
  const c = info.config;
  const out: string[] = [];
  const have = [...(c.subjects ?? [])].sort().join(', ');
  const wanted = [...(want.subjects ?? [])].sort().join(', ');
  if (have !== wanted) out.push(`subjects: ${have || '(none)'}, wanted ${wanted}`);
  if (c.retention !== want.retention) out.push(`retention: ${c.retention}, wanted ${want.retention}`);
  if (c.storage !== want.storage) out.push(`storage: ${c.storage}, wanted ${want.storage}`);
  if (c.max_age !== want.max_age) out.push(`max_age: ${Math.round(c.max_age / 1e6)} ms, wanted ${Math.round((want.max_age ?? 0) / 1e6)} ms`);
  if (want.max_msgs !== undefined && c.max_msgs !== want.max_msgs) out.push(`max_msgs: ${c.max_msgs}, wanted ${want.max_msgs}`);
  if (want.max_bytes !== undefined && c.max_bytes !== want.max_bytes) out.push(`max_bytes: ${c.max_bytes}, wanted ${want.max_bytes}`);
  return out;
}
