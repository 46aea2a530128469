// deployment-controller: rolls a Deployment's pod template out through ReplicaSets, as
// Kubernetes' deployment controller does. Each template gets a ReplicaSet named
// <deployment>-<pod-template-hash>; RollingUpdate grows the new one within maxSurge and shrinks
// old ones within maxUnavailable, Recreate removes every old pod first. Resizes mid-rollout are
// spread proportionally, revisions are kept in annotations (for `kubectl rollout history/undo`),
// old ReplicaSets beyond revisionHistoryLimit are deleted, and the Available and Progressing
// conditions are kept up to date, including ProgressDeadlineExceeded.
import { isAlreadyExists, isNotFound } from '../../lib/client/api-error.js';
import { runController } from '../../lib/client/controller.js';
import { referenceTo, type EventRecorder, type ObjectRef } from '../../lib/client/events.js';
import type { Informer } from '../../lib/client/informer.js';
import type { ResourceClient } from '../../lib/client/rest-client.js';
import { resources } from '../../lib/client/resource-types.js';
import { objectKey, type Pod, type ReplicaSet } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import { compileSelector } from '../api/kinds/workload-validation.js';
import type { LabelSelector } from '../api/selectors/labels.js';
import type { ControllerContext, ControllerDescriptor } from './context.js';
import { claimObjects, liveOwnerCheck } from './controller-ref.js';
import {
  activeOrLatest, activeReplicaSets, isSaturated, maxScaledDown, maxSurge, newRSNewReplicas, proportionalScale,
  rollingScaleDown, sumStatus, unhealthyCleanup, type ScaleStep,
} from './deployment-math.js';
import {
  calculateStatus, condition, hasProgressDeadline, isComplete, newCondition, pausedCondition, reasons, recheckAfter,
  rolloutStatus, setCondition, statusDiffers,
} from './deployment-status.js';
import {
  byRevision, computeTemplateHash, desiredReplicasOf, equalIgnoreHash, findNewReplicaSet, maxRevision, newReplicaSetFor,
  replicasAnnotationsNeedUpdate, revisionAnnotation, setNewReplicaSetAnnotations, setReplicasAnnotations,
} from './deployment-util.js';
import { claimCandidates, controlledBy, indexByController } from './owner-index.js';
import { resolveOwner } from './pod-events.js';
import { controllerRefOf, newControllerRef } from './pod-helpers.js';
import type { Deployment } from './workload-types.js';

const workers = 5;
const typeMeta = { apiVersion: 'apps/v1', kind: 'Deployment' };

export const deploymentController: ControllerDescriptor = {
  name: 'deployment-controller',
  setup: (ctx) => new DeploymentController(ctx),
};

/** The spec's selector, or undefined when it cannot match anything valid. */
const selectorOf = (d: Deployment): LabelSelector | undefined => compileSelector(d.spec?.selector);

class DeploymentController {
  private readonly deployments: Informer<Deployment>;
  private readonly replicaSets: Informer<ReplicaSet>;
  private readonly pods: Informer<Pod>;
  readonly deploymentApi: ResourceClient<Deployment>;
  readonly replicaSetApi: ResourceClient<ReplicaSet>;
  readonly events: EventRecorder;
  private readonly queue: WorkQueue<string>;
  readonly clock: ControllerContext['clock'];

