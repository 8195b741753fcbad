/**
 * The TickerPlant's status as a pure function of what the operator observed, with metav1.Condition semantics
 * (sig-architecture/api-conventions.md, "Typical status properties"): `lastTransitionTime` changes only when a
 * condition's status changes; every condition carries the `observedGeneration` it was computed for.
 *
 * Conditions (the same triple as OpenShift's ClusterOperator, with the same meanings):
 * - Available: True when every shard is ready (StatefulSet readyReplicas >= spec.shards) and the assignment for
 *   spec.shards is published; reasons AllShardsReady, ShardsNotReady, AssignmentNotPublished.
 * - Progressing: True while the StatefulSet has not caught up with the spec (not yet observed, pods being added,
 *   removed or updated, or not ready yet); reasons Scaling, RollingOut, WaitingForShards; False with reason Complete.
 * - Degraded: True when the operator cannot converge (invalid spec, a child it does not own, NATS unreachable: the
 *   reason names it) or when Progressing has stayed True longer than the progress deadline (ProgressDeadlineExceeded,
 *   like a Deployment's progressDeadlineSeconds); else False with reason AsExpected.
 */
import type { AssignmentRecord } from './assignment';
import type { Condition, TickerPlant, TickerPlantStatus } from './crd';

/** The parts of a StatefulSet the status is computed from. */
export interface ObservedStatefulSet {
  generation?: number;
  specReplicas?: number;
  observedGeneration?: number;
  replicas?: number;
  readyReplicas?: number;
  updatedReplicas?: number;
}

/** Inputs of {@link computeStatus}. */
export interface StatusInputs {
  cr: TickerPlant;
  /** desired shards (spec.shards), when the spec is valid */
  shards?: number;
  /** the StatefulSet as last read, if it exists */
  sts?: ObservedStatefulSet;
  /** the assignment as published in NATS (or as last known) */
  assignment?: AssignmentRecord;
  /** why the operator cannot converge, if it cannot */
  problem?: { reason: string; message: string };
  /** the time for new transitions */
  now: Date;
  /** how long Progressing may stay True before Degraded turns True (default 600, as a Deployment's) */
  progressDeadlineSeconds?: number;
}

/** Default of {@link StatusInputs.progressDeadlineSeconds}, in seconds (a Deployment's default progressDeadlineSeconds). */
export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

/** RFC 3339 with second precision, as metav1.Time serializes. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Sets a condition in a list (by type), keeping `lastTransitionTime` when the status did not change.
 * Returns a new list sorted by type.
 */
export function setCondition(conditions: readonly Condition[] | undefined, next: Omit<Condition, 'lastTransitionTime'>, now: Date): Condition[] {
  const list = (conditions ?? []).filter((c) => c.type !== next.type);
  const prev = conditions?.find((c) => c.type === next.type);
  const lastTransitionTime = prev && prev.status === next.status ? prev.lastTransitionTime : rfc3339(now);
  list.push({ type: next.type, status: next.status, observedGeneration: next.observedGeneration, lastTransitionTime, reason: next.reason, message: next.message });
  return list.sort((a, b) => a.type.localeCompare(b.type));
}

/** Looks up a condition by type. */
export function findCondition(status: TickerPlantStatus | undefined, type: string): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** Computes the whole status from the observations (pure; see the module doc for the conditions). */
export function computeStatus(inp: StatusInputs, selector: string): TickerPlantStatus {
  const { cr, sts, shards, assignment, problem, now } = inp;
  const gen = cr.metadata.generation;
  const prev = cr.status ?? {};
  const ready = sts?.readyReplicas ?? 0;
  const replicas = sts?.replicas ?? 0;
  const published = !!assignment && shards !== undefined && assignment.shards === shards;

  let progressing: { status: Condition['status']; reason: string; message: string };
  if (shards === undefined) progressing = { status: 'False', reason: 'InvalidSpec', message: problem?.message ?? 'invalid spec' };
  else if (!sts) progressing = { status: 'True', reason: 'Creating', message: 'creating the StatefulSet' };
  else if (sts.observedGeneration === undefined || (sts.generation !== undefined && sts.observedGeneration < sts.generation) || sts.specReplicas !== shards) {
    progressing = { status: 'True', reason: 'RollingOut', message: 'the StatefulSet controller has not observed the latest spec' };
  } else if (replicas !== shards) progressing = { status: 'True', reason: 'Scaling', message: `${replicas} of ${shards} shard pods exist` };
  else if ((sts.updatedReplicas ?? replicas) < shards) progressing = { status: 'True', reason: 'RollingOut', message: `${sts.updatedReplicas ?? 0} of ${shards} shards updated` };
  else if (ready < shards) progressing = { status: 'True', reason: 'WaitingForShards', message: `${ready}/${shards} shards ready` };
  else progressing = { status: 'False', reason: 'Complete', message: `${shards} shards ready` };

  // Progressing has been True since its lastTransitionTime (it does not transition between its True reasons)
  const prevProgressing = prev.conditions?.find((c) => c.type === 'Progressing');
  const progressingSince = prevProgressing?.status === 'True' ? Date.parse(prevProgressing.lastTransitionTime) : now.getTime();
  const deadlineMs = (inp.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_SECONDS) * 1000;
  const degraded = problem
    ? { status: 'True' as const, reason: problem.reason, message: problem.message }
    : progressing.status === 'True' && now.getTime() - progressingSince > deadlineMs
      ? { status: 'True' as const, reason: 'ProgressDeadlineExceeded', message: `${progressing.message} for more than ${deadlineMs / 1000}s` }
      : { status: 'False' as const, reason: 'AsExpected', message: '' };

  const available =
    shards !== undefined && ready >= shards
      ? published
        ? { status: 'True' as const, reason: 'AllShardsReady', message: `${ready}/${shards} shards ready` }
        : { status: 'False' as const, reason: 'AssignmentNotPublished', message: 'the partition assignment for the current shard count is not published' }
      : { status: 'False' as const, reason: 'ShardsNotReady', message: `${ready}/${shards ?? '?'} shards ready` };

  let conditions = setCondition(prev.conditions, { type: 'Available', observedGeneration: gen, ...available }, now);
  conditions = setCondition(conditions, { type: 'Progressing', observedGeneration: gen, ...progressing }, now);
  conditions = setCondition(conditions, { type: 'Degraded', observedGeneration: gen, ...degraded }, now);

  const status: TickerPlantStatus = {
    observedGeneration: gen,
    readyShards: ready,
    replicas,
    selector,
    conditions,
  };
  const partitionAssignment = assignment?.assignment ?? prev.partitionAssignment;
  const assignmentGeneration = assignment?.generation ?? prev.assignmentGeneration;
  if (partitionAssignment) status.partitionAssignment = [...partitionAssignment];
  if (assignmentGeneration !== undefined) status.assignmentGeneration = assignmentGeneration;
  return status;
}
