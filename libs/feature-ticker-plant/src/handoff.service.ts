/**
 * Shard hand-off of the KV-assigned ticker plant (issue #6): which partitions a shard owns comes from the operator's
 * assignment in a JetStream KV bucket, and a partition that moves between shards is neither lost nor published twice.
 *
 * Inputs
 * - The operator writes `{"v":1,"name","generation","shards","partitions","assignment":[shard of p0, shard of p1, ...]}`
 *   at key `TICKERPLANT_NAME` of bucket `ASSIGNMENT_BUCKET`; every shard watches the key. Shard i wants the partitions
 *   p with `assignment[p] == i` of the newest generation (an older or malformed value is refused and logged).
 * - Market data is read from the JetStream stream `MD_STREAM` (`md.v1.>`, libs/bus/src/md-stream.ts), one ordered
 *   consumer (no durable) per owned partition filtered on `md.v1.p<k>.>`, so every message comes with its stream
 *   sequence `seq`, the same number for every shard.
 *
 * The cut. Each partition has an ownership record, key `<TICKERPLANT_NAME>.p<k>` in bucket `HANDOFF_BUCKET` (the shards'
 * own bucket), changed only by compare-and-set on its revision, so all writes to it form one linear history:
 * - `{owner: null, seq: S}` (released): every message of the partition with seq <= S has been published, none after;
 * - `{owner: <instance>, seq: S}` (owned): that shard process publishes the messages after its cut and has published
 *   every message <= S (S starts at the cut it acquired at and moves with its checkpoints).
 *
 * Losing a partition: as soon as a generation no longer gives it p, the shard stops applying p's messages (between two
 * messages), drops p's books, flushes its NATS connection (everything it published is on the server) and releases p
 * with S = the seq of the last message of p it applied live (or its own cut if it applied none).
 * Gaining a partition: the shard reads the record. Released: cut = S. No record yet (a new plant): cut = the stream's
 * last seq now (history is rebuilt, not republished). Owned by another live shard: it waits (polls every 100 ms) for
 * the release, which comes when that shard sees the same generation. It writes `{owner: itself, seq: cut}` (CAS), then
 * rebuilds p's books from the stream: for each market of p the latest snapshot with seq <= cut and every message after
 * it up to the cut, applied without publishing (BookRegistry.replay; the "last published" top of book is what the
 * previous owner published). Only then does it publish, for every message with seq > cut. So each message of p is
 * published by exactly one shard: the one whose interval (acquire cut, release cut] holds its seq, and these intervals
 * follow each other without gap or overlap.
 *
 * Failures. A shard shutting down (SIGTERM, app.close) releases all its partitions. An owner that has died without
 * releasing answers no ping (`ctl.v1.ticker-plant.instance.<id>`: NATS "no responders"), and one that answers nothing
 * for `takeoverAfterMs` (10 s) is treated the same: the gaining shard takes p over from the owner's last checkpoint
 * (written every `checkpointMs`, 1 s, after a flush), so messages the dead owner published after it are published once
 * more (at-least-once for that window only; BBOs and levels are absolute states, so a repeat is harmless), none lost.
 * An owner whose checkpoint write fails its CAS has been taken over and stops publishing p at once (fencing).
 * Books of a market whose last snapshot has aged out of the stream cannot be rebuilt: they stay invalid until the
 * next snapshot, as after a cold start.
 *
 * Ready (`readiness()`): connected, the assignment read (a missing key or bucket counts as read: nothing to own), and
 * every wanted partition acquired and rebuilt.
 */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import {
  connect,
  DeliverPolicy,
  ErrorCode,
  JSONCodec,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type KV,
  type KvEntry,
  type NatsConnection,
  type NatsError,
  type QueuedIterator,
  type Subscription,
} from 'nats';
import { BUS_CLIENT, ensureMdStream, MD_PREFIX, subjects } from '@kalshi-platform/bus';
import { BookRegistry } from './book-registry.service';
import { AssignmentError, decodeAssignmentV1, decodePartitionRecordV1, partitionsOf, type PartitionAssignmentV1, type PartitionRecordV1 } from './assignment';
import type { HandoffConfig, TickerPlantConfig } from './ticker-plant.config';
import { TICKER_PLANT_CONFIG } from './tokens';

