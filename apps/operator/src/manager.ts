/**
 * Wires leader election to the controller: the informers and the work queue run only while this candidate holds the
 * Lease (a standby keeps trying to acquire it and takes over when it expires or is released).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { AssignmentStore } from './assignment-store';
import { LeaderElector } from './leader';
import { TickerPlantOperator, type OperatorOptions } from './operator';

/** Settings of {@link startManager}. Durations in ms unless named otherwise. */
export interface ManagerOptions {
  kubeConfig: KubeConfig;
  store: AssignmentStore;
  identity: string;
  leaseName: string;
  leaseNamespace: string;
  watchNamespace?: string;
  natsUrl?: string;
  leaseDurationSeconds?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  resyncMs?: number;
  informerRetryMs?: number;
  /** passed to the operator (see {@link OperatorOptions}) */
  operator?: Partial<Pick<OperatorOptions, 'maxBackoffMs' | 'progressDeadlineSeconds' | 'now'>>;
  log?: (msg: string) => void;
}

/** A running operator process: leader elector + controller. */
export interface Manager {
  readonly operator: TickerPlantOperator;
  readonly elector: LeaderElector;
  /** Stops the controller, releases the Lease if held. */
  stop(): Promise<void>;
}

/** Starts leader election; the controller starts when this candidate leads and stops when it no longer does. */
export function startManager(o: ManagerOptions): Manager {
  const log = o.log ?? ((m: string) => console.log(`operator: ${m}`));
  const operator = new TickerPlantOperator({
    kubeConfig: o.kubeConfig,
    namespace: o.watchNamespace,
    natsUrl: o.natsUrl,
    store: o.store,
    resyncMs: o.resyncMs,
    informerRetryMs: o.informerRetryMs,
    log,
    ...o.operator,
  });
  // start/stop are serialized: a quick lose-then-win never runs two informer sets
  let chain: Promise<void> = Promise.resolve();
  const serially = (f: () => Promise<void>): void => {
    chain = chain.then(f).catch((err: Error) => log(`controller: ${err.message}`));
  };
  const elector = new LeaderElector({
    kubeConfig: o.kubeConfig,
    namespace: o.leaseNamespace,
    name: o.leaseName,
    identity: o.identity,
    leaseDurationSeconds: o.leaseDurationSeconds,
    renewDeadlineMs: o.renewDeadlineMs,
    retryPeriodMs: o.retryPeriodMs,
    onStartedLeading: () => serially(() => operator.start()),
    onStoppedLeading: () => serially(() => operator.stop()),
    log,
  });
  elector.start();
  return {
    operator,
    elector,
    async stop() {
      await elector.stop();
      serially(() => operator.stop());
      await chain;
    },
  };
}
