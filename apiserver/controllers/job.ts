// job-controller: runs a Job's pods to completion, as Kubernetes 1.32's Job controller does.
// Pods carry the batch.kubernetes.io/job-tracking finalizer until the controller has counted
// them (through status.uncountedTerminatedPods, so no pod is counted twice or lost); failures
// back off pod creation (10 s doubling) and, past backoffLimit, fail the Job; so does
// activeDeadlineSeconds. A finishing Job first gets SuccessCriteriaMet or FailureTarget, then,
// once its pods are gone, Complete or Failed. Indexed Jobs give each pod a completion index.
import { isNotFound } from '../../lib/client/api-error.js';
import { runController } from '../../lib/client/controller.js';
import { referenceTo, type EventRecorder, type ObjectRef } from '../../lib/client/events.js';
import type { Informer } from '../../lib/client/informer.js';
import type { ResourceClient } from '../../lib/client/rest-client.js';
import { resources } from '../../lib/client/resource-types.js';
import { objectKey, rfc3339, type Pod } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import { compileSelector } from '../api/kinds/workload-validation.js';
import type { LabelSelector } from '../api/selectors/labels.js';
import type { ControllerContext, ControllerDescriptor } from './context.js';
import { claimObjects, liveOwnerCheck } from './controller-ref.js';
import { Expectations } from './expectations.js';
import {
  backoffRemaining, completionIndex, countTerminating, duplicateIndexPods, ensureCondition, firstPendingIndexes, formatIndexes,
  hasTrackingFinalizer, isFinished, isIndexed, isPodFailed, isSuspended, jobPodPrefix, jobPodTemplate, maxPodCreateDeletePerSync,
  maxUncountedPods, newCondition, nextBackoffRecord, onlyReplaceFailedPods, parseIndexes, pastActiveDeadline, pastBackoffLimitOnFailure,
  trackingFinalizer, wantActive, type BackoffRecord,
} from './job-logic.js';
import { claimCandidates, indexByController } from './owner-index.js';
import { isNamespaceTerminating, PodControl, podFromTemplate } from './pod-control.js';
import { resolveOwner, routePodEvents } from './pod-events.js';
import { controllerRefOf, deletionOrder, isPodActive, isPodReady, newControllerRef } from './pod-helpers.js';
import type { Job, JobCondition } from './workload-types.js';

const workers = 5;
const typeMeta = { apiVersion: 'batch/v1', kind: 'Job' };

type JobStatus = NonNullable<Job['status']>;

export const jobController: ControllerDescriptor = {
  name: 'job-controller',
  setup: (ctx) => new JobController(ctx),
};

/** The spec's selector, or undefined when it cannot match anything valid. */
const selectorOf = (job: Job): LabelSelector | undefined => compileSelector(job.spec?.selector);

class JobController {
  readonly jobs: Informer<Job>;
  readonly pods: Informer<Pod>;
  readonly api: ResourceClient<Job>;
  readonly podApi: ResourceClient<Pod>;
  readonly recorder: EventRecorder;
  readonly podControl: PodControl;
  readonly queue: WorkQueue<string>;
  private readonly orphanQueue: WorkQueue<string>;
  readonly expectations: Expectations;
  /** Pods whose finalizer removal was sent but not yet seen (finalizerExpectations). */
  readonly finalizersRemoving = new Map<string, Set<string>>();
  readonly backoff = new Map<string, BackoffRecord>();

