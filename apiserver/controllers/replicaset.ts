// replicaset-controller and replicationcontroller-controller: keep spec.replicas pods running
// for each owner. Pods are claimed by selector (adopting orphans, releasing mismatches),
// created in slow-start batches and deleted in Kubernetes' preference order (unscheduled,
// pending, not ready, doubled up, newest first); expectations keep a stale cache from causing
// a second round of creates. Both kinds share this code, as Kubernetes runs ReplicationControllers
// through the ReplicaSet controller.
import { isConflict, isNotFound } from '../../lib/client/api-error.js';
import { runController } from '../../lib/client/controller.js';
import { referenceTo, type ObjectRef } from '../../lib/client/events.js';
import type { Informer } from '../../lib/client/informer.js';
import type { ResourceClient } from '../../lib/client/rest-client.js';
import { apiVersionOf, resources, type ResourceType } from '../../lib/client/resource-types.js';
import { objectKey, type KubeObject, type Pod } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import { compileSelector } from '../api/kinds/workload-validation.js';
import { fromMapSelector, type LabelSelector } from '../api/selectors/labels.js';
import type { ControllerContext, ControllerDescriptor } from './context.js';
import { claimObjects, liveOwnerCheck } from './controller-ref.js';
import { Expectations } from './expectations.js';
import { claimCandidates, controlledBy, indexByController } from './owner-index.js';
import { isNamespaceTerminating, PodControl, podFromTemplate, podNamePrefix, slowStartBatch } from './pod-control.js';
import { routePodEvents } from './pod-events.js';
import { availableAt, controllerRefOf, isPodActive, isPodAvailable, isPodReady, newControllerRef, podsToDelete } from './pod-helpers.js';
import { replicatedStatus, replicatedStatusChanged, type ManageError, type ReplicatedOwner } from './replicaset-status.js';
import type { PodTemplateSpec } from './workload-types.js';

/** Kubernetes' --concurrent-replicaset-syncs default and burst limit per sync. */
const workers = 5;
const burstReplicas = 500;

type Replicated = KubeObject & ReplicatedOwner & {
  spec?: { replicas?: number; minReadySeconds?: number; selector?: unknown; template?: PodTemplateSpec };
};

/** What differs between ReplicaSets and ReplicationControllers. */
interface ReplicatedKind {
  controllerName: string;
  /** Events' source component. */
  component: string;
  type: ResourceType;
  selector(owner: Replicated): LabelSelector | undefined;
}

const replicaSetKind: ReplicatedKind = {
  controllerName: 'replicaset-controller',
  component: 'replicaset-controller',
  type: resources.replicaSets,
  selector: (rs) => compileSelector(rs.spec?.selector),
};

const replicationControllerKind: ReplicatedKind = {
  controllerName: 'replicationcontroller-controller',
  component: 'replication-controller',
  type: resources.replicationControllers,
  selector: (rc) => fromMapSelector(rc.spec?.selector as Record<string, string>),
};

export const replicaSetController: ControllerDescriptor = {
  name: replicaSetKind.controllerName,
  setup: (ctx) => new ReplicatedController(ctx, replicaSetKind),
};

export const replicationControllerController: ControllerDescriptor = {
  name: replicationControllerKind.controllerName,
  setup: (ctx) => new ReplicatedController(ctx, replicationControllerKind),
};

class ReplicatedController {
  private readonly owners: Informer<Replicated>;
  private readonly pods: Informer<Pod>;
  private readonly api: ResourceClient<Replicated>;
  private readonly podApi: ResourceClient<Pod>;
  private readonly podControl: PodControl;
  private readonly queue: WorkQueue<string>;
  private readonly expectations: Expectations;
  private readonly apiVersion: string;

