/**
 * Where partition assignments are published: a NATS JetStream key-value bucket per `spec.nats.assignmentBucket`, key
 * = TickerPlant name, value = {@link AssignmentRecord} JSON (docs.nats.io, "Key/Value Store"). Writes are
 * compare-and-set on the key's revision, so two operators that both believe they lead cannot overwrite each other's
 * assignment unseen. The bucket is created (default settings) on first use.
 */
import { connect, type KV, type NatsConnection } from 'nats';
import { decodeAssignment, encodeAssignment, type AssignmentRecord } from './assignment';

/** A key's current value: the record (null when the stored value is malformed) and its KV revision. */
export interface AssignmentEntry {
  record: AssignmentRecord | null;
  revision: number;
}

/** Reads and writes assignment records; one implementation talks to NATS, tests may use others. */
export interface AssignmentStore {
  /** The key's current value, or null when the key does not exist or was deleted. */
  read(url: string, bucket: string, key: string): Promise<AssignmentEntry | null>;
  /**
   * Writes the record if the key is still at `expectedRevision` (null: the key must not exist or be deleted).
   * @returns the new revision
   * @throws Error when the key changed meanwhile (wrong last sequence) or NATS fails
   */
  write(url: string, bucket: string, key: string, record: AssignmentRecord, expectedRevision: number | null): Promise<number>;
  /** Deletes the key (a delete marker: watching shards see the deletion). A missing bucket or key is not an error. */
  remove(url: string, bucket: string, key: string): Promise<void>;
  /** Closes every connection. */
  close(): Promise<void>;
}

/** {@link AssignmentStore} over NATS JetStream KV; one connection per NATS URL, opened on demand. */
export class NatsAssignmentStore implements AssignmentStore {
  private readonly conns = new Map<string, Promise<NatsConnection>>();
  private readonly buckets = new Map<string, Promise<KV>>();

  /** @param name client name shown by the NATS server (monitoring) */
  constructor(private readonly name = 'kalshi-platform-operator') {}

  private conn(url: string): Promise<NatsConnection> {
    let c = this.conns.get(url);
    if (!c) {
      c = connect({ servers: url, name: this.name, timeout: 3000, maxReconnectAttempts: -1 });
      this.conns.set(url, c);
      c.then(
        (nc) =>
          void nc.closed().then(() => {
            if (this.conns.get(url) === c) this.conns.delete(url);
            for (const k of [...this.buckets.keys()]) if (k.startsWith(`${url}|`)) this.buckets.delete(k);
          }),
        () => this.conns.delete(url),
      );
    }
    return c;
  }

  private kv(url: string, bucket: string): Promise<KV> {
    const k = `${url}|${bucket}`;
    let b = this.buckets.get(k);
    if (!b) {
      b = this.conn(url).then((nc) => nc.jetstream().views.kv(bucket));
      this.buckets.set(k, b);
      b.catch(() => this.buckets.delete(k));
    }
    return b;
  }

  async read(url: string, bucket: string, key: string): Promise<AssignmentEntry | null> {
    const e = await (await this.kv(url, bucket)).get(key);
    if (!e || e.operation !== 'PUT') return null;
    return { record: decodeAssignment(e.value), revision: e.revision };
  }

  async write(url: string, bucket: string, key: string, record: AssignmentRecord, expectedRevision: number | null): Promise<number> {
    const kv = await this.kv(url, bucket);
    const data = encodeAssignment(record);
    return expectedRevision === null ? kv.create(key, data) : kv.update(key, data, expectedRevision);
  }

  async remove(url: string, bucket: string, key: string): Promise<void> {
    const nc = await this.conn(url);
    try {
      await (await nc.jetstreamManager()).streams.info(`KV_${bucket}`);
    } catch (err) {
      if (/stream not found/i.test(String((err as Error).message))) return; // no bucket: nothing to delete
      throw err;
    }
    const kv = await this.kv(url, bucket);
    const e = await kv.get(key);
    if (!e || e.operation !== 'PUT') return;
    await kv.delete(key);
  }

  async close(): Promise<void> {
    const all = [...this.conns.values()];
    this.conns.clear();
    this.buckets.clear();
    await Promise.all(all.map((c) => c.then((nc) => nc.close()).catch(() => undefined)));
  }
}
