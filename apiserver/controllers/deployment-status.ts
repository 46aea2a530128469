// What a Deployment reports (sync.go calculateStatus and progress.go syncRolloutStatus): counts
// summed over its ReplicaSets, the Available condition, and the Progressing condition that
// tracks a rollout to NewReplicaSetAvailable or ProgressDeadlineExceeded. Pure functions; time
// is passed in.
import { rfc3339, type ReplicaSet } from '../../lib/client/types.js';
import { maxUnavailable, sumSpecReplicas, sumStatus } from './deployment-math.js';
import type { Deployment, DeploymentCondition } from './workload-types.js';

type DeploymentStatus = NonNullable<Deployment['status']>;

export const reasons = {
  minimumReplicasAvailable: 'MinimumReplicasAvailable',
  minimumReplicasUnavailable: 'MinimumReplicasUnavailable',
  newReplicaSet: 'NewReplicaSetCreated',
  foundNewReplicaSet: 'FoundNewReplicaSet',
  replicaSetUpdated: 'ReplicaSetUpdated',
  newReplicaSetAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  failedCreate: 'ReplicaSetCreateError',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
} as const;

/** MaxInt32 (or nothing) means "no deadline". */
export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec?.progressDeadlineSeconds;
  return s !== undefined && s !== null && s !== 2147483647;
}

export function condition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

export function newCondition(type: string, status: string, reason: string, message: string, now: number): DeploymentCondition {
  const t = rfc3339(now);
  return { type, status, reason, message, lastUpdateTime: t, lastTransitionTime: t };
}

/**
 * SetDeploymentCondition: a condition with the same status and reason is left alone (times
 * included); a changed reason keeps the transition time when the status did not change.
 */
export function setCondition(status: DeploymentStatus, c: DeploymentCondition): void {
  const cur = condition(status, c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  const next = cur && cur.status === c.status ? { ...c, lastTransitionTime: cur.lastTransitionTime } : c;
  status.conditions = [...(status.conditions ?? []).filter((x) => x.type !== c.type), next];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  const rest = (status.conditions ?? []).filter((c) => c.type !== type);
  if (rest.length) status.conditions = rest;
  else delete status.conditions;
}

/** calculateStatus: counts over every ReplicaSet, and Available from minimum availability. */
export function calculateStatus(d: Deployment, all: readonly ReplicaSet[], newRS: ReplicaSet | undefined, now: number): DeploymentStatus {
  const available = sumStatus(all, 'availableReplicas');
  const total = sumSpecReplicas(all);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation,
    replicas: sumStatus(all, 'replicas'),
    updatedReplicas: newRS ? sumStatus([newRS], 'replicas') : 0,
    readyReplicas: sumStatus(all, 'readyReplicas'),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
  };
  // Go leaves zero counts out of the JSON (omitempty).
  for (const k of Object.keys(status) as Array<keyof DeploymentStatus>) if (status[k] === 0) delete status[k];
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions?.length) status.conditions = d.status.conditions.map((c) => ({ ...c }));
  const desired = d.spec?.replicas ?? 1;
  if (available >= desired - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', reasons.minimumReplicasAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition('Available', 'False', reasons.minimumReplicasUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return status;
}

