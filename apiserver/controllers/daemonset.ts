// daemonset-controller: one daemon pod on every node that should run it, as Kubernetes'
// DaemonSet controller keeps them. Pods are pinned to their node through required node
// affinity on metadata.name (the scheduler binds them, as since Kubernetes 1.12), carry the
// default daemon tolerations, and are labelled with the ControllerRevision they run.
// RollingUpdate replaces them within maxUnavailable or maxSurge; OnDelete waits for users.
import { isNotFound } from '../../lib/client/api-error.js';
import type { Clock } from '../../lib/client/clock.js';
import { runController } from '../../lib/client/controller.js';
import { referenceTo, type EventRecorder, type ObjectRef } from '../../lib/client/events.js';
import type { Informer } from '../../lib/client/informer.js';
import type { ResourceClient } from '../../lib/client/rest-client.js';
import { resources } from '../../lib/client/resource-types.js';
import { objectKey, type Node, type Pod } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import { compileSelector } from '../api/kinds/workload-validation.js';
import type { LabelSelector } from '../api/selectors/labels.js';
import type { ControllerContext, ControllerDescriptor } from './context.js';
import { createRevision, nextRevisionNumber, revisionHashLabel, revisionsToDelete, sameData, templatePatch } from './controller-history.js';
import { claimObjects, liveOwnerCheck } from './controller-ref.js';
import {
  daemonPodTemplate, daemonSetCounts, nodeShouldRun, pinToNode, planNode, rollingUpdatePlan, targetNodeName,
} from './daemonset-logic.js';
import { Expectations } from './expectations.js';
import { claimCandidates, indexByController } from './owner-index.js';
import { isNamespaceTerminating, PodControl, podFromTemplate, podNamePrefix } from './pod-control.js';
import { routePodEvents } from './pod-events.js';
import { availableAt, isPodAvailable, isPodReady, isPodTerminal, newControllerRef } from './pod-helpers.js';
import type { ControllerRevision, DaemonSet } from './workload-types.js';

const workers = 2;
const burstReplicas = 250;
const typeMeta = { apiVersion: 'apps/v1', kind: 'DaemonSet' };

export const daemonSetController: ControllerDescriptor = {
  name: 'daemonset-controller',
  setup: (ctx) => new DaemonSetController(ctx),
};

/** The spec's selector, or undefined when it cannot match anything valid. */
const selectorOf = (ds: DaemonSet): LabelSelector | undefined => compileSelector(ds.spec?.selector);

/** flowcontrol.Backoff for failed daemon pods per node: 1 s doubling to 15 min. */
class FailedPodBackoff {
  private readonly entries = new Map<string, { delay: number; at: number }>();
  constructor(private readonly clock: Clock) {}

  /** True when the key is still waiting since its last failure. */
  waiting(key: string): number | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const left = e.at + e.delay - this.clock.now();
    return left > 0 ? left : undefined;
  }

  next(key: string): void {
    const now = this.clock.now();
    const e = this.entries.get(key);
    const delay = !e || now - e.at > 2 * 15 * 60_000 ? 1000 : Math.min(e.delay * 2, 15 * 60_000);
    this.entries.set(key, { delay, at: now });
  }
}

class DaemonSetController {
  private readonly daemonSets: Informer<DaemonSet>;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly revisions: Informer<ControllerRevision>;
  private readonly api: ResourceClient<DaemonSet>;
  private readonly podApi: ResourceClient<Pod>;
  private readonly revisionApi: ResourceClient<ControllerRevision>;
  private readonly recorder: EventRecorder;
  private readonly podControl: PodControl;
  private readonly queue: WorkQueue<string>;
  private readonly expectations: Expectations;
  private readonly backoff: FailedPodBackoff;