  constructor(ctx: ControllerContext) {
    this.clock = ctx.clock;
    this.deployments = ctx.informers.informer<Deployment>(resources.deployments);
    this.replicaSets = ctx.informers.informer<ReplicaSet>(resources.replicaSets);
    this.pods = ctx.informers.informer<Pod>(resources.pods);
    indexByController(this.replicaSets);
    indexByController(this.pods);
    this.deploymentApi = ctx.client.resource<Deployment>(resources.deployments);
    this.replicaSetApi = ctx.client.resource<ReplicaSet>(resources.replicaSets);
    this.events = ctx.recorder('deployment-controller');
    this.queue = new WorkQueue<string>(ctx.clock);
    const enqueue = (d: Deployment) => this.queue.add(objectKey(d));
    this.deployments.on({ add: enqueue, update: (_, d) => enqueue(d), delete: enqueue });
    this.replicaSets.on({
      add: (rs) => this.replicaSetChanged(rs),
      update: (old, rs) => {
        if (old.metadata?.resourceVersion === rs.metadata?.resourceVersion) return;
        const oldRef = controllerRefOf(old);
        if (oldRef && oldRef.uid !== controllerRefOf(rs)?.uid) this.replicaSetChanged(old);
        this.replicaSetChanged(rs);
      },
      delete: (rs) => this.replicaSetChanged(rs),
    });
    // Recreate waits for old pods to be gone before it creates the new ReplicaSet.
    this.pods.on({
      delete: (p) => {
        const rsRef = controllerRefOf(p);
        const rs = rsRef && this.replicaSets.cache.getByName(p.metadata?.namespace ?? '', rsRef.name);
        const d = rs && this.owner(rs);
        if (d?.spec?.strategy?.type === 'Recreate') this.queue.add(objectKey(d));
      },
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return runController({ name: 'deployment-controller', queue: this.queue, workers, sync: (key) => this.sync(key), waitFor: [this.deployments, this.replicaSets, this.pods], signal });
  }

  private owner(rs: ReplicaSet): Deployment | undefined {
    return resolveOwner(this.deployments, 'Deployment', rs.metadata?.namespace ?? '', controllerRefOf(rs));
  }

  private replicaSetChanged(rs: ReplicaSet): void {
    if (controllerRefOf(rs)) {
      const d = this.owner(rs);
      if (d) this.queue.add(objectKey(d));
      return;
    }
    const labels = rs.metadata?.labels ?? {};
    for (const d of this.deployments.cache.byIndex('namespace', rs.metadata?.namespace ?? '')) {
      if (selectorOf(d)?.matches(labels)) this.queue.add(objectKey(d));
    }
  }

  private async sync(key: string): Promise<void> {
    const cached = this.deployments.cache.get(key);
    if (!cached) return;
    const run = new DeploymentSync(this, structuredClone(cached));
    await run.sync();
    // Due now: rate limited, as upstream, so a deadline that cannot be reached yet is not a busy loop.
    if (run.requeueAfter === 0) this.queue.addRateLimited(key);
    else if (run.requeueAfter !== undefined) this.queue.addAfter(key, run.requeueAfter);
  }

  async claimReplicaSets(d: Deployment, selector: LabelSelector): Promise<ReplicaSet[]> {
    return claimObjects({
      candidates: claimCandidates(this.replicaSets, d), owner: d, ownerRef: newControllerRef(d, typeMeta.apiVersion, typeMeta.kind),
      selector, api: this.replicaSetApi, canAdopt: liveOwnerCheck(this.deploymentApi, d),
    });
  }

  podsOf(rs: ReplicaSet): Pod[] {
    return controlledBy(this.pods, rs.metadata?.uid ?? '');
  }

  cachedReplicaSet(namespace: string, name: string): ReplicaSet | undefined {
    return this.replicaSets.cache.getByName(namespace, name);
  }
}

/** One sync of one Deployment: `d` is a private copy, refreshed from every write that returns it. */
class DeploymentSync {
  requeueAfter?: number;
  private rsList: ReplicaSet[] = [];
  private readonly ref: ObjectRef;

  constructor(private readonly c: DeploymentController, private d: Deployment) {
    this.ref = referenceTo(d, typeMeta);
  }

  private now(): number {
    return this.c.clock.now();
  }

  async sync(): Promise<void> {
    const d = this.d;
    const selector = selectorOf(d);
    if (!selector) return;
    if (selector.empty) {
      this.c.events.event(this.ref, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) await this.writeStatus({ ...d.status, observedGeneration: d.metadata?.generation });
      return;
    }
    this.rsList = await this.c.claimReplicaSets(d, selector);
    if (d.metadata?.deletionTimestamp) return this.syncStatusOnly();
    await this.checkPausedConditions();
    if (this.d.spec?.paused) return this.scaleOnly();
    if (this.isScalingEvent()) return this.scaleOnly();
    if (this.d.spec?.strategy?.type === 'Recreate') return this.rolloutRecreate();
    return this.rolloutRolling();
  }

  // ---- ReplicaSets ----------------------------------------------------------------------

  /** The new ReplicaSet (created when asked and missing) and the old ones, revision synced. */
  private async replicaSetsAndRevision(create: boolean): Promise<{ newRS?: ReplicaSet; oldRSs: ReplicaSet[] }> {
    const found = findNewReplicaSet(this.d, this.rsList);
    const oldRSs = this.rsList.filter((rs) => rs !== found);
    const newRS = await this.newReplicaSet(found, oldRSs, create);
    return { newRS, oldRSs };
  }

  private async newReplicaSet(existing: ReplicaSet | undefined, oldRSs: ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
    const d = this.d;
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) {
      const copy = structuredClone(existing);
      const annotations = (copy.metadata!.annotations ??= {});
      const annotationsChanged = setNewReplicaSetAnnotations(d, annotations, newRevision, true, maxSurge(d));
      const minReadyChanged = (copy.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
      if (annotationsChanged || minReadyChanged) {
        copy.spec = { ...copy.spec!, minReadySeconds: d.spec?.minReadySeconds };
        return this.replaceReplicaSet(await this.c.replicaSetApi.update(copy));
      }
      let needsUpdate = this.setRevision(annotations[revisionAnnotation]);
      if (hasProgressDeadline(d) && !condition(d.status, 'Progressing')) {
        this.setStatusCondition(newCondition('Progressing', 'True', reasons.foundNewReplicaSet, `Found new replica set "${copy.metadata?.name}"`, this.now()));
        needsUpdate = true;
      }
      if (needsUpdate) await this.writeStatus(this.d.status ?? {});
      return copy;
    }
    if (!create) return undefined;
    const hash = computeTemplateHash(d.spec?.template, d.status?.collisionCount);
    const rs = newReplicaSetFor(d, hash);
    rs.metadata!.ownerReferences = [newControllerRef(d, typeMeta.apiVersion, typeMeta.kind)];
    rs.spec!.replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
    setNewReplicaSetAnnotations(d, (rs.metadata!.annotations = {}), newRevision, false, maxSurge(d));
    let created: ReplicaSet;
    let alreadyExisted = false;
    try {
      created = await this.c.replicaSetApi.create(rs);
    } catch (err) {
      if (isAlreadyExists(err)) {
        const other = this.c.cachedReplicaSet(rs.metadata?.namespace ?? '', rs.metadata?.name ?? '');
        if (other && controllerRefOf(other)?.uid === d.metadata?.uid && equalIgnoreHash(d.spec?.template, other.spec?.template)) {
          created = other;
          alreadyExisted = true;
        } else {
          // A hash collision: count it, so the next attempt hashes differently.
          await this.writeStatus({ ...this.d.status, collisionCount: (this.d.status?.collisionCount ?? 0) + 1 });
          throw err;
        }
      } else {
        const message = `Failed to create new replica set "${rs.metadata?.name}": ${(err as Error).message}`;
        if (!/because it is being terminated/.test((err as Error).message)) {
          if (hasProgressDeadline(d)) {
            this.setStatusCondition(newCondition('Progressing', 'False', reasons.failedCreate, message, this.now()));
            await this.writeStatus(this.d.status ?? {}).catch(() => undefined);
          }
          this.c.events.event(this.ref, 'Warning', reasons.failedCreate, message);
        }
        throw err;
      }
    }
    const size = created.spec?.replicas ?? 0;
    if (!alreadyExisted && size > 0) {
      this.c.events.event(this.ref, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata?.name} from 0 to ${size}`);
    }
    this.rsList.push(created);
    let needsUpdate = this.setRevision(String(newRevision));
    if (!alreadyExisted && hasProgressDeadline(d)) {
      this.setStatusCondition(newCondition('Progressing', 'True', reasons.newReplicaSet, `Created new replica set "${created.metadata?.name}"`, this.now()));
      needsUpdate = true;
    }
    if (needsUpdate) await this.writeStatus(this.d.status ?? {});
    return created;
  }

  private replaceReplicaSet(rs: ReplicaSet): ReplicaSet {
    const i = this.rsList.findIndex((x) => x.metadata?.uid === rs.metadata?.uid);
    if (i >= 0) this.rsList[i] = rs;
    return rs;
  }

  /** SetDeploymentRevision on the working copy; true when it changed (written with the status). */
  private setRevision(revision: string | undefined): boolean {
    const annotations = (this.d.metadata!.annotations ??= {});
    if (revision === undefined || annotations[revisionAnnotation] === revision) return false;
    annotations[revisionAnnotation] = revision;
    return true;
  }

  private setStatusCondition(c: NonNullable<NonNullable<Deployment['status']>['conditions']>[number]): void {
    const status = (this.d.status ??= {});
    setCondition(status, c);
  }

  /** Resizes a ReplicaSet (and its replicas annotations); records ScalingReplicaSet when the size changed. */
  private async scaleReplicaSet(rs: ReplicaSet, to: number, direction: 'up' | 'down'): Promise<ReplicaSet> {
    const d = this.d;
    const desired = d.spec?.replicas ?? 1;
    const max = desired + maxSurge(d);
    const from = rs.spec?.replicas ?? 0;
    if (from === to && !replicasAnnotationsNeedUpdate(rs, desired, max)) return rs;
    const copy = structuredClone(rs);
    copy.spec = { ...copy.spec!, replicas: to };
    setReplicasAnnotations((copy.metadata!.annotations ??= {}), desired, max);
    const updated = this.replaceReplicaSet(await this.c.replicaSetApi.update(copy));
    if (from !== to) this.c.events.event(this.ref, 'Normal', 'ScalingReplicaSet', `Scaled ${direction} replica set ${rs.metadata?.name} from ${from} to ${to}`);
    return updated;
  }

  private async scaleIfNeeded(rs: ReplicaSet, to: number): Promise<boolean> {
    const from = rs.spec?.replicas ?? 0;
    if (from === to) return false;
    await this.scaleReplicaSet(rs, to, from < to ? 'up' : 'down');
    return true;
  }

  private async applySteps(steps: ScaleStep[]): Promise<number> {
    let removed = 0;
    for (const s of steps) {
      if (await this.scaleIfNeeded(s.rs, s.to)) removed += (s.rs.spec?.replicas ?? 0) - s.to;
    }
    return removed;
  }

  // ---- strategies -----------------------------------------------------------------------

  private async rolloutRolling(): Promise<void> {
    const { newRS, oldRSs } = await this.replicaSetsAndRevision(true);
    if (!newRS) return;
    const all = () => [...oldRSs.map((rs) => this.latest(rs)), this.latest(newRS)];
    // Grow the new ReplicaSet within the surge.
    const desired = this.d.spec?.replicas ?? 1;
    const size = newRS.spec?.replicas ?? 0;
    if (size !== desired) {
      const target = size > desired ? desired : newRSNewReplicas(this.d, all(), newRS);
      if (await this.scaleIfNeeded(newRS, target)) return this.syncRolloutStatus(all(), this.latest(newRS));
    }
    // Shrink old ones within the availability budget: unhealthy pods first.
    if (await this.reconcileOldReplicaSets(oldRSs, this.latest(newRS))) return this.syncRolloutStatus(all(), this.latest(newRS));
    if (isComplete(this.d, this.d.status ?? {})) await this.cleanup(oldRSs.map((rs) => this.latest(rs)));
    return this.syncRolloutStatus(all(), this.latest(newRS));
  }

  private async reconcileOldReplicaSets(oldRSs: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
    const olds = oldRSs.map((rs) => this.latest(rs));
    if (olds.reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0) === 0) return false;
    const budget = maxScaledDown(this.d, [...olds, newRS], newRS);
    if (budget <= 0) return false;
    const cleaned = await this.applySteps(unhealthyCleanup(olds, budget));
    const after = oldRSs.map((rs) => this.latest(rs));
    const scaled = await this.applySteps(rollingScaleDown(this.d, [...after, newRS], after));
    return cleaned + scaled > 0;
  }

  private async rolloutRecreate(): Promise<void> {
    let { newRS, oldRSs } = await this.replicaSetsAndRevision(false);
    const all = () => [...oldRSs.map((rs) => this.latest(rs)), ...(newRS ? [this.latest(newRS)] : [])];
    let scaledDown = false;
    for (const rs of activeReplicaSets(oldRSs)) if (await this.scaleIfNeeded(rs, 0)) scaledDown = true;
    if (scaledDown) return this.syncRolloutStatus(all(), newRS);
    if (this.oldPodsRunning(newRS, oldRSs)) return this.syncRolloutStatus(all(), newRS);
    if (!newRS) ({ newRS, oldRSs } = await this.replicaSetsAndRevision(true));
    if (newRS) await this.scaleIfNeeded(newRS, this.d.spec?.replicas ?? 1);
    if (isComplete(this.d, this.d.status ?? {})) await this.cleanup(oldRSs.map((rs) => this.latest(rs)));
    return this.syncRolloutStatus(all(), newRS && this.latest(newRS));
  }

  /** Whether old ReplicaSets still have pods that are not finished. */
  private oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): boolean {
    if (sumStatus(oldRSs, 'replicas') > 0) return true;
    return this.rsList.some((rs) => rs.metadata?.uid !== newRS?.metadata?.uid
      && this.c.podsOf(rs).some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded'));
  }

  /** A paused Deployment or a resize: scale proportionally, no rollout. */
  private async scaleOnly(): Promise<void> {
    const { newRS, oldRSs } = await this.replicaSetsAndRevision(false);
    await this.scale(newRS, oldRSs);
    if (this.d.spec?.paused) await this.cleanup(oldRSs.map((rs) => this.latest(rs)));
    const all = [...oldRSs.map((rs) => this.latest(rs)), ...(newRS ? [this.latest(newRS)] : [])];
    const status = calculateStatus(this.d, all, newRS && this.latest(newRS), this.now());
    if (statusDiffers(this.d.status, status)) await this.writeStatus(status);
  }

  private async scale(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
    const d = this.d;
    const desired = d.spec?.replicas ?? 1;
    const only = activeOrLatest(newRS, oldRSs);
    if (only) {
      if ((only.spec?.replicas ?? 0) !== desired) await this.scaleIfNeeded(only, desired);
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const rs of activeReplicaSets(oldRSs)) await this.scaleIfNeeded(rs, 0);
      return;
    }
    if ((d.spec?.strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return;
    for (const step of proportionalScale(d, newRS, oldRSs)) await this.scaleReplicaSet(step.rs, step.to, step.direction);
  }

  /** isScalingEvent: an active ReplicaSet was sized for a different replica count. */
  private isScalingEvent(): boolean {
    const desired = this.d.spec?.replicas ?? 1;
    return activeReplicaSets(this.rsList).some((rs) => {
      const annotated = desiredReplicasOf(rs);
      return annotated !== undefined && annotated !== desired;
    });
  }

  private async syncStatusOnly(): Promise<void> {
    const { newRS, oldRSs } = await this.replicaSetsAndRevision(false);
    const status = calculateStatus(this.d, [...oldRSs, ...(newRS ? [newRS] : [])], newRS, this.now());
    if (statusDiffers(this.d.status, status)) await this.writeStatus(status);
  }

  private async checkPausedConditions(): Promise<void> {
    const c = pausedCondition(this.d, this.now());
    if (!c) return;
    this.setStatusCondition(c);
    await this.writeStatus(this.d.status ?? {});
  }

  /** Deletes the oldest fully scaled-down ReplicaSets beyond revisionHistoryLimit. */
  private async cleanup(oldRSs: ReplicaSet[]): Promise<void> {
    const limit = this.d.spec?.revisionHistoryLimit;
    if (limit === undefined || limit === null) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp).sort(byRevision);
    const excess = cleanable.length - limit;
    for (const rs of cleanable.slice(0, Math.max(0, excess))) {
      if ((rs.status?.replicas ?? 0) !== 0 || (rs.spec?.replicas ?? 0) !== 0) continue;
      if ((rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      try {
        await this.c.replicaSetApi.delete(rs.metadata?.namespace ?? '', rs.metadata?.name ?? '', { preconditions: { uid: rs.metadata?.uid } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  private async syncRolloutStatus(all: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<void> {
    const status = rolloutStatus(this.d, all, newRS, this.now());
    if (!statusDiffers(this.d.status, status)) {
      this.requeueAfter = recheckAfter(this.d, status, this.now());
      return;
    }
    await this.writeStatus(status);
  }

  private latest(rs: ReplicaSet): ReplicaSet {
    return this.rsList.find((x) => x.metadata?.uid === rs.metadata?.uid) ?? rs;
  }

  /** Writes status (and the revision annotation, which the status subresource carries for Deployments). */
  private async writeStatus(status: NonNullable<Deployment['status']>): Promise<void> {
    this.d = await this.c.deploymentApi.updateStatus({ ...this.d, status });
  }
}