/** Request/reply subject a shard process answers while it lives (liveness of a partition's owner). */
export const instancePingSubject = (instance: string): string => `ctl.v1.ticker-plant.instance.${instance}`;

/** JetStream API error codes (nats-server). */
const STREAM_NOT_FOUND = 10059;
const WRONG_LAST_SEQUENCE = 10071;
const NO_MESSAGE_FOUND = 10037;
const apiErrCode = (e: unknown): number | undefined => (e as NatsError | null)?.api_error?.err_code;

/** One partition this shard holds in the ownership records. */
interface Owned {
  p: number;
  /** revision of our record */
  revision: number;
  /** we publish the messages with seq > cut */
  cut: number;
  /** the rebuild is complete once the message with this seq has been applied (the partition's last one <= cut) */
  target: number;
  /** seq of the last message applied (replayed or live) */
  lastSeq: number;
  replayed: number;
  live: boolean;
  /** no longer applies messages (lost, shutting down, fenced); the record is released by `release` */
  stopped: boolean;
  releasing: Promise<void> | null;
  messages: ConsumerMessages | null;
  checkpointed: number;
  checkpointing: boolean;
  /** serializes the writes of our record */
  kv: Promise<unknown>;
  acquiredAtMs: number;
}

/** Extra fields of a KV-assigned shard's status reply. */
export interface HandoffStatus {
  mode: 'static' | 'kv';
  /** assignment generation in force (-1: none read yet) */
  generation: number;
  ready: boolean;
  /** this process's id in the ownership records */
  instance?: string;
  /** partitions assigned to this shard but not yet acquired, and those acquired but still rebuilding */
  pending?: number[];
  rebuilding?: number[];
  /** messages replayed to rebuild gained partitions */
  replayed?: number;
}

const codec = JSONCodec<unknown>();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

@Injectable()
export class ShardHandoff implements OnModuleDestroy {
  private readonly logger = new Logger('ticker-plant');
  private readonly hc: HandoffConfig | undefined;
  readonly instance = randomUUID();
  /** NATS, JetStream and the hand-off bucket, once started */
  private io: { nc: NatsConnection; jsm: JetStreamManager; js: JetStreamClient; kv: KV } | null = null;
  private connected = false;
  private watcher: QueuedIterator<KvEntry> | null = null;
  private pingSub: Subscription | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private started = false;
  /** the assignment key (or its absence) has been read once */
  private initialized = false;
  private assignment: PartitionAssignmentV1 | null = null;
  private wanted = new Set<number>();
  private readonly owned = new Map<number, Owned>();
  private readonly waitingSince = new Map<number, number>();
  private readonly pings = new Map<string, { atMs: number; answer: 'alive' | 'gone' | 'silent' }>();
  private reconciling = false;
  private dirty = false;
  private lastCheckpointMs = 0;
  private readyLogged = -1;

  constructor(
    @Inject(TICKER_PLANT_CONFIG) private readonly cfg: TickerPlantConfig,
    private readonly registry: BookRegistry,
    @Inject(BUS_CLIENT) private readonly bus: ClientProxy,
  ) {
    this.hc = cfg.handoff;
  }

  private get conn(): NonNullable<ShardHandoff['io']> {
    if (this.io === null) throw new Error('hand-off not started');
    return this.io;
  }

  /** The KV-assigned settings. @throws Error in the static mode */
  private get settings(): HandoffConfig {
    if (!this.hc) throw new Error('static assignment: no hand-off');
    return this.hc;
  }

  /** True in the KV-assigned mode (TICKERPLANT_NAME set). */
  get enabled(): boolean {
    return this.hc !== undefined;
  }

  private get checkpointMs(): number {
    return this.hc?.checkpointMs ?? 1_000;
  }
  private get takeoverAfterMs(): number {
    return this.hc?.takeoverAfterMs ?? 10_000;
  }
  private get retryMs(): number {
    return this.hc?.retryMs ?? 100;
  }

