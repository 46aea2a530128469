// The status a ReplicaSet (or ReplicationController) controller reports, from the pods it owns:
// replicasets' calculateStatus, with the ReplicaFailure condition for a failed create/delete.
import type { Pod } from '../../lib/client/types.js';
import { rfc3339 } from '../../lib/client/types.js';
import { isPodAvailable, isPodReady } from './pod-helpers.js';
import type { ReplicaSetCondition } from './workload-types.js';

export interface ReplicatedStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: ReplicaSetCondition[];
}

export interface ReplicatedOwner {
  metadata?: { generation?: number; annotations?: Record<string, string> };
  spec?: { minReadySeconds?: number; template?: { metadata?: { labels?: Record<string, string> } } };
  status?: ReplicatedStatus;
}

/** A failed sync: whether creating or deleting pods failed, and why. */
export interface ManageError {
  op: 'create' | 'delete';
  message: string;
}

function labelsInclude(labels: Record<string, string> | undefined, want: Record<string, string>): boolean {
  return Object.entries(want).every(([k, v]) => labels?.[k] === v);
}

/**
 * The new status (counts, observedGeneration, ReplicaFailure kept, set or cleared). Zero
 * counts are left out, as Go's omitempty leaves them out of the JSON.
 */
export function replicatedStatus(owner: ReplicatedOwner, pods: readonly Pod[], manageError: ManageError | undefined, now: number): ReplicatedStatus {
  const templateLabels = owner.spec?.template?.metadata?.labels ?? {};
  const minReady = owner.spec?.minReadySeconds ?? 0;
  let fully = 0;
  let ready = 0;
  let available = 0;
  for (const p of pods) {
    if (labelsInclude(p.metadata?.labels, templateLabels)) fully++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, now)) available++;
    }
  }
  let conditions = [...(owner.status?.conditions ?? [])];
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  if (manageError && !failure) {
    conditions.push({
      type: 'ReplicaFailure', status: 'True', lastTransitionTime: rfc3339(now),
      reason: manageError.op === 'create' ? 'FailedCreate' : 'FailedDelete', message: manageError.message,
    });
  } else if (!manageError && failure) {
    conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
  }
  const status: ReplicatedStatus = { replicas: pods.length };
  if (fully) status.fullyLabeledReplicas = fully;
  if (ready) status.readyReplicas = ready;
  if (available) status.availableReplicas = available;
  status.observedGeneration = owner.metadata?.generation;
  if (conditions.length) status.conditions = conditions;
  return status;
}

/** Whether writing `next` would change what the owner reports (updateReplicaSetStatus' check). */
export function replicatedStatusChanged(owner: ReplicatedOwner, next: ReplicatedStatus): boolean {
  const cur = owner.status ?? { replicas: 0 };
  return (cur.replicas ?? 0) !== next.replicas
    || (cur.fullyLabeledReplicas ?? 0) !== (next.fullyLabeledReplicas ?? 0)
    || (cur.readyReplicas ?? 0) !== (next.readyReplicas ?? 0)
    || (cur.availableReplicas ?? 0) !== (next.availableReplicas ?? 0)
    || (owner.metadata?.generation ?? 0) !== (cur.observedGeneration ?? 0)
    || JSON.stringify(cur.conditions ?? []) !== JSON.stringify(next.conditions ?? []);
}
