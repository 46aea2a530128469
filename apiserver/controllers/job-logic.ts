// The decisions of the Job controller (pkg/controller/job) as pure functions: how many pods
// should be active, which pods count as failed, the pod failure backoff, completion indexes,
// deadlines, the conditions as Kubernetes 1.32 writes them (SuccessCriteriaMet then Complete,
// FailureTarget then Failed), and the pods a Job creates.
import { rfc3339, type Container, type Pod } from '../../lib/client/types.js';
import type { Job, JobCondition, PodTemplateSpec } from './workload-types.js';

export const trackingFinalizer = 'batch.kubernetes.io/job-tracking';
export const completionIndexKey = 'batch.kubernetes.io/job-completion-index';
export const maxPodCreateDeletePerSync = 500;
/** Pods' UIDs kept in status.uncountedTerminatedPods at most (MaxUncountedPods). */
export const maxUncountedPods = 500;
const defaultBackoffMs = 10_000;
const maxBackoffMs = 6 * 60_000;

export const hasTrackingFinalizer = (p: Pod) => (p.metadata?.finalizers ?? []).includes(trackingFinalizer);
export const isIndexed = (job: Job) => job.spec?.completionMode === 'Indexed';
export const isSuspended = (job: Job) => job.spec?.suspend === true;
export const onlyReplaceFailedPods = (job: Job) => job.spec?.podReplacementPolicy === 'Failed' || !!job.spec?.podFailurePolicy;