  constructor(readonly ctx: ControllerContext) {
    this.jobs = ctx.informers.informer<Job>(resources.jobs);
    this.pods = ctx.informers.informer<Pod>(resources.pods);
    indexByController(this.pods);
    this.api = ctx.client.resource<Job>(resources.jobs);
    this.podApi = ctx.client.resource<Pod>(resources.pods);
    this.recorder = ctx.recorder('job-controller');
    this.podControl = new PodControl(this.podApi, this.recorder);
    this.queue = new WorkQueue<string>(ctx.clock);
    this.orphanQueue = new WorkQueue<string>(ctx.clock);
    this.expectations = new Expectations(ctx.clock);
    const enqueue = (j: Job) => this.queue.add(objectKey(j));
    this.jobs.on({
      add: enqueue,
      update: (old, j) => {
        enqueue(j);
        // A new active deadline or a resume restarts the deadline timer.
        if (j.spec?.activeDeadlineSeconds && old.spec?.activeDeadlineSeconds !== j.spec.activeDeadlineSeconds && j.status?.startTime) {
          const left = Date.parse(j.status.startTime) + j.spec.activeDeadlineSeconds * 1000 - ctx.clock.now();
          this.queue.addAfter(objectKey(j), left);
        }
      },
      delete: (j) => {
        const key = objectKey(j);
        this.expectations.delete(key);
        this.finalizersRemoving.delete(key);
        this.backoff.delete(key);
        // Its pods keep their finalizer until someone removes it.
        for (const p of claimCandidates(this.pods, j)) if (hasTrackingFinalizer(p)) this.orphanQueue.add(objectKey(p));
      },
    });
    routePodEvents(this.pods, {
      kind: 'Job', owners: this.jobs, selector: selectorOf, enqueue,
      created: (j) => this.expectations.creationObserved(objectKey(j)),
      deleted: (j, p) => this.expectations.deletionObserved(objectKey(j), objectKey(p)),
      changed: (j, _old, cur) => {
        if (!hasTrackingFinalizer(cur)) this.finalizersRemoving.get(objectKey(j))?.delete(cur.metadata?.uid ?? '');
      },
    });
    this.pods.on({
      add: (p) => this.maybeOrphan(p),
      update: (_, p) => this.maybeOrphan(p),
      delete: (p) => {
        const job = resolveOwner(this.jobs, 'Job', p.metadata?.namespace ?? '', controllerRefOf(p));
        if (job) this.finalizersRemoving.get(objectKey(job))?.delete(p.metadata?.uid ?? '');
      },
    });
  }

  /** A pod with the tracking finalizer and no unfinished Job to count it: its finalizer must go. */
  private maybeOrphan(p: Pod): void {
    if (!hasTrackingFinalizer(p)) return;
    const ref = controllerRefOf(p);
    if (ref && ref.kind !== 'Job') return;
    const job = resolveOwner(this.jobs, 'Job', p.metadata?.namespace ?? '', ref);
    if (!job || isFinished(job)) this.orphanQueue.add(objectKey(p));
  }

  run(signal: AbortSignal): Promise<void> {
    return Promise.all([
      runController({ name: 'job-controller', queue: this.queue, workers, sync: (key) => new JobSync(this, key).sync(), waitFor: [this.jobs, this.pods], signal }),
      runController({ name: 'job-controller', queue: this.orphanQueue, workers: 1, sync: (key) => this.handleOrphanPod(key), waitFor: [this.jobs, this.pods], signal }),
    ]).then(() => undefined);
  }

  private async handleOrphanPod(key: string): Promise<void> {
    const pod = this.pods.cache.get(key);
    if (!pod || !hasTrackingFinalizer(pod)) return;
    const ref = controllerRefOf(pod);
    const job = resolveOwner(this.jobs, 'Job', pod.metadata?.namespace ?? '', ref);
    if (job && !isFinished(job)) return;
    await this.removeFinalizer(pod);
  }