  /**
   * Connects, makes sure the MD stream and the hand-off bucket exist, answers pings, and starts watching the
   * assignment (in the background: a missing bucket or key is waited for). No-op in the static mode.
   * @throws Error when NATS or JetStream is unusable (no JetStream, the MD stream cannot be created)
   */
  async start(natsUrl: string): Promise<void> {
    const hc = this.hc;
    if (!hc || this.started) return;
    this.started = true;
    const stream = await ensureMdStream(natsUrl, { stream: hc.mdStream, name: `ticker-plant-${this.cfg.shardIndex}-md-stream` });
    if (stream.created) this.logger.log(`created the JetStream stream ${stream.stream} (market data for replay)`);
    else if (stream.mismatches.length > 0) this.logger.warn(`JetStream stream ${stream.stream} exists with other settings (left as is): ${stream.mismatches.join('; ')}`);
    const nc = await connect({ servers: natsUrl, name: `ticker-plant-${this.cfg.shardIndex}-handoff`, maxReconnectAttempts: -1 });
    this.connected = true;
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') this.connected = false;
        else if (s.type === 'reconnect') this.connected = true;
      }
    })().catch(() => undefined);
    try {
      const js = nc.jetstream();
      this.io = { nc, jsm: await nc.jetstreamManager(), js, kv: await js.views.kv(hc.handoffBucket, { history: 1 }) };
    } catch (e) {
      await nc.close().catch(() => undefined);
      throw new Error(`hand-off bucket ${hc.handoffBucket}: ${message(e)}`);
    }
    this.pingSub = nc.subscribe(instancePingSubject(this.instance), {
      callback: (_err, m) => {
        if (m.reply) m.respond(codec.encode({ v: 1, instance: this.instance, shardIndex: this.cfg.shardIndex, generation: this.assignment?.generation ?? -1, owned: this.registry.ownedPartitions() }));
      },
    });
    this.timer = setInterval(() => this.onTick(), this.retryMs);
    void this.watchAssignment();
    this.logger.log(`shard ${this.cfg.shardIndex} (instance ${this.instance}) follows the assignment ${hc.assignmentBucket}/${hc.name}; market data from stream ${hc.mdStream}`);
  }

  /** Resolves when the shard is ready (see the module docstring), or rejects after `timeoutMs`. */
  async whenReady(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.readiness().ok) {
      if (Date.now() > deadline) throw new Error(`ticker-plant shard ${this.cfg.shardIndex} not ready after ${timeoutMs} ms: ${this.readiness().detail}`);
      await sleep(20);
    }
  }

  /** Readiness for the health server: NATS connected, the assignment read, every wanted partition rebuilt. */
  readiness(): { ok: boolean; detail: string } {
    if (!this.hc) return { ok: true, detail: `static assignment: ${this.registry.ownedPartitions().length} partition(s)` };
    if (!this.started || this.closed) return { ok: false, detail: this.closed ? 'shutting down' : 'not started' };
    if (!this.connected) return { ok: false, detail: 'NATS disconnected' };
    if (!this.initialized) return { ok: false, detail: `waiting to read the assignment ${this.hc.assignmentBucket}/${this.hc.name}` };
    const g = this.assignment?.generation ?? -1;
    const missing = [...this.wanted].filter((p) => {
      const o = this.owned.get(p);
      return !o || !o.live || o.stopped;
    });
    const leaving = [...this.owned.values()].filter((o) => !this.wanted.has(o.p)).map((o) => o.p);
    if (missing.length > 0) return { ok: false, detail: `generation ${g}: partition(s) ${missing.join(',')} not yet rebuilt` };
    if (leaving.length > 0) return { ok: false, detail: `generation ${g}: partition(s) ${leaving.join(',')} not yet released` };
    return { ok: true, detail: `generation ${g}: ${this.wanted.size} partition(s) owned and rebuilt` };
  }

  /** Fields added to the shard's status reply. */
  status(): HandoffStatus {
    const ready = this.readiness().ok;
    if (!this.hc) return { mode: 'static', generation: -1, ready };
    const owned = [...this.owned.values()];
    return {
      mode: 'kv',
      generation: this.assignment?.generation ?? -1,
      ready,
      instance: this.instance,
      pending: [...this.wanted].filter((p) => !this.owned.has(p)).sort((a, b) => a - b),
      rebuilding: owned.filter((o) => !o.live && !o.stopped).map((o) => o.p).sort((a, b) => a - b),
      replayed: this.registry.replayed,
    };
  }

  /** Releases every owned partition (their records say up to which seq this shard published), then disconnects. */
  async close(): Promise<void> {
    if (!this.hc || this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.watcher?.stop();
    const held = this.owned.size;
    for (let attempt = 0; attempt < 3 && this.owned.size > 0; attempt++) {
      if (attempt > 0) await sleep(200);
      await Promise.all([...this.owned.values()].map((o) => this.release(o, 'shutdown')));
    }
    if (held > 0) this.logger.log(`released ${held - this.owned.size} partition(s) at shutdown`);
    if (this.owned.size > 0) this.logger.warn(`partition(s) ${[...this.owned.keys()].join(',')} not released at shutdown: the next owner takes them over from the last checkpoint`);
    this.pingSub?.unsubscribe();
    await this.io?.nc.close().catch(() => undefined);
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  // --- assignment -------------------------------------------------------------------------------------------

  private async watchAssignment(): Promise<void> {
    const hc = this.settings;
    let waitingLogged = false;
    while (!this.closed) {
      try {
        const exists = await this.conn.jsm.streams.info(`KV_${hc.assignmentBucket}`).then(
          () => true,
          (e: unknown) => {
            if (apiErrCode(e) === STREAM_NOT_FOUND) return false;
            throw e;
          },
        );
        if (!exists) {
          if (!waitingLogged) this.logger.warn(`KV bucket ${hc.assignmentBucket} does not exist yet: owning nothing until the operator writes ${hc.name}`);
          waitingLogged = true;
          this.initialized = true;
        } else {
          const kv = await this.conn.js.views.kv(hc.assignmentBucket, { bindOnly: true });
          const iter = await kv.watch({
            key: hc.name,
            initializedFn: () => {
              this.initialized = true;
              this.kick();
            },
          });
          this.watcher = iter;
          if (this.closed) iter.stop();
          for await (const e of iter) this.onAssignment(e);
        }
      } catch (e) {
        if (!this.closed) this.logger.warn(`watching the assignment ${hc.assignmentBucket}/${hc.name}: ${message(e)} (retrying)`);
      }
      if (!this.closed) await sleep(1_000);
    }
  }

  private onAssignment(e: KvEntry): void {
    const hc = this.settings;
    const g = this.assignment?.generation ?? -1;
    if (e.operation !== 'PUT') {
      this.logger.warn(`assignment ${hc.assignmentBucket}/${hc.name} was deleted: keeping generation ${g}`);
      return;
    }
    let a: PartitionAssignmentV1;
    try {
      a = decodeAssignmentV1(e.json(), { name: hc.name, partitions: this.cfg.partitionCount });
    } catch (err) {
      this.logger.error(`assignment ${hc.assignmentBucket}/${hc.name} refused (keeping generation ${g}): ${err instanceof AssignmentError ? err.message : `not JSON: ${message(err)}`}`);
      return;
    }
    if (a.generation < g) {
      this.logger.warn(`assignment generation ${a.generation} is older than generation ${g} in force: ignored`);
      return;
    }
    this.assignment = a;
    this.wanted = new Set(partitionsOf(a, this.cfg.shardIndex));
    this.registry.setShardCount(a.shards);
    this.logger.log(`assignment generation ${a.generation}: shard ${this.cfg.shardIndex} of ${a.shards} owns ${this.wanted.size} partition(s)`);
    // stop publishing what it loses right away; the release (the record) follows in reconcile
    for (const o of this.owned.values()) if (!this.wanted.has(o.p)) this.stop(o);
    this.kick();
  }

  // --- reconciliation: release what is no longer ours, acquire what is -----------------------------------

  private kick(): void {
    if (!this.closed && this.initialized) void this.reconcile();
  }

  private hasWork(): boolean {
    for (const p of this.wanted) if (!this.owned.has(p)) return true;
    for (const o of this.owned.values()) if ((o.stopped || !this.wanted.has(o.p)) && !o.releasing) return true;
    return false;
  }

  private onTick(): void {
    if (this.closed) return;
    const now = Date.now();
    if (now - this.lastCheckpointMs >= this.checkpointMs) {
      this.lastCheckpointMs = now;
      this.checkpoint();
    }
    if (this.hasWork()) this.kick();
  }

  private async reconcile(): Promise<void> {
    if (this.reconciling) {
      this.dirty = true;
      return;
    }
    this.reconciling = true;
    try {
      do {
        this.dirty = false;
        const work: Array<Promise<unknown>> = [];
        for (const o of this.owned.values()) if ((o.stopped || !this.wanted.has(o.p)) && !o.releasing) work.push(this.release(o, 'reassigned'));
        for (const p of this.wanted) if (!this.owned.has(p)) work.push(this.tryAcquire(p));
        await Promise.all(work);
      } while (this.dirty && !this.closed);
    } catch (e) {
      this.logger.error(`hand-off: ${message(e)}`);
    } finally {
      this.reconciling = false;
    }
    if (!this.closed && this.initialized && this.readiness().ok && this.readyLogged !== (this.assignment?.generation ?? -1)) {
      this.readyLogged = this.assignment?.generation ?? -1;
      this.logger.log(`ready: ${this.readiness().detail}`);
    }
  }

  private key(p: number): string {
    return `${this.settings.name}.p${p}`;
  }

  private async ping(owner: string): Promise<'alive' | 'gone' | 'silent'> {
    const cached = this.pings.get(owner);
    if (cached && Date.now() - cached.atMs < 500) return cached.answer;
    let answer: 'alive' | 'gone' | 'silent';
    try {
      await this.conn.nc.request(instancePingSubject(owner), codec.encode({}), { timeout: 1_000 });
      answer = 'alive';
    } catch (e) {
      answer = (e as NatsError).code === ErrorCode.NoResponders ? 'gone' : 'silent';
    }
    this.pings.set(owner, { atMs: Date.now(), answer });
    return answer;
  }

  private async streamLastSeq(): Promise<number> {
    return (await this.conn.jsm.streams.info(this.settings.mdStream)).state.last_seq;
  }

  private async tryAcquire(p: number): Promise<void> {
    const key = this.key(p);
    try {
      const entry = await this.conn.kv.get(key);
      let rec: PartitionRecordV1 | null = null;
      if (entry && entry.operation === 'PUT') {
        try {
          rec = decodePartitionRecordV1(entry.json());
        } catch (e) {
          this.logger.error(`partition ${p}: unreadable ownership record (${message(e)}): treated as none`);
        }
      }
      let cut: number;
      if (rec === null) {
        cut = await this.streamLastSeq();
      } else if (rec.owner === null || rec.owner === this.instance) {
        cut = rec.seq;
      } else {
        const now = Date.now();
        const answer = await this.ping(rec.owner);
        if (answer === 'alive') {
          this.waitingSince.delete(p); // it releases p when it sees the assignment
          return;
        }
        const since = this.waitingSince.get(p) ?? now; // silent since
        this.waitingSince.set(p, since);
        if (answer === 'silent' && now - since < this.takeoverAfterMs) return;
        this.logger.warn(
          `partition ${p}: its owner (shard ${rec.shard}, instance ${rec.owner}) ${answer === 'gone' ? 'is gone' : `has not answered for ${now - since} ms`}: taking over from its last checkpoint, seq ${rec.seq} (what it published after that is published again)`,
        );
        cut = rec.seq;
      }
      if (!this.wanted.has(p) || this.closed || this.owned.has(p)) return;
      const mine: PartitionRecordV1 = { v: 1, partition: p, owner: this.instance, shard: this.cfg.shardIndex, seq: cut, generation: this.assignment?.generation ?? -1, tsMs: Date.now() };
      let revision: number;
      try {
        revision = entry ? await this.conn.kv.update(key, codec.encode(mine), entry.revision) : await this.conn.kv.create(key, codec.encode(mine));
      } catch (e) {
        if (apiErrCode(e) === WRONG_LAST_SEQUENCE || /wrong last sequence/.test(message(e))) return; // changed meanwhile: next round
        throw e;
      }
      this.waitingSince.delete(p);
      const o: Owned = {
        p,
        revision,
        cut,
        target: cut,
        lastSeq: 0,
        replayed: 0,
        live: false,
        stopped: false,
        releasing: null,
        messages: null,
        checkpointed: cut,
        checkpointing: false,
        kv: Promise.resolve(),
        acquiredAtMs: Date.now(),
      };
      this.owned.set(p, o);
      this.registry.own(p);
      if (!this.wanted.has(p) || this.closed) {
        this.stop(o);
        return;
      }
      await this.startConsumer(o);
    } catch (e) {
      const o = this.owned.get(p);
      this.logger.error(`partition ${p}: cannot acquire it: ${message(e)} (retrying)`);
      if (o && !o.messages) this.stop(o); // released (seq = its cut) and acquired again on a later round
    }
  }

  /** The seq of the last message of the stream on `subject` (wildcards allowed), or 0 when there is none. */
  private async lastSeqOn(subject: string): Promise<number> {
    try {
      return (await this.conn.jsm.streams.getMessage(this.settings.mdStream, { last_by_subj: subject })).seq;
    } catch (e) {
      if (apiErrCode(e) === NO_MESSAGE_FOUND || /no message found/i.test(message(e))) return 0;
      throw e;
    }
  }

  /**
   * Where the rebuild of partition p up to `cut` starts: the lowest of its markets' latest snapshot seq <= cut (a market
   * whose latest snapshot is after the cut needs an older one: then the whole retained partition is replayed), or null
   * when the partition has no snapshot in the stream (nothing can be rebuilt).
   */
  private async rebuildStart(p: number, cut: number): Promise<number | null> {
    const info = await this.conn.jsm.streams.info(this.settings.mdStream, { subjects_filter: `${MD_PREFIX}.p${p}.snapshot.*` });
    const snapshotSubjects = Object.keys(info.state.subjects ?? {});
    if (snapshotSubjects.length === 0) return null;
    const seqs = await Promise.all(snapshotSubjects.map((s) => this.lastSeqOn(s)));
    let start = Infinity;
    for (const seq of seqs) {
      if (seq === 0) continue;
      if (seq > cut) return info.state.first_seq;
      start = Math.min(start, seq);
    }
    return start === Infinity ? null : start;
  }

  private async startConsumer(o: Owned): Promise<void> {
    const filter = subjects.mdPartition(o.p);
    let start = o.cut + 1;
    if (o.cut > 0) {
      const last = await this.lastSeqOn(filter);
      if (last > 0) {
        o.target = Math.min(o.cut, last);
        const from = await this.rebuildStart(o.p, o.cut);
        if (from !== null && from <= o.target) start = from;
      }
    }
    if (o.stopped) return;
    const consumer = await this.conn.js.consumers.get(this.settings.mdStream, { filterSubjects: filter, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start });
    if (o.stopped) return;
    const messages = await consumer.consume({ max_messages: 1_000, callback: (m) => this.onMessage(o, m) });
    if (o.stopped) {
      void messages.close().catch(() => undefined);
      return;
    }
    o.messages = messages;
    if (start > o.cut) this.markLive(o); // nothing to replay
  }

  /** Applies one message of an owned partition: silently up to the cut, published after it. */
  private onMessage(o: Owned, m: JsMsg): void {
    if (o.stopped) return;
    const seq = m.seq;
    if (seq <= o.lastSeq) return; // ordered consumer: never expected, but never applied twice
    let data: unknown;
    try {
      const body = m.json<unknown>();
      // ingestion publishes through @nestjs/microservices: {"pattern": <subject>, "data": <contract>}
      data = typeof body === 'object' && body !== null && 'pattern' in body && 'data' in body ? (body as { data: unknown }).data : body;
    } catch {
      data = undefined; // counted as rejected by the registry
    }
    if (seq <= o.cut) {
      this.registry.replay(m.subject, data);
      o.lastSeq = seq;
      o.replayed++;
      if (seq >= o.target) this.markLive(o);
    } else {
      if (!o.live) this.markLive(o);
      this.registry.onMarketData(m.subject, data);
      o.lastSeq = seq;
    }
  }

  private markLive(o: Owned): void {
    if (o.live) return;
    o.live = true;
    if (o.replayed > 0) this.logger.log(`partition ${o.p} rebuilt up to seq ${o.cut} (${o.replayed} message(s) replayed in ${Date.now() - o.acquiredAtMs} ms): publishing from seq ${o.cut + 1}`);
    if (this.readiness().ok) this.kick(); // logs "ready" once per generation
  }

  /** Stops applying a partition's messages at once and drops its books (synchronous: between two messages). */
  private stop(o: Owned): void {
    if (o.stopped) return;
    o.stopped = true;
    this.registry.disown(o.p);
    const messages = o.messages;
    o.messages = null;
    if (messages) void messages.close().catch(() => undefined);
  }

  /** Flushes what the shard published (the ClientProxy emits from microtasks) to the server. */
  private async flushBus(): Promise<void> {
    await new Promise<void>((r) => setImmediate(r));
    let nc: NatsConnection | null = null;
    try {
      nc = (this.bus as unknown as { unwrap<T>(): T }).unwrap<NatsConnection>();
    } catch {
      return; // not connected yet: nothing published
    }
    if (nc && typeof nc.flush === 'function' && !nc.isClosed()) await nc.flush();
  }

  private writeRecord(o: Owned, fields: Pick<PartitionRecordV1, 'owner' | 'shard' | 'seq'>): Promise<void> {
    const run = async () => {
      const rec: PartitionRecordV1 = { v: 1, partition: o.p, ...fields, generation: this.assignment?.generation ?? -1, tsMs: Date.now() };
      o.revision = await this.conn.kv.update(this.key(o.p), codec.encode(rec), o.revision);
    };
    const next = o.kv.then(run, run);
    o.kv = next.catch(() => undefined);
    return next;
  }

  /** Releases p: stops it, flushes, records `{owner: null, seq: last applied}`. Retried by reconcile when it fails. */
  private release(o: Owned, why: string): Promise<void> {
    if (o.releasing) return o.releasing;
    this.stop(o);
    o.releasing = (async () => {
      const seq = Math.max(o.cut, o.lastSeq);
      try {
        await this.flushBus();
        await this.writeRecord(o, { owner: null, shard: null, seq });
        this.owned.delete(o.p);
        if (why !== 'shutdown') this.logger.log(`partition ${o.p} released at seq ${seq} (${why})`);
      } catch (e) {
        if (apiErrCode(e) === WRONG_LAST_SEQUENCE || /wrong last sequence/.test(message(e))) {
          this.owned.delete(o.p);
          this.logger.warn(`partition ${o.p}: its record was changed by another shard (taken over): nothing to release`);
        } else {
          this.logger.warn(`partition ${o.p}: release not recorded yet (${message(e)}): retrying`);
          o.releasing = null;
          return;
        }
      }
      this.kick();
    })();
    return o.releasing;
  }

  /** Records each live partition's progress (after a flush); a failed CAS means it was taken over: stop it. */
  private checkpoint(): void {
    for (const o of this.owned.values()) {
      if (o.stopped || !o.live || o.checkpointing || o.lastSeq <= o.checkpointed) continue;
      o.checkpointing = true;
      const seq = o.lastSeq;
      void (async () => {
        await this.flushBus();
        if (o.stopped) return;
        await this.writeRecord(o, { owner: this.instance, shard: this.cfg.shardIndex, seq });
        o.checkpointed = seq;
      })()
        .catch((e: unknown) => {
          if (apiErrCode(e) === WRONG_LAST_SEQUENCE || /wrong last sequence/.test(message(e))) {
            this.logger.error(`partition ${o.p} was taken over by another shard: stopping it`);
            this.stop(o);
            this.owned.delete(o.p);
          } else {
            this.logger.warn(`partition ${o.p}: checkpoint not recorded: ${message(e)}`);
          }
        })
        .finally(() => {
          o.checkpointing = false;
        });
    }
  }
}