/** DeploymentComplete: every replica updated and available, and the latest spec observed. */
export function isComplete(d: Deployment, s: DeploymentStatus): boolean {
  const desired = d.spec?.replicas ?? 1;
  return (s.updatedReplicas ?? 0) === desired && (s.replicas ?? 0) === desired && (s.availableReplicas ?? 0) === desired
    && (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

/** DeploymentProgressing: more pods updated, ready or available, or fewer old ones, than last reported. */
function isProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld
    || (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

/** DeploymentTimedOut: no progress reported for progressDeadlineSeconds. */
export function isTimedOut(d: Deployment, s: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = condition(s, 'Progressing');
  if (!c) return false;
  if (c.reason === reasons.newReplicaSetAvailable) return false;
  if (c.reason === reasons.timedOut) return true;
  const from = Date.parse(c.lastUpdateTime ?? '');
  return Number.isFinite(from) && from + (d.spec?.progressDeadlineSeconds ?? 600) * 1000 < now;
}

/**
 * syncRolloutStatus's status: calculateStatus plus the Progressing condition (complete,
 * progressing, or timed out) and ReplicaSet failures carried over as ReplicaFailure.
 */
export function rolloutStatus(d: Deployment, all: readonly ReplicaSet[], newRS: ReplicaSet | undefined, now: number): DeploymentStatus {
  const s = calculateStatus(d, all, newRS, now);
  if (!hasProgressDeadline(d)) removeCondition(s, 'Progressing');
  const current = condition(d.status, 'Progressing');
  if (hasProgressDeadline(d) && !rolloutFinished(s, current)) {
    const subject = newRS ? `ReplicaSet "${newRS.metadata?.name}"` : `Deployment "${d.metadata?.name}"`;
    if (isComplete(d, s)) {
      setCondition(s, newCondition('Progressing', 'True', reasons.newReplicaSetAvailable, `${subject} has successfully progressed.`, now));
    } else if (isProgressing(d, s)) {
      const c = newCondition('Progressing', 'True', reasons.replicaSetUpdated, `${subject} is progressing.`, now);
      // Progress refreshes lastUpdateTime even when the reason stays the same.
      if (current) {
        if (current.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
        removeCondition(s, 'Progressing');
      }
      setCondition(s, c);
    } else if (isTimedOut(d, s, now)) {
      setCondition(s, newCondition('Progressing', 'False', reasons.timedOut, `${subject} has timed out progressing.`, now));
    }
  }
  const failure = replicaFailure(all, newRS);
  if (failure) setCondition(s, failure);
  else removeCondition(s, 'ReplicaFailure');
  return s;
}

/**
 * The last rollout finished (its new ReplicaSet was available) and no new one began: progress is
 * not estimated, so nothing can time out (upstream's isCompleteDeployment in syncRolloutStatus).
 */
function rolloutFinished(s: DeploymentStatus, progressing: DeploymentCondition | undefined): boolean {
  return s.replicas === s.updatedReplicas && progressing?.reason === reasons.newReplicaSetAvailable;
}

/** getReplicaFailures: the new ReplicaSet's ReplicaFailure first, else any old one's. */
function replicaFailure(all: readonly ReplicaSet[], newRS: ReplicaSet | undefined): DeploymentCondition | undefined {
  const ordered = newRS ? [newRS, ...all.filter((rs) => rs !== newRS)] : all;
  for (const rs of ordered) {
    const c = rs.status?.conditions?.find((x) => x.type === 'ReplicaFailure');
    if (c) return { type: 'ReplicaFailure', status: c.status, reason: c.reason, message: c.message, lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime };
  }
  return undefined;
}

/**
 * requeueStuckDeployment: when to look again so a stalled rollout is marked as timed out
 * (ms from now; 0: now, rate limited), or undefined when nothing is pending.
 */
export function recheckAfter(d: Deployment, s: DeploymentStatus, now: number): number | undefined {
  const c = condition(s, 'Progressing');
  if (!hasProgressDeadline(d) || !c || isComplete(d, s) || c.reason === reasons.timedOut) return undefined;
  // A finished rollout is not checked for progress again (rolloutStatus skips it) until the next
  // one: a pod lost since then cannot time it out, and looking again would only spin. Upstream
  // requeues it anyway, rate limited, until the pod is back.
  if (rolloutFinished(s, c)) return undefined;
  const from = Date.parse(c.lastUpdateTime ?? '');
  if (!Number.isFinite(from)) return undefined;
  const after = from + (d.spec?.progressDeadlineSeconds ?? 600) * 1000 - now;
  return after < 1000 ? 0 : after + 1000;
}

/** checkPausedConditions: Progressing Unknown while paused, and once resumed (unless timed out). */
export function pausedCondition(d: Deployment, now: number): DeploymentCondition | undefined {
  if (!hasProgressDeadline(d)) return undefined;
  const c = condition(d.status, 'Progressing');
  if (c?.reason === reasons.timedOut) return undefined;
  const pausedCond = c?.reason === reasons.paused;
  if (d.spec?.paused && !pausedCond) return newCondition('Progressing', 'Unknown', reasons.paused, 'Deployment is paused', now);
  if (!d.spec?.paused && pausedCond) return newCondition('Progressing', 'Unknown', reasons.resumed, 'Deployment is resumed', now);
  return undefined;
}

/** Whether two statuses differ (the write is skipped when they do not). */
export function statusDiffers(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  return JSON.stringify(normalize(a ?? {})) !== JSON.stringify(normalize(b));
}

function normalize(s: DeploymentStatus): Record<string, unknown> {
  const keys = ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'collisionCount'] as const;
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = s[k] ?? 0;
  out.conditions = (s.conditions ?? []).map((c) => [c.type, c.status, c.reason, c.message, c.lastUpdateTime, c.lastTransitionTime]);
  return out;
}