export function isFinished(job: Job): boolean {
  return (job.status?.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

/** The completion index annotation, or -1 when missing or malformed. */
export function completionIndex(p: Pod): number {
  const v = p.metadata?.annotations?.[completionIndexKey];
  if (v === undefined || !/^\d+$/.test(v)) return -1;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : -1;
}

/** isPodFailed: Failed, or deleted before finishing (orphans may never reach Failed). */
export function isPodFailed(p: Pod, job: Job): boolean {
  if (job.spec?.podFailurePolicy) return p.status?.phase === 'Failed';
  if (p.status?.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return !!p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded';
}

/** Pods being deleted that have not finished (CountTerminatingPods). */
export function countTerminating(pods: readonly Pod[]): number {
  return pods.filter((p) => p.metadata?.deletionTimestamp && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded').length;
}

/** When a pod finished: its containers' last finishedAt, else its Ready condition's change, else creation. */
export function finishedTime(p: Pod): number {
  let latest = 0;
  for (const s of p.status?.containerStatuses ?? []) {
    const t = Date.parse(s.state?.terminated?.finishedAt ?? '');
    if (Number.isFinite(t) && t > latest) latest = t;
  }
  if (latest) return latest;
  const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
  const t = Date.parse(ready?.lastTransitionTime ?? '');
  return Number.isFinite(t) ? t : Date.parse(p.metadata?.creationTimestamp ?? '') || 0;
}

/** Failures since the last success, for the pod creation backoff. */
export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  lastFailureTime?: number;
}

/** newBackoffRecord: updates the record with pods that finished since the last sync. */
export function nextBackoffRecord(prev: BackoffRecord, succeeded: readonly Pod[], failed: readonly Pod[]): BackoffRecord {
  const failedTimes = failed.map(finishedTime).sort((a, b) => a - b);
  if (succeeded.length === 0) {
    if (failed.length === 0) return prev;
    return { failuresAfterLastSuccess: prev.failuresAfterLastSuccess + failed.length, lastFailureTime: failedTimes[failedTimes.length - 1] };
  }
  const lastSuccess = Math.max(...succeeded.map(finishedTime));
  const after = failedTimes.filter((t) => t > lastSuccess);
  return after.length ? { failuresAfterLastSuccess: after.length, lastFailureTime: after[after.length - 1] } : { failuresAfterLastSuccess: 0 };
}

/** How long pod creation still waits after failures: 10 s doubling to 6 min from the last failure. */
export function backoffRemaining(r: BackoffRecord, now: number): number {
  if (r.failuresAfterLastSuccess === 0 || r.lastFailureTime === undefined) return 0;
  let d = defaultBackoffMs;
  for (let i = 1; i < r.failuresAfterLastSuccess; i++) {
    d *= 2;
    if (d >= maxBackoffMs) {
      d = maxBackoffMs;
      break;
    }
  }
  const elapsed = now - r.lastFailureTime;
  return d < elapsed ? 0 : d - elapsed;
}

/** How many pods should be running (manageJob's wantActive). */
export function wantActive(job: Job, active: number, succeeded: number): number {
  const parallelism = job.spec?.parallelism ?? 1;
  const completions = job.spec?.completions;
  if (completions === undefined || completions === null) return succeeded > 0 ? active : parallelism;
  return Math.max(0, Math.min(completions - succeeded, parallelism));
}

/** pastActiveDeadline: running (not suspended) for activeDeadlineSeconds. */
export function pastActiveDeadline(job: Job, now: number): boolean {
  const deadline = job.spec?.activeDeadlineSeconds;
  const start = Date.parse(job.status?.startTime ?? '');
  if (deadline === undefined || deadline === null || !Number.isFinite(start) || isSuspended(job)) return false;
  return now - start >= deadline * 1000;
}

/** pastBackoffLimitOnFailure: container restarts of running pods reach the limit (restartPolicy OnFailure). */
export function pastBackoffLimitOnFailure(job: Job, pods: readonly Pod[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const s of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) restarts += s.restartCount ?? 0;
  }
  const limit = job.spec?.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

export function newCondition(type: string, status: string, reason: string, message: string, now: number): JobCondition {
  const t = rfc3339(now);
  return { type, status, lastProbeTime: t, lastTransitionTime: t, reason, message };
}

/** ensureJobConditionStatus: sets a condition (adding it only when not False); true when changed. */
export function ensureCondition(list: JobCondition[], type: string, status: string, reason: string, message: string, now: number): boolean {
  const i = list.findIndex((c) => c.type === type);
  if (i >= 0) {
    const c = list[i];
    if (c.status === status && c.reason === reason && c.message === message) return false;
    list[i] = newCondition(type, status, reason, message, now);
    return true;
  }
  if (status === 'False') return false;
  list.push(newCondition(type, status, reason, message, now));
  return true;
}

// ---- completion indexes -------------------------------------------------------------------

/** Parses "1,3-5" into the set of indexes below `completions`. */
export function parseIndexes(s: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  for (const part of (s ?? '').split(',').filter(Boolean)) {
    const [a, b] = part.split('-').map(Number);
    const end = b ?? a;
    for (let i = a; i <= end && i < completions; i++) if (Number.isInteger(i) && i >= 0) out.add(i);
  }
  return out;
}

/** Formats indexes as Kubernetes does: ordered, runs of consecutive indexes as "a-b". */
export function formatIndexes(set: ReadonlySet<number>): string {
  const sorted = [...set].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The lowest indexes neither completed nor held by an active pod. */
export function firstPendingIndexes(active: readonly Pod[], succeeded: ReadonlySet<number>, count: number, completions: number): number[] {
  const taken = new Set(active.map(completionIndex));
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) if (!succeeded.has(i) && !taken.has(i)) out.push(i);
  return out;
}

/** Active pods of an Indexed job that must go: unknown or out-of-range indexes, and duplicates of an index. */
export function duplicateIndexPods(active: readonly Pod[], completions: number): { remove: Pod[]; keep: Pod[] } {
  const remove: Pod[] = [];
  const keep: Pod[] = [];
  const seen = new Set<number>();
  for (const p of active) {
    const ix = completionIndex(p);
    if (ix < 0 || ix >= completions || seen.has(ix)) remove.push(p);
    else {
      seen.add(ix);
      keep.push(p);
    }
  }
  return { remove, keep };
}

// ---- pods ---------------------------------------------------------------------------------

/** The template pods are created from: the tracking finalizer, and for Indexed jobs the index. */
export function jobPodTemplate(job: Job, index: number): PodTemplateSpec {
  const t = structuredClone(job.spec?.template ?? {});
  const meta = (t.metadata ??= {});
  meta.finalizers = [...(meta.finalizers ?? []).filter((f) => f !== trackingFinalizer), trackingFinalizer];
  if (index >= 0) {
    meta.annotations = { ...meta.annotations, [completionIndexKey]: String(index) };
    meta.labels = { ...meta.labels, [completionIndexKey]: String(index) };
    const spec = (t.spec ??= { containers: [] });
    spec.hostname = `${job.metadata?.name}-${index}`;
    const addEnv = (c: Container) => {
      if ((c.env ?? []).some((e) => e.name === 'JOB_COMPLETION_INDEX')) return;
      c.env = [...(c.env ?? []), { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${completionIndexKey}']` } } }];
    };
    for (const c of spec.containers ?? []) addEnv(c);
    for (const c of spec.initContainers ?? []) addEnv(c);
  }
  return t;
}

/** generateName of a job's pods: "<job>-" or, for an index, "<job>-<index>-" (shortened to fit). */
export function jobPodPrefix(job: Job, index: number): string {
  const name = job.metadata?.name ?? '';
  if (index < 0) return `${name}-`;
  const suffix = `-${index}-`;
  const max = 63 - 5;
  return `${name.slice(0, Math.max(0, max - suffix.length))}${suffix}`;
}
