/**
 * Leader election on a coordination.k8s.io/v1 Lease, the protocol of client-go's leaderelection package
 * (kubernetes.io/docs/concepts/architecture/leases): the leader renews `spec.renewTime` every `retryPeriodMs`; a
 * candidate takes the lease over when its holder has not renewed it for `leaseDurationSeconds`, measured on the
 * candidate's own clock from when it last saw the lease change (so clock skew between nodes does not matter). Every
 * write is a PUT carrying the resourceVersion that was read, so of two candidates racing for an expired lease exactly
 * one wins (the other gets 409 Conflict). A leader that cannot renew within `renewDeadlineMs` stops leading. On
 * `stop()` the leader releases the lease (empty holder) so a standby takes over without waiting for expiry.
 */
import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { isStatus } from './kube';

/** Settings of a {@link LeaderElector}. Durations as in client-go: 15 s lease, 10 s renew deadline, 2 s retry. */
export interface LeaderElectorOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** Lease name */
  name: string;
  /** This candidate's identity (the pod name) */
  identity: string;
  leaseDurationSeconds?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Called when this candidate becomes the leader. */
  onStartedLeading: () => void;
  /** Called when it stops being the leader (lost the lease, could not renew, or stop()). */
  onStoppedLeading: () => void;
  log?: (msg: string) => void;
}

const toMs = (t: Date | string | undefined): number => (t === undefined ? 0 : t instanceof Date ? t.getTime() : Date.parse(t));

/** A candidate for leadership; call {@link LeaderElector.start}. */
export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private readonly leaseDurationSeconds: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private leading = false;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private loop: Promise<void> = Promise.resolve();
  private lastRenew = 0;
  /** the lease as last read, and when (local clock) it was last seen to change */
  private observed: { rv?: string; holder?: string; renew?: number } = {};
  private observedAt = 0;
  private lastContact = 0;

  constructor(private readonly o: LeaderElectorOptions) {
    this.api = o.kubeConfig.makeApiClient(CoordinationV1Api);
    this.leaseDurationSeconds = o.leaseDurationSeconds ?? 15;
    this.renewDeadlineMs = o.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = o.retryPeriodMs ?? 2_000;
  }

  /** Whether this candidate currently holds the lease. */
  get isLeader(): boolean {
    return this.leading;
  }

  /** When (epoch ms) the API server last answered a Lease request (0: never), for readiness. */
  get lastContactMs(): number {
    return this.lastContact;
  }

  /** Starts trying to acquire (and then renew) the lease every retry period. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = (): void => {
      this.loop = this.tryAcquireOrRenew().finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.retryPeriodMs);
      });
    };
    tick();
  }

  /**
   * Stops; a leader releases the lease (holder cleared, unless `release` is false: then a standby waits for it to
   * expire, as after a crash) and calls onStoppedLeading.
   */
  async stop(release = true): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.loop;
    if (this.leading && release) {
      try {
        const lease = await this.api.readNamespacedLease({ name: this.o.name, namespace: this.o.namespace });
        if (lease.spec?.holderIdentity === this.o.identity) {
          lease.spec = { ...lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1, renewTime: new V1MicroTime() };
          await this.api.replaceNamespacedLease({ name: this.o.name, namespace: this.o.namespace, body: lease });
        }
      } catch (err) {
        this.o.log?.(`leader election: could not release lease ${this.o.namespace}/${this.o.name}: ${(err as Error).message}`);
      }
    }
    this.setLeading(false);
  }

  private setLeading(v: boolean): void {
    if (v === this.leading) return;
    this.leading = v;
    this.o.log?.(`leader election: ${this.o.identity} ${v ? 'became' : 'is no longer'} the leader (lease ${this.o.namespace}/${this.o.name})`);
    if (v) this.o.onStartedLeading();
    else this.o.onStoppedLeading();
  }

  private async tryAcquireOrRenew(): Promise<void> {
    const { namespace, name, identity } = this.o;
    const now = Date.now();
    try {
      let lease: V1Lease;
      try {
        lease = await this.api.readNamespacedLease({ name, namespace });
      } catch (err) {
        if (!isStatus(err, 404)) throw err;
        const created = await this.api.createNamespacedLease({
          namespace,
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name, namespace },
            spec: { holderIdentity: identity, leaseDurationSeconds: this.leaseDurationSeconds, acquireTime: new V1MicroTime(now), renewTime: new V1MicroTime(now), leaseTransitions: 0 },
          },
        });
        this.observe(created, now);
        this.lastContact = Date.now();
        this.lastRenew = now;
        this.setLeading(true);
        return;
      }
      this.observe(lease, now);
      this.lastContact = Date.now();
      const holder = lease.spec?.holderIdentity || undefined;
      const duration = (lease.spec?.leaseDurationSeconds ?? this.leaseDurationSeconds) * 1000;
      if (holder && holder !== identity && this.observedAt + duration > now) {
        this.setLeading(false); // someone else holds a live lease
        return;
      }
      const spec = lease.spec ?? {};
      const transition = holder !== identity;
      lease.spec = {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds: this.leaseDurationSeconds,
        acquireTime: transition ? new V1MicroTime(now) : spec.acquireTime,
        renewTime: new V1MicroTime(now),
        leaseTransitions: (spec.leaseTransitions ?? 0) + (transition && holder ? 1 : 0),
      };
      const updated = await this.api.replaceNamespacedLease({ name, namespace, body: lease });
      this.observe(updated, now);
      this.lastRenew = now;
      this.setLeading(true);
    } catch (err) {
      if (isStatus(err, 409)) this.lastContact = Date.now();
      // 409: another candidate wrote first (the next read tells who holds it); else the API server failed or refused.
      // A leader steps down only when it has not renewed for renewDeadlineMs (client-go's rule).
      if (!isStatus(err, 409)) this.o.log?.(`leader election: ${(err as Error).message}`);
      if (this.leading && now - this.lastRenew > this.renewDeadlineMs) this.setLeading(false);
    }
  }

  private observe(lease: V1Lease, now: number): void {
    const next = { rv: lease.metadata?.resourceVersion, holder: lease.spec?.holderIdentity, renew: toMs(lease.spec?.renewTime as Date | string | undefined) };
    if (next.rv !== this.observed.rv || next.holder !== this.observed.holder || next.renew !== this.observed.renew) {
      this.observed = next;
      this.observedAt = now;
    }
  }
}