  constructor(private readonly ctx: ControllerContext) {
    this.daemonSets = ctx.informers.informer<DaemonSet>(resources.daemonSets);
    this.pods = ctx.informers.informer<Pod>(resources.pods);
    this.nodes = ctx.informers.informer<Node>(resources.nodes);
    this.revisions = ctx.informers.informer<ControllerRevision>(resources.controllerRevisions);
    indexByController(this.pods);
    indexByController(this.revisions);
    this.api = ctx.client.resource<DaemonSet>(resources.daemonSets);
    this.podApi = ctx.client.resource<Pod>(resources.pods);
    this.revisionApi = ctx.client.resource<ControllerRevision>(resources.controllerRevisions);
    this.recorder = ctx.recorder('daemonset-controller');
    this.podControl = new PodControl(this.podApi, this.recorder);
    this.queue = new WorkQueue<string>(ctx.clock);
    this.expectations = new Expectations(ctx.clock);
    this.backoff = new FailedPodBackoff(ctx.clock);
    const enqueue = (ds: DaemonSet) => this.queue.add(objectKey(ds));
    this.daemonSets.on({
      add: enqueue, update: (_, ds) => enqueue(ds),
      delete: (ds) => {
        this.expectations.delete(objectKey(ds));
        enqueue(ds);
      },
    });
    routePodEvents(this.pods, {
      kind: 'DaemonSet', owners: this.daemonSets, selector: selectorOf, enqueue,
      created: (ds) => this.expectations.creationObserved(objectKey(ds)),
      deleted: (ds, p) => this.expectations.deletionObserved(objectKey(ds), objectKey(p)),
      changed: (ds, old, cur) => {
        const minReady = ds.spec?.minReadySeconds ?? 0;
        if (minReady > 0 && !isPodReady(old) && isPodReady(cur)) this.queue.addAfter(objectKey(ds), minReady * 1000 + 1);
      },
    });
    this.nodes.on({
      add: (n) => {
        for (const ds of this.daemonSets.cache.list()) if (nodeShouldRun(n, ds).shouldRun) enqueue(ds);
      },
      update: (old, n) => {
        for (const ds of this.daemonSets.cache.list()) {
          const a = nodeShouldRun(old, ds);
          const b = nodeShouldRun(n, ds);
          if (a.shouldRun !== b.shouldRun || a.shouldContinueRunning !== b.shouldContinueRunning) enqueue(ds);
        }
      },
      delete: () => {
        for (const ds of this.daemonSets.cache.list()) enqueue(ds);
      },
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return runController({
      name: 'daemonset-controller', queue: this.queue, workers, sync: (key) => this.sync(key),
      waitFor: [this.daemonSets, this.pods, this.nodes, this.revisions], signal,
    });
  }

  private async sync(key: string): Promise<void> {
    const cached = this.daemonSets.cache.get(key);
    if (!cached) {
      this.expectations.delete(key);
      return;
    }
    let ds = cached;
    const ref = referenceTo(ds, typeMeta);
    const selector = selectorOf(ds);
    if (!selector) return;
    if (selector.empty) {
      this.recorder.event(ref, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    if (ds.metadata?.deletionTimestamp) return;
    const nodes = this.nodes.cache.list();
    const history = await this.constructHistory(ds, selector);
    ds = history.ds;
    const hash = history.current.metadata?.labels?.[revisionHashLabel] ?? '';
    const pods = await this.claimPods(ds, selector);
    if (!this.expectations.satisfied(key)) return this.updateStatus(ds, nodes, pods, hash, false);
    await this.manage(key, ds, nodes, pods, hash, ref);
    if (this.expectations.satisfied(key) && ds.spec?.updateStrategy?.type === 'RollingUpdate') {
      const plan = rollingUpdatePlan(ds, nodes, this.byNode(pods, false), hash, this.ctx.clock.now());
      if (plan.deletePods.length || plan.createOn.length) await this.syncNodes(key, ds, plan.deletePods, plan.createOn, hash, ref);
    }
    await this.cleanupHistory(ds, history.old, pods);
    await this.updateStatus(ds, nodes, pods, hash, true);
  }

  private claimPods(ds: DaemonSet, selector: LabelSelector): Promise<Pod[]> {
    return claimObjects({
      candidates: claimCandidates(this.pods, ds), owner: ds, ownerRef: newControllerRef(ds, typeMeta.apiVersion, typeMeta.kind),
      selector, api: this.podApi, canAdopt: liveOwnerCheck(this.api, ds),
    });
  }

  /** Pods by the node they are bound or pinned to; finished pods being deleted left out unless asked for. */
  private byNode(pods: readonly Pod[], includeDeletedTerminal: boolean): Map<string, Pod[]> {
    const out = new Map<string, Pod[]>();
    for (const p of pods) {
      if (!includeDeletedTerminal && isPodTerminal(p) && p.metadata?.deletionTimestamp) continue;
      const node = targetNodeName(p);
      if (node === undefined) continue;
      let list = out.get(node);
      if (!list) out.set(node, (list = []));
      list.push(p);
    }
    return out;
  }

  private async manage(key: string, ds: DaemonSet, nodes: Node[], pods: Pod[], hash: string, ref: ObjectRef): Promise<void> {
    const byNode = this.byNode(pods, true);
    const createOn: string[] = [];
    const toDelete: Pod[] = [];
    const now = this.ctx.clock.now();
    const known = new Set<string>();
    for (const node of nodes) {
      const name = node.metadata?.name ?? '';
      known.add(name);
      const backoffKey = `${ds.metadata?.uid}/${ds.metadata?.generation}/${name}`;
      const waiting = this.backoff.waiting(backoffKey);
      const plan = planNode(node, ds, byNode.get(name) ?? [], hash, now, waiting === undefined);
      if (waiting !== undefined && (byNode.get(name) ?? []).some((p) => p.status?.phase === 'Failed' && !p.metadata?.deletionTimestamp)) {
        this.queue.addAfter(key, waiting);
      }
      if (plan.create) createOn.push(name);
      for (const d of plan.delete) {
        if (d.event?.reason === 'FailedDaemonPod') this.backoff.next(backoffKey);
        if (d.event) this.recorder.event(ref, d.event.type, d.event.reason, d.event.message);
        toDelete.push(d.pod);
      }
    }
    // Unscheduled pods pinned to nodes that no longer exist.
    for (const [node, list] of byNode) {
      if (known.has(node)) continue;
      for (const p of list) if (!p.spec?.nodeName && !p.metadata?.deletionTimestamp) toDelete.push(p);
    }
    await this.syncNodes(key, ds, toDelete, createOn, hash, ref);
  }

  /** Creates daemon pods on nodes (slow start) and deletes pods, within the burst limit. */
  private async syncNodes(key: string, ds: DaemonSet, toDelete: Pod[], createOn: string[], hash: string, ref: ObjectRef): Promise<void> {
    const creates = createOn.slice(0, burstReplicas);
    const deletes = toDelete.slice(0, burstReplicas);
    this.expectations.expectBoth(key, creates.length, deletes.map(objectKey));
    const template = daemonPodTemplate(ds, hash);
    const ownerRef = newControllerRef(ds, typeMeta.apiVersion, typeMeta.kind);
    const ns = ds.metadata?.namespace ?? '';
    const prefix = podNamePrefix(ds.metadata?.name ?? '');
    const errors: unknown[] = [];
    let pos = 0;
    for (let batch = Math.min(creates.length, 1); pos < creates.length; batch = Math.min(2 * batch, creates.length - pos)) {
      const slice = creates.slice(pos, pos + batch);
      pos += batch;
      const before = errors.length;
      await Promise.all(slice.map(async (node) => {
        const pod = podFromTemplate(template, ns, ownerRef, prefix);
        pod.spec!.affinity = pinToNode(pod.spec?.affinity, node);
        try {
          await this.podControl.create(pod, ref);
        } catch (err) {
          if (isNamespaceTerminating(err)) return;
          this.expectations.creationObserved(key);
          errors.push(err);
        }
      }));
      if (errors.length > before) {
        // Creates never attempted will not be observed.
        for (let i = pos; i < creates.length; i++) this.expectations.creationObserved(key);
        break;
      }
    }
    await Promise.all(deletes.map(async (p) => {
      try {
        await this.podControl.delete(ns, p.metadata?.name ?? '', p.metadata?.uid, ref);
      } catch (err) {
        this.expectations.deletionObserved(key, objectKey(p));
        if (!isNotFound(err)) errors.push(err);
      }
    }));
    if (errors.length) throw errors[0];
  }

  /** The current revision (created when the template is new) and the old ones. */
  private async constructHistory(ds: DaemonSet, selector: LabelSelector): Promise<{ ds: DaemonSet; current: ControllerRevision; old: ControllerRevision[] }> {
    const ownerRef = newControllerRef(ds, typeMeta.apiVersion, typeMeta.kind);
    const all = await claimObjects({
      candidates: claimCandidates(this.revisions, ds), owner: ds, ownerRef, selector, api: this.revisionApi, canAdopt: liveOwnerCheck(this.api, ds),
    });
    const data = templatePatch(ds.spec?.template);
    const matching = all.filter((r) => sameData(r, data));
    const old = all.filter((r) => !sameData(r, data));
    const revision = nextRevisionNumber(old);
    if (matching.length === 0) {
      const made = await createRevision(this.revisionApi, {
        owner: ds, ref: ownerRef, templateLabels: ds.spec?.template?.metadata?.labels, annotations: ds.metadata?.annotations, data, revision,
      }, ds.status?.collisionCount);
      let updated = ds;
      if (made.collisionCount !== ds.status?.collisionCount) {
        updated = await this.api.updateStatus({ ...ds, status: { ...ds.status!, collisionCount: made.collisionCount } });
      }
      return { ds: updated, current: made.revision, old };
    }
    // Keep the newest of duplicates; give it the highest revision number.
    matching.sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0));
    let current = matching[0];
    for (const dup of matching.slice(1)) {
      await this.revisionApi.delete(dup.metadata?.namespace ?? '', dup.metadata?.name ?? '', { preconditions: { uid: dup.metadata?.uid } }).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    }
    if ((current.revision ?? 0) < revision) current = await this.revisionApi.update({ ...current, revision });
    return { ds, current, old };
  }

  private async cleanupHistory(ds: DaemonSet, old: ControllerRevision[], pods: Pod[]): Promise<void> {
    const live = new Set(pods.map((p) => p.metadata?.labels?.[revisionHashLabel] ?? '').filter(Boolean));
    for (const r of revisionsToDelete(old, '', live, ds.spec?.revisionHistoryLimit ?? 10)) {
      try {
        await this.revisionApi.delete(r.metadata?.namespace ?? '', r.metadata?.name ?? '', { preconditions: { uid: r.metadata?.uid } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  private async updateStatus(ds: DaemonSet, nodes: Node[], pods: Pod[], hash: string, observeGeneration: boolean): Promise<void> {
    const now = this.ctx.clock.now();
    const counts = daemonSetCounts(ds, nodes, this.byNode(pods, false), hash, now);
    const cur = ds.status;
    const same = cur?.desiredNumberScheduled === counts.desiredNumberScheduled && cur?.currentNumberScheduled === counts.currentNumberScheduled
      && cur?.numberMisscheduled === counts.numberMisscheduled && cur?.numberReady === counts.numberReady
      && (cur?.updatedNumberScheduled ?? 0) === counts.updatedNumberScheduled && (cur?.numberAvailable ?? 0) === counts.numberAvailable
      && (cur?.numberUnavailable ?? 0) === counts.numberUnavailable && (cur?.observedGeneration ?? 0) >= (ds.metadata?.generation ?? 0);
    if (!same) {
      const status: NonNullable<DaemonSet['status']> = { ...cur, ...counts };
      for (const k of ['updatedNumberScheduled', 'numberAvailable', 'numberUnavailable'] as const) if (!status[k]) delete status[k];
      if (observeGeneration) status.observedGeneration = ds.metadata?.generation;
      try {
        await this.api.updateStatus({ ...ds, status });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    const minReady = ds.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && counts.numberReady !== counts.numberAvailable) {
      const next = Math.min(...pods.filter((p) => isPodReady(p) && !isPodAvailable(p, minReady, now)).map((p) => availableAt(p, minReady) ?? Infinity));
      this.queue.addAfter(objectKey(ds), Number.isFinite(next) ? next - now : minReady * 1000);
    }
  }
}