  constructor(private readonly ctx: ControllerContext, private readonly kind: ReplicatedKind) {
    this.owners = ctx.informers.informer<Replicated>(kind.type);
    this.pods = ctx.informers.informer<Pod>(resources.pods);
    indexByController(this.pods);
    indexByController(this.owners);
    this.api = ctx.client.resource<Replicated>(kind.type);
    this.podApi = ctx.client.resource<Pod>(resources.pods);
    this.podControl = new PodControl(this.podApi, ctx.recorder(kind.component));
    this.queue = new WorkQueue<string>(ctx.clock);
    this.expectations = new Expectations(ctx.clock);
    this.apiVersion = apiVersionOf(kind.type);
    this.owners.on({
      add: (o) => this.queue.add(objectKey(o)),
      update: (_, o) => this.queue.add(objectKey(o)),
      delete: (o) => {
        this.expectations.delete(objectKey(o));
        this.queue.add(objectKey(o));
      },
    });
    routePodEvents(this.pods, {
      kind: kind.type.kind, owners: this.owners, selector: (o) => kind.selector(o), enqueue: (o) => this.queue.add(objectKey(o)),
      created: (o) => this.expectations.creationObserved(objectKey(o)),
      deleted: (o, p) => this.expectations.deletionObserved(objectKey(o), objectKey(p)),
      changed: (o, old, cur) => {
        const minReady = o.spec?.minReadySeconds ?? 0;
        if (minReady > 0 && !isPodReady(old) && isPodReady(cur)) this.queue.addAfter(objectKey(o), minReady * 1000 + 1);
      },
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return runController({ name: this.kind.controllerName, queue: this.queue, workers, sync: (key) => this.sync(key), waitFor: [this.owners, this.pods], signal });
  }

  private async sync(key: string): Promise<void> {
    const owner = this.owners.cache.get(key);
    if (!owner) {
      this.expectations.delete(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    const selector = this.kind.selector(owner);
    if (!selector) return;
    const ref = newControllerRef(owner, this.apiVersion, this.kind.type.kind);
    const pods = await claimObjects({
      candidates: claimCandidates(this.pods, owner).filter(isPodActive), owner, ownerRef: ref, selector,
      api: this.podApi, canAdopt: liveOwnerCheck(this.api, owner),
    });
    let manageError: ManageError | undefined;
    let failure: unknown;
    if (needsSync && !owner.metadata?.deletionTimestamp) {
      try {
        await this.manageReplicas(key, pods, owner);
      } catch (err) {
        failure = err;
        const op = pods.length < (owner.spec?.replicas ?? 1) ? 'create' : 'delete';
        manageError = { op, message: (err as Error).message };
      }
    }
    const now = this.ctx.clock.now();
    const status = replicatedStatus(owner, pods, manageError, now);
    if (replicatedStatusChanged(owner, status)) {
      try {
        await this.api.updateStatus({ ...owner, status });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    // Pods that are ready but not yet available count once minReadySeconds have passed.
    const minReady = owner.spec?.minReadySeconds ?? 0;
    if (minReady > 0) {
      const next = Math.min(...pods.filter((p) => isPodReady(p) && !isPodAvailable(p, minReady, now)).map((p) => availableAt(p, minReady) ?? Infinity));
      if (Number.isFinite(next)) this.queue.addAfter(key, next - now);
    }
    if (failure) throw failure;
  }

  private async manageReplicas(key: string, pods: Pod[], owner: Replicated): Promise<void> {
    const want = owner.spec?.replicas ?? 1;
    const diff = pods.length - want;
    const ns = owner.metadata?.namespace ?? '';
    const ownerRef = this.eventRef(owner);
    if (diff < 0) {
      const count = Math.min(-diff, burstReplicas);
      this.expectations.expectCreations(key, count);
      const ref = newControllerRef(owner, this.apiVersion, this.kind.type.kind);
      const prefix = podNamePrefix(owner.metadata?.name ?? '');
      const { successes, error } = await slowStartBatch(count, 1, async () => {
        await this.podControl.create(podFromTemplate(owner.spec?.template, ns, ref, prefix), ownerRef);
      });
      // Creates never attempted will not be observed: stop expecting them.
      for (let i = successes; i < count; i++) this.expectations.creationObserved(key);
      if (error && !isNamespaceTerminating(error)) throw error;
      return;
    }
    if (diff > 0) {
      const count = Math.min(diff, burstReplicas);
      const victims = podsToDelete(pods, this.relatedPods(owner), count, this.ctx.clock.now());
      this.expectations.expectDeletions(key, victims.map(objectKey));
      const errors: unknown[] = [];
      await Promise.all(victims.map(async (p) => {
        try {
          await this.podControl.delete(ns, p.metadata?.name ?? '', p.metadata?.uid, ownerRef);
        } catch (err) {
          this.expectations.deletionObserved(key, objectKey(p));
          if (!isNotFound(err) && !isConflict(err)) errors.push(err);
        }
      }));
      if (errors.length) throw errors[0];
    }
  }

  /** Pods of every owner with the same controller (a Deployment's other ReplicaSets), for node ranking. */
  private relatedPods(owner: Replicated): Pod[] {
    const parent = controllerRefOf(owner);
    const siblings = parent ? controlledBy(this.owners, parent.uid) : [owner];
    const seen = new Set<string>();
    const out: Pod[] = [];
    for (const s of siblings) {
      const sel = this.kind.selector(s);
      for (const p of controlledBy(this.pods, s.metadata?.uid ?? '')) {
        if (!sel?.matches(p.metadata?.labels ?? {}) || seen.has(p.metadata?.uid ?? '')) continue;
        seen.add(p.metadata?.uid ?? '');
        out.push(p);
      }
    }
    return out;
  }

  private eventRef(owner: Replicated): ObjectRef {
    return referenceTo(owner, { apiVersion: this.apiVersion, kind: this.kind.type.kind });
  }
}
