// The arithmetic of a Deployment rollout (pkg/controller/deployment/util and rolling.go):
// maxSurge/maxUnavailable resolved against the replica count, how far the new ReplicaSet may
// grow, how far old ones may shrink, and proportional scaling of every active ReplicaSet when
// the Deployment is resized mid-rollout. Pure functions over ReplicaSet sizes.
import type { ReplicaSet } from '../../lib/client/types.js';
import { byCreation } from './pod-helpers.js';
import { desiredReplicasOf, maxReplicasOf } from './deployment-util.js';
import type { Deployment } from './workload-types.js';

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) return Number.isInteger(Number(v)) ? Number(v) : 0;
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

const replicasOf = (d: Deployment) => d.spec?.replicas ?? 1;
const isRolling = (d: Deployment) => (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

/** ResolveFenceposts: surge rounds up, unavailability down; both zero means one unavailable. */
export function resolveFenceposts(d: Deployment): { surge: number; unavailable: number } {
  const ru = d.spec?.strategy?.rollingUpdate;
  const desired = replicasOf(d);
  const surge = scaledValue(ru?.maxSurge ?? '25%', desired, true);
  const unavailable = scaledValue(ru?.maxUnavailable ?? '25%', desired, false);
  return surge === 0 && unavailable === 0 ? { surge, unavailable: 1 } : { surge, unavailable };
}

export function maxSurge(d: Deployment): number {
  return isRolling(d) ? resolveFenceposts(d).surge : 0;
}

export function maxUnavailable(d: Deployment): number {
  const desired = replicasOf(d);
  if (!isRolling(d) || desired === 0) return 0;
  return Math.min(resolveFenceposts(d).unavailable, desired);
}

const specReplicas = (rs: ReplicaSet | undefined) => rs?.spec?.replicas ?? 0;
export const sumSpecReplicas = (rss: readonly (ReplicaSet | undefined)[]) => rss.reduce((n, rs) => n + specReplicas(rs), 0);
export const sumStatus = (rss: readonly (ReplicaSet | undefined)[], f: 'replicas' | 'readyReplicas' | 'availableReplicas') =>
  rss.reduce((n, rs) => n + (rs?.status?.[f] ?? 0), 0);

/** ReplicaSets with (or that should have) pods. */
export const activeReplicaSets = (rss: readonly (ReplicaSet | undefined)[]): ReplicaSet[] =>
  rss.filter((rs): rs is ReplicaSet => !!rs && specReplicas(rs) > 0);

/** NewRSNewReplicas: the new ReplicaSet's size this step (rolling: within the surge). */
export function newRSNewReplicas(d: Deployment, all: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet): number {
  const desired = replicasOf(d);
  if (!isRolling(d)) return desired;
  const maxTotal = desired + scaledValue(d.spec?.strategy?.rollingUpdate?.maxSurge ?? '25%', desired, true);
  const current = sumSpecReplicas(all);
  if (current >= maxTotal) return specReplicas(newRS);
  return specReplicas(newRS) + Math.min(maxTotal - current, desired - specReplicas(newRS));
}

/** IsSaturated: the new ReplicaSet has every replica, and they are all available. */
export function isSaturated(d: Deployment, newRS: ReplicaSet | undefined): boolean {
  if (!newRS) return false;
  return desiredReplicasOf(newRS) === replicasOf(d) && specReplicas(newRS) === replicasOf(d) && (newRS.status?.availableReplicas ?? 0) === replicasOf(d);
}

/** FindActiveOrLatest: the only active ReplicaSet, or the newest when none is active. */
export function activeOrLatest(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const all = [...oldRSs, ...(newRS ? [newRS] : [])];
  const active = activeReplicaSets(all).sort((a, b) => byCreation(b, a));
  if (active.length === 0) return newRS ?? [...oldRSs].sort((a, b) => byCreation(b, a))[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/** A planned size change of one ReplicaSet. */
export interface ScaleStep {
  rs: ReplicaSet;
  to: number;
  /** 'up' or 'down' as the ScalingReplicaSet event says it. */
  direction: 'up' | 'down';
}

/**
 * Proportional scaling (DeploymentController.scale, rolling case): the replicas added or removed
 * by a resize are spread over active ReplicaSets by their share of max-replicas, largest first,
 * with the rounding leftovers going to the first.
 */
export function proportionalScale(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ScaleStep[] {
  const active = activeReplicaSets([...oldRSs, newRS]);
  const desired = replicasOf(d);
  const allowed = desired > 0 ? desired + maxSurge(d) : 0;
  const toAdd = allowed - sumSpecReplicas(active);
  const direction: 'up' | 'down' = toAdd > 0 ? 'up' : 'down';
  // Larger first; among equals newer first when growing, older first when shrinking.
  active.sort((a, b) => specReplicas(b) - specReplicas(a) || (toAdd > 0 ? byCreation(b, a) : byCreation(a, b)));
  let added = 0;
  const sizes = active.map((rs) => {
    if (toAdd === 0) return specReplicas(rs);
    const p = proportion(rs, d, toAdd, added);
    added += p;
    return specReplicas(rs) + p;
  });
  if (toAdd !== 0 && sizes.length > 0) sizes[0] = Math.max(0, sizes[0] + toAdd - added);
  return active.map((rs, i) => ({ rs, to: sizes[i], direction }));
}

function proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  const desired = replicasOf(d);
  if (desired === 0) return -specReplicas(rs);
  const deploymentReplicas = desired + maxSurge(d);
  const annotated = maxReplicasOf(rs) ?? d.status?.replicas ?? 0;
  if (annotated === 0) return 0;
  // Go's integer.RoundToInt32 rounds half away from zero.
  const size = (specReplicas(rs) * deploymentReplicas) / annotated;
  return Math.sign(size) * Math.round(Math.abs(size)) - specReplicas(rs);
}

/**
 * How many old pods a rolling update may remove now (reconcileOldReplicaSets): never below
 * minAvailable, counting the new ReplicaSet's unavailable pods against the budget.
 */
export function maxScaledDown(d: Deployment, all: readonly ReplicaSet[], newRS: ReplicaSet): number {
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newUnavailable = specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  return sumSpecReplicas(all) - minAvailable - newUnavailable;
}

/** cleanupUnhealthyReplicas: shrink old ReplicaSets by their unavailable pods first, oldest first. */
export function unhealthyCleanup(oldRSs: readonly ReplicaSet[], budget: number): ScaleStep[] {
  const steps: ScaleStep[] = [];
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= budget) break;
    const size = specReplicas(rs);
    const available = rs.status?.availableReplicas ?? 0;
    if (size === 0 || size === available) continue;
    const n = Math.min(budget - total, size - available);
    steps.push({ rs, to: size - n, direction: 'down' });
    total += n;
  }
  return steps;
}

/** scaleDownOldReplicaSetsForRollingUpdate: remove available old pods down to minAvailable, oldest first. */
export function rollingScaleDown(d: Deployment, all: readonly ReplicaSet[], oldRSs: readonly ReplicaSet[]): ScaleStep[] {
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const available = sumStatus(all, 'availableReplicas');
  if (available <= minAvailable) return [];
  const budget = available - minAvailable;
  const steps: ScaleStep[] = [];
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= budget) break;
    const size = specReplicas(rs);
    if (size === 0) continue;
    const n = Math.min(size, budget - total);
    steps.push({ rs, to: size - n, direction: 'down' });
    total += n;
  }
  return steps;
}