  async removeFinalizer(pod: Pod): Promise<void> {
    try {
      await this.podApi.patch(pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', {
        metadata: { [`$deleteFromPrimitiveList/finalizers`]: [trackingFinalizer] },
      }, 'strategic');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/** One syncJob over a private copy of the Job. */
class JobSync {
  private job!: Job;
  private readonly ref: ObjectRef;
  private pods: Pod[] = [];
  private terminating = 0;
  private ready = 0;

  constructor(private readonly c: JobController, private readonly key: string) {
    const cached = c.jobs.cache.get(key);
    if (cached) this.job = structuredClone(cached);
    this.ref = cached ? referenceTo(cached, typeMeta) : {};
  }

  private now(): number {
    return this.c.ctx.clock.now();
  }

  async sync(): Promise<void> {
    const c = this.c;
    const job = this.job;
    if (!job) {
      c.expectations.delete(this.key);
      c.finalizersRemoving.delete(this.key);
      c.backoff.delete(this.key);
      return;
    }
    if (isFinished(job)) {
      c.backoff.delete(this.key);
      return;
    }
    const status: JobStatus = (job.status ??= {});
    status.uncountedTerminatedPods ??= {};
    const satisfied = c.expectations.satisfied(this.key);
    const selector = selectorOf(job);
    if (!selector) return;
    this.pods = await claimObjects({
      candidates: claimCandidates(c.pods, job), owner: job, ownerRef: newControllerRef(job, typeMeta.apiVersion, typeMeta.kind),
      selector, api: c.podApi, canAdopt: liveOwnerCheck(c.api, job),
    });
    const removing = c.finalizersRemoving.get(this.key) ?? new Set<string>();
    const active = this.pods.filter(isPodActive);
    this.ready = active.filter(isPodReady).length;
    this.terminating = countTerminating(this.pods);
    const uncountedSucceeded = new Set(status.uncountedTerminatedPods.succeeded ?? []);
    const uncountedFailed = new Set(status.uncountedTerminatedPods.failed ?? []);
    const completions = job.spec?.completions ?? 0;
    const fresh = (filter: (p: Pod) => boolean, uncounted: Set<string>) => this.pods.filter((p) => {
      const uid = p.metadata?.uid ?? '';
      if (!hasTrackingFinalizer(p) || uncounted.has(uid) || removing.has(uid)) return false;
      if (isIndexed(job) && (completionIndex(p) < 0 || completionIndex(p) >= completions)) return false;
      return filter(p);
    });
    const newSucceeded = fresh((p) => p.status?.phase === 'Succeeded', uncountedSucceeded);
    const newFailed = fresh((p) => isPodFailed(p, job), uncountedFailed);
    const succeeded = (status.succeeded ?? 0) + newSucceeded.length + uncountedSucceeded.size;
    const failed = (status.failed ?? 0) + newFailed.length + uncountedFailed.size;
    if (!status.startTime && !isSuspended(job)) status.startTime = rfc3339(this.now());
    const backoff = nextBackoffRecord(c.backoff.get(this.key) ?? { failuresAfterLastSuccess: 0 }, newSucceeded, newFailed);
    let finished: JobCondition | undefined = status.conditions?.find((x) => x.type === 'SuccessCriteriaMet' && x.status === 'True');
    if (!finished) {
      const target = status.conditions?.find((x) => x.type === 'FailureTarget' && x.status === 'True');
      if (target) finished = newCondition('Failed', 'True', target.reason ?? '', target.message ?? '', this.now());
    }
    if (!finished) {
      if (failed > (job.spec?.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, this.pods)) {
        finished = newCondition('FailureTarget', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', this.now());
      } else if (pastActiveDeadline(job, this.now())) {
        finished = newCondition('FailureTarget', 'True', 'DeadlineExceeded', 'Job was active longer than specified deadline', this.now());
      } else if (job.spec?.activeDeadlineSeconds && !isSuspended(job) && status.startTime) {
        c.queue.addAfter(this.key, Date.parse(status.startTime) + job.spec.activeDeadlineSeconds * 1000 - this.now());
      }
    }
    const prevSucceededIndexes = isIndexed(job) ? parseIndexes(status.completedIndexes, completions) : new Set<number>();
    let manageError: unknown;
    let suspendChanged = false;
    let activeCount = active.length;
    if (finished) {
      const { deleted, deletedReady, error } = await this.deletePods(active, false);
      if (deleted !== active.length || !satisfied) finished = undefined;
      activeCount -= deleted;
      this.terminating += deleted;
      this.ready -= deletedReady;
      manageError = error;
    } else {
      let managed = false;
      if (satisfied && !job.metadata?.deletionTimestamp) {
        const succeededIndexes = new Set([...prevSucceededIndexes, ...newSucceeded.map(completionIndex)]);
        try {
          activeCount = await this.manage(active, succeeded, succeededIndexes, backoff);
        } catch (err) {
          manageError = err;
          activeCount = (err as { active?: number }).active ?? activeCount;
        }
        managed = true;
      }
      const done = job.spec?.completions === undefined || job.spec?.completions === null
        ? succeeded > 0 && activeCount === 0
        : succeeded >= (job.spec?.completions ?? 0) && activeCount === 0;
      if (done) {
        finished = newCondition('SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods', this.now());
      } else if (managed) {
        const conds = (status.conditions ??= []);
        if (isSuspended(job)) {
          if (ensureCondition(conds, 'Suspended', 'True', 'JobSuspended', 'Job suspended', this.now())) {
            suspendChanged = true;
            c.recorder.event(this.ref, 'Normal', 'Suspended', 'Job suspended');
          }
        } else if (ensureCondition(conds, 'Suspended', 'False', 'JobResumed', 'Job resumed', this.now())) {
          suspendChanged = true;
          c.recorder.event(this.ref, 'Normal', 'Resumed', 'Job resumed');
          // The deadline counts time spent running: a resumed Job starts its clock again.
          status.startTime = rfc3339(this.now());
        }
        if (!conds.length) delete status.conditions;
      }
    }
    const needsUpdate = suspendChanged || activeCount !== (status.active ?? 0) || this.ready !== status.ready || this.terminating !== status.terminating;
    if (activeCount) status.active = activeCount;
    else delete status.active;
    status.ready = this.ready;
    status.terminating = this.terminating;
    await this.trackStatus(finished, needsUpdate, prevSucceededIndexes, backoff);
    if (manageError) throw manageError;
  }

  /** manageJob: create or delete pods toward wantActive; returns the active count afterwards. */
  private async manage(active: Pod[], succeeded: number, succeededIndexes: Set<number>, backoff: BackoffRecord): Promise<number> {
    const c = this.c;
    const job = this.job;
    let count = active.length;
    if (isSuspended(job)) {
      const { deleted, deletedReady, error } = await this.deletePods(active, true);
      this.terminating += deleted;
      this.ready -= deletedReady;
      if (error) throw Object.assign(error as object, { active: count - deleted });
      return count - deleted;
    }
    const want = wantActive(job, count, succeeded);
    const completions = job.spec?.completions ?? 0;
    const excess = Math.max(0, count - want);
    let toDelete: Pod[] = [];
    if (isIndexed(job)) toDelete = duplicateIndexPods(active, completions).remove;
    if (toDelete.length < excess) {
      const left = active.filter((p) => !toDelete.includes(p)).sort((a, b) => deletionOrder(a, b, 0, 0, 0));
      toDelete = [...toDelete, ...left.slice(0, excess - toDelete.length)];
    }
    toDelete = toDelete.slice(0, maxPodCreateDeletePerSync);
    if (toDelete.length) {
      const { deleted, deletedReady, error } = await this.deletePods(toDelete, true);
      this.terminating += deleted;
      this.ready -= deletedReady;
      if (error) throw Object.assign(error as object, { active: count - deleted });
      return count - deleted;
    }
    const terminating = onlyReplaceFailedPods(job) ? this.terminating : 0;
    let diff = want - terminating - count;
    if (diff <= 0) return count;
    const wait = backoffRemaining(backoff, this.now());
    if (wait > 0) {
      c.queue.addAfter(this.key, wait);
      return count;
    }
    diff = Math.min(diff, maxPodCreateDeletePerSync);
    let indexes: number[] = [];
    if (isIndexed(job)) {
      indexes = firstPendingIndexes(active, succeededIndexes, diff, completions);
      diff = indexes.length;
    }
    c.expectations.expectCreations(this.key, diff);
    const ownerRef = newControllerRef(job, typeMeta.apiVersion, typeMeta.kind);
    const ns = job.metadata?.namespace ?? '';
    count += diff;
    let firstError: unknown;
    for (let batch = Math.min(diff, 1); diff > 0; batch = Math.min(2 * batch, diff)) {
      const slice = indexes.length ? indexes.splice(0, batch) : Array.from({ length: batch }, () => -1);
      let failedNow = 0;
      await Promise.all(slice.map(async (index) => {
        const pod = podFromTemplate(jobPodTemplate(job, index), ns, ownerRef, jobPodPrefix(job, index));
        try {
          await c.podControl.create(pod, this.ref);
        } catch (err) {
          if (isNamespaceTerminating(err)) return;
          c.expectations.creationObserved(this.key);
          count--;
          failedNow++;
          firstError ??= err;
        }
      }));
      diff -= batch;
      if (failedNow && diff > 0) {
        // Creates never attempted will not be observed.
        count -= diff;
        for (let i = 0; i < diff; i++) c.expectations.creationObserved(this.key);
        break;
      }
    }
    if (firstError) throw Object.assign(firstError as object, { active: count });
    return count;
  }

  /**
   * Deletes pods. `untracked`: their finalizer is removed first, so they are not counted as
   * failures (pods removed for suspension or surplus, not pods of a failed Job).
   */
  private async deletePods(pods: Pod[], untracked: boolean): Promise<{ deleted: number; deletedReady: number; error?: unknown }> {
    const c = this.c;
    if (untracked) c.expectations.expectDeletions(this.key, pods.map(objectKey));
    let deleted = pods.length;
    let deletedReady = 0;
    let error: unknown;
    await Promise.all(pods.map(async (p) => {
      try {
        if (untracked && hasTrackingFinalizer(p)) await c.removeFinalizer(p);
        await c.podControl.delete(p.metadata?.namespace ?? '', p.metadata?.name ?? '', p.metadata?.uid, this.ref);
        if (isPodReady(p)) deletedReady++;
      } catch (err) {
        if (untracked) c.expectations.deletionObserved(this.key, objectKey(p));
        if (isNotFound(err)) return;
        deleted--;
        error ??= err;
      }
    }));
    return { deleted, deletedReady, error };
  }

  /**
   * trackJobStatusAndRemoveFinalizers: finished pods go into uncountedTerminatedPods, their
   * finalizers are removed, then they move into succeeded/failed; the finishing condition is
   * recorded first as SuccessCriteriaMet/FailureTarget and becomes Complete/Failed once no
   * uncounted or terminating pod is left.
   */
  private async trackStatus(finished: JobCondition | undefined, needsUpdateIn: boolean, prevSucceededIndexes: Set<number>, backoff: BackoffRecord): Promise<void> {
    const c = this.c;
    const job = this.job;
    const status = job.status!;
    let needsUpdate = needsUpdateIn;
    const removing = c.finalizersRemoving.get(this.key) ?? new Set<string>();
    const uncounted = status.uncountedTerminatedPods!;
    const withFinalizer = new Set(this.pods.filter((p) => hasTrackingFinalizer(p) && !removing.has(p.metadata?.uid ?? '')).map((p) => p.metadata?.uid ?? ''));
    if (settleUncounted(status, withFinalizer)) needsUpdate = true;
    const completions = job.spec?.completions ?? 0;
    const succeededIndexes = new Set(prevSucceededIndexes);
    const toRemove: Pod[] = [];
    const failedUids = new Set(uncounted.failed ?? []);
    const succeededUids = new Set(uncounted.succeeded ?? []);
    const pods = isIndexed(job) ? [...this.pods].sort((a, b) => completionIndex(a) - completionIndex(b)) : this.pods;
    let reachedMax = false;
    for (const p of pods) {
      const uid = p.metadata?.uid ?? '';
      if (!hasTrackingFinalizer(p) || removing.has(uid)) continue;
      const failed = isPodFailed(p, job);
      const canRemove = !!job.metadata?.deletionTimestamp || !!finished || p.status?.phase === 'Succeeded' || failed;
      if (!canRemove) continue;
      toRemove.push(p);
      if (p.status?.phase === 'Succeeded' && !failedUids.has(uid)) {
        if (isIndexed(job)) {
          const ix = completionIndex(p);
          if (ix >= 0 && ix < completions) succeededIndexes.add(ix);
        } else if (!succeededUids.has(uid)) {
          succeededUids.add(uid);
          needsUpdate = true;
        }
      } else if (failed || (finished && finished.type !== 'SuccessCriteriaMet')) {
        const ix = completionIndex(p);
        if (!failedUids.has(uid) && (!isIndexed(job) || (ix >= 0 && ix < completions))) {
          failedUids.add(uid);
          needsUpdate = true;
        }
      }
      if (succeededIndexes.size - prevSucceededIndexes.size + succeededUids.size + failedUids.size >= maxUncountedPods) {
        reachedMax = true;
        break;
      }
    }
    uncounted.succeeded = [...succeededUids];
    uncounted.failed = [...failedUids];
    if (isIndexed(job)) {
      const text = formatIndexes(succeededIndexes);
      if (text !== (status.completedIndexes ?? '')) needsUpdate = true;
      status.succeeded = succeededIndexes.size;
      status.completedIndexes = text;
    }
    let final: JobCondition | undefined = finished;
    if (finished?.type === 'FailureTarget') {
      (status.conditions ??= []).push(finished);
      needsUpdate = true;
      final = newCondition('Failed', 'True', finished.reason ?? '', finished.message ?? '', this.now());
    }
    if (finished?.type === 'SuccessCriteriaMet') {
      if (!status.conditions?.some((x) => x.type === 'SuccessCriteriaMet' && x.status === 'True')) {
        (status.conditions ??= []).push(finished);
        needsUpdate = true;
      }
      final = newCondition('Complete', 'True', finished.reason ?? '', finished.message ?? '', this.now());
    }
    // Counted first in status, then the finalizers go: a crash in between never loses a pod.
    if (needsUpdate) {
      await this.writeStatus();
      needsUpdate = false;
    }
    if (toRemove.length) {
      const set = c.finalizersRemoving.get(this.key) ?? new Set<string>();
      c.finalizersRemoving.set(this.key, set);
      const results = await Promise.allSettled(toRemove.map(async (p) => {
        set.add(p.metadata?.uid ?? '');
        try {
          await c.removeFinalizer(p);
        } catch (err) {
          set.delete(p.metadata?.uid ?? '');
          throw err;
        }
      }));
      results.forEach((r, i) => {
        if (r.status === 'fulfilled') withFinalizer.delete(toRemove[i].metadata?.uid ?? '');
      });
      if (settleUncounted(job.status!, withFinalizer)) needsUpdate = true;
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure) {
        if (needsUpdate) await this.writeStatus();
        throw failure.reason;
      }
    }
    const s = job.status!;
    const anyUncounted = (s.uncountedTerminatedPods?.succeeded?.length ?? 0) + (s.uncountedTerminatedPods?.failed?.length ?? 0) > 0;
    const jobFinished = !reachedMax && !!final && !anyUncounted && this.terminating === 0;
    if (jobFinished && final) {
      ensureCondition((s.conditions ??= []), final.type ?? '', 'True', final.reason ?? '', final.message ?? '', this.now());
      if (final.type === 'Complete') s.completionTime = final.lastTransitionTime;
      needsUpdate = true;
    }
    if (needsUpdate) await this.writeStatus();
    c.backoff.set(this.key, backoff);
    if (jobFinished && final) {
      if (final.type === 'Complete') {
        if (job.spec?.completions != null && (s.succeeded ?? 0) > job.spec.completions) {
          c.recorder.event(this.ref, 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached');
        }
        c.recorder.event(this.ref, 'Normal', 'Completed', 'Job completed');
      } else {
        c.recorder.event(this.ref, 'Warning', final.reason ?? '', final.message ?? '');
      }
    }
  }

  private async writeStatus(): Promise<void> {
    const s = this.job.status!;
    const uncounted = s.uncountedTerminatedPods ?? {};
    if (!uncounted.succeeded?.length) delete uncounted.succeeded;
    if (!uncounted.failed?.length) delete uncounted.failed;
    if (!s.succeeded) delete s.succeeded;
    if (!s.failed) delete s.failed;
    if (!s.completedIndexes) delete s.completedIndexes;
    // The status object stays the one this sync works on; only the new resourceVersion is taken.
    const written = await this.c.api.updateStatus(this.job);
    this.job.metadata = written.metadata;
  }
}

/** cleanUncountedPodsWithoutFinalizers: pods whose finalizer is gone move from uncounted into the counters. */
function settleUncounted(status: JobStatus, withFinalizer: ReadonlySet<string>): boolean {
  const u = (status.uncountedTerminatedPods ??= {});
  let changed = false;
  const succeeded = (u.succeeded ?? []).filter((uid) => withFinalizer.has(uid));
  if (succeeded.length !== (u.succeeded ?? []).length) {
    status.succeeded = (status.succeeded ?? 0) + (u.succeeded ?? []).length - succeeded.length;
    u.succeeded = succeeded;
    changed = true;
  }
  const failed = (u.failed ?? []).filter((uid) => withFinalizer.has(uid));
  if (failed.length !== (u.failed ?? []).length) {
    status.failed = (status.failed ?? 0) + (u.failed ?? []).length - failed.length;
    u.failed = failed;
    changed = true;
  }
  return changed;
}
