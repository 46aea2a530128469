// The scheduler loop: take the most important pending pod, filter and score nodes with the
// default profile, assume the pod onto the winner and bind it through pods/binding in the
// background. A pod that fits nowhere gets PodScheduled=False (Unschedulable) with
// kube-scheduler's message, a FailedScheduling event, maybe a preemption, and waits in the
// queue until the cluster changes.
import { logger } from '../../lib/log.js';
import { eventLoopTurns } from '../../lib/event-loop-turns.js';
import { isNotFound, isConflict } from '../../lib/client/api-error.js';
import { realClock, type Clock } from '../../lib/client/clock.js';
import { apiEventSink, EventRecorder, referenceTo } from '../../lib/client/events.js';
import { Informer, listWatch, stripManagedFields } from '../../lib/client/informer.js';
import { trimPodForScheduling } from './pod-info.js';
import type { KubeClient, ResourceClient } from '../../lib/client/rest-client.js';
import { resources } from '../../lib/client/resource-types.js';
import { deepEqual } from '../api/object.js';
import { rfc3339, type Namespace, type Node, type Pod, type PodCondition } from '../../lib/client/types.js';
import { SchedulerCache } from './cache.js';
import { fitErrorMessage, noNodesAvailable } from './fit-error.js';
import { NodeInfo } from './node-info.js';
import { buildPodInfo, podKey } from './pod-info.js';
import { preempt } from './preemption.js';
import { defaultPlugins, filterNode, findFeasibleNodes, preFilter, preFilterRejection, scoreNodes, selectHost } from './profile.js';
import type { ClusterView, Plugin } from './plugins/plugin.js';
import { podClaimNames, type PersistentVolume, type PersistentVolumeClaim, type StorageClass } from '../volumes/volume-types.js';
import type { StorageView } from './plugins/volume-binding.js';
import { prebindVolumes, type PrebindApis } from './volume-prebind.js';
import { SchedulingQueue, type QueuedPod } from './queue.js';
import type { NodeView, PodInfo } from './types.js';

const log = logger('scheduler');

export const defaultSchedulerName = 'default-scheduler';

/** A pre-bind plugin failed: kube-scheduler reports it as it is, not as a rejected binding. */
class PreBindError extends Error {}
/**
 * Longest stretch the scheduling loop runs before yielding to I/O. A loaded server's event loop
 * turn takes tens of milliseconds: shorter slices starve the scheduler.
 */
const yieldEveryMs = 25;

export interface SchedulerOptions {
  client: KubeClient;
  schedulerName?: string;
  plugins?: Plugin[];
  clock?: Clock;
  /**
   * Bindings in flight at once before the loop waits (kube-scheduler binds asynchronously). Under
   * load a binding takes most of a second, so throughput is about this many per second; far more
   * in flight only lengthens the server's tail latency.
   */
  maxInflightBindings?: number;
}

/** Counters for benchmarks and logs. */
export interface SchedulerStats {
  scheduled: number;
  unschedulable: number;
  bindErrors: number;
}

export class Scheduler {
  readonly stats: SchedulerStats = { scheduled: 0, unschedulable: 0, bindErrors: 0 };
  private readonly clock: Clock;
  private readonly name: string;
  private readonly plugins: Plugin[];
  private readonly cache = new SchedulerCache();
  private readonly queue: SchedulingQueue;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly namespaces: Informer<Namespace>;
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly volumes: Informer<PersistentVolume>;
  private readonly classes: Informer<StorageClass>;
  private readonly storage: StorageView;
  private readonly prebindApis: PrebindApis;
  private readonly podApi: ResourceClient<Pod>;
  private readonly recorder: EventRecorder;
  /** Pods that preempted others and wait for room on a node: key -> node and pod. */
  private readonly nominated = new Map<string, { node: string; info: PodInfo }>();
  private nextStart = 0;
  private inflight = 0;
  private bindSlot?: () => void;
  private signal?: AbortSignal;

  constructor(private readonly opts: SchedulerOptions) {
    this.clock = opts.clock ?? realClock;
    this.name = opts.schedulerName ?? defaultSchedulerName;
    this.plugins = opts.plugins ?? defaultPlugins;
    this.queue = new SchedulingQueue(this.clock);
    this.podApi = opts.client.resource<Pod>(resources.pods);
    // Finished pods hold no resources: the scheduler does not even watch them (as kube-scheduler).
    this.pods = new Informer(listWatch(this.podApi, { fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' }), { name: 'scheduler-pods', clock: this.clock, transform: trimPodForScheduling });
    this.nodes = new Informer(listWatch(opts.client.resource<Node>(resources.nodes)), { name: 'scheduler-nodes', clock: this.clock, transform: stripManagedFields });
    this.namespaces = new Informer(listWatch(opts.client.resource<Namespace>(resources.namespaces)), { name: 'scheduler-namespaces', clock: this.clock, transform: stripManagedFields });
    this.claims = new Informer(listWatch(opts.client.resource<PersistentVolumeClaim>(resources.persistentVolumeClaims)), { name: 'scheduler-claims', clock: this.clock, transform: stripManagedFields });
    this.volumes = new Informer(listWatch(opts.client.resource<PersistentVolume>(resources.persistentVolumes)), { name: 'scheduler-volumes', clock: this.clock, transform: stripManagedFields });
    this.classes = new Informer(listWatch(opts.client.resource<StorageClass>(resources.storageClasses)), { name: 'scheduler-storageclasses', clock: this.clock, transform: stripManagedFields });
    this.storage = {
      claim: (ns, name) => this.claims.cache.get(`${ns}/${name}`),
      volume: (name) => this.volumes.cache.get(name),
      volumes: () => this.volumes.cache.list(),
      storageClass: (name) => this.classes.cache.get(name),
    };
    this.prebindApis = {
      claims: opts.client.resource<PersistentVolumeClaim>(resources.persistentVolumeClaims),
      volumes: opts.client.resource<PersistentVolume>(resources.persistentVolumes),
    };
    this.recorder = new EventRecorder(apiEventSink(opts.client), { component: this.name, style: 'series', clock: this.clock });
    this.wireHandlers();
  }

  /** Schedules until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const runs = [this.pods.run(signal), this.nodes.run(signal), this.namespaces.run(signal), this.claims.run(signal), this.volumes.run(signal), this.classes.run(signal)];
    this.signal = signal;
    signal.addEventListener('abort', () => this.queue.close(), { once: true });
    try {
      for (const inf of [this.nodes, this.pods, this.namespaces, this.claims, this.volumes, this.classes] as const) {
        if (!(await inf.waitForSync(signal))) return;
      }
      log.info({ nodes: this.cache.nodeCount }, 'scheduler started');
      const yieldTurn = eventLoopTurns(yieldEveryMs);
      for (;;) {
        const qp = await this.queue.pop();
        if (!qp) break;
        try {
          await this.scheduleOne(qp);
        } catch (err) {
          log.error({ pod: qp.info.key, err: (err as Error).message }, 'scheduling failed');
          this.queue.requeueAfterError(qp);
        }
        if (this.inflight >= (this.opts.maxInflightBindings ?? 128)) await new Promise<void>((r) => (this.bindSlot = r));
        // The scheduler shares the event loop with the API server: let requests through between pods.
        await yieldTurn();
      }
    } finally {
      this.queue.close();
      await Promise.allSettled(runs);
      this.recorder.close();
    }
  }

  private responsible(pod: Pod): boolean {
    return (pod.spec?.schedulerName ?? defaultSchedulerName) === this.name;
  }

  private wireHandlers(): void {
    this.pods.on({
      add: (p) => this.podAdded(p),
      update: (old, p) => this.podUpdated(old, p),
      delete: (p) => this.podDeleted(p),
    });
    this.nodes.on({
      add: (n) => {
        this.cache.setNode(n);
        this.queue.moveAllToActiveOrBackoff();
      },
      update: (old, n) => {
        this.cache.setNode(n);
        if (nodeChangeMayHelp(old, n)) this.queue.moveAllToActiveOrBackoff();
      },
      delete: (n) => this.cache.removeNode(n.metadata?.name ?? ''),
    });
    // A claim bound, a volume freed or a class added may let pods with claims in.
    const storageChanged = () => this.queue.moveAllToActiveOrBackoff();
    for (const inf of [this.claims, this.volumes, this.classes] as const) {
      (inf as Informer<PersistentVolume>).on({ add: storageChanged, update: storageChanged, delete: storageChanged });
    }
  }

  private podAdded(p: Pod): void {
    const key = podKey(p);
    if (p.spec?.nodeName) {
      this.cache.setPod(buildPodInfo(p), p.spec.nodeName);
      this.nominated.delete(key);
      return;
    }
    if (this.responsible(p) && !p.metadata?.deletionTimestamp && !this.cache.isAssumed(key)) this.queue.add(buildPodInfo(p));
  }

  private podUpdated(old: Pod, p: Pod): void {
    if (old.metadata?.resourceVersion === p.metadata?.resourceVersion) return;
    const key = podKey(p);
    if (p.spec?.nodeName) {
      this.cache.setPod(buildPodInfo(p), p.spec.nodeName);
      this.queue.delete(key);
      this.nominated.delete(key);
      // Labels of running pods feed affinity and spreading decisions.
      if (!deepEqual(old.metadata?.labels, p.metadata?.labels)) this.queue.moveAllToActiveOrBackoff();
      return;
    }
    if (!this.responsible(p) || this.cache.isAssumed(key)) return;
    if (p.metadata?.deletionTimestamp) {
      this.queue.delete(key);
      return;
    }
    // Our own status writes (PodScheduled=False) must not retrigger scheduling: only spec and metadata count.
    this.queue.update(buildPodInfo(p), specOrMetaChanged(old, p));
  }

  private podDeleted(p: Pod): void {
    const key = podKey(p);
    this.queue.delete(key);
    this.nominated.delete(key);
    if (p.spec?.nodeName || this.cache.isAssumed(key)) {
      this.cache.removePod(key);
      // Room was freed.
      this.queue.moveAllToActiveOrBackoff();
    }
  }

  private clusterView(): ClusterView {
    return {
      nodes: this.cache.nodeList(),
      podsWithAffinity: this.cache.podsWithAffinity,
      namespaceLabels: (ns) => this.namespaces.cache.get(ns)?.metadata?.labels,
      storage: this.storage,
    };
  }

  /** The cluster with nominated pods of at least this priority counted where they wait. */
  private viewFor(pod: PodInfo): ClusterView {
    const base = this.clusterView();
    const waiting = [...this.nominated.values()].filter((n) => n.info.key !== pod.key && n.info.priority >= pod.priority);
    if (waiting.length === 0) return base;
    const byNode = new Map<string, PodInfo[]>();
    for (const w of waiting) byNode.set(w.node, [...(byNode.get(w.node) ?? []), w.info]);
    return {
      ...base,
      nodes: base.nodes.map((n) => {
        const extra = byNode.get(n.name);
        if (!extra) return n;
        const c = (n as NodeInfo).clone();
        for (const e of extra) c.addPod(e);
        return c;
      }),
    };
  }

  private async scheduleOne(qp: QueuedPod): Promise<void> {
    const live = this.pods.cache.get(qp.info.key);
    if (!live || live.spec?.nodeName || live.metadata?.deletionTimestamp) {
      this.queue.done(qp.info.key);
      return;
    }
    const info = qp.info;
    if (this.cache.nodeCount === 0) {
      await this.fail(qp, noNodesAvailable);
      return;
    }
    const cluster = this.viewFor(info);
    const state = preFilter(this.plugins, info, cluster);
    const rejected = preFilterRejection(this.plugins, state);
    if (rejected) {
      const statuses = cluster.nodes.map(() => ({ code: 'UnschedulableAndUnresolvable' as const, reasons: [rejected], plugin: 'PreFilter' }));
      const outcome = preempt(this.plugins, info, cluster, this.cache.nodeList(), new Map(cluster.nodes.map((n, i) => [n.name, statuses[i]])));
      await this.fail(qp, fitErrorMessage(cluster.nodes.length, statuses, outcome.message, rejected));
      return;
    }
    let host: NodeView | undefined;
    // A pod that preempted others goes to its nominated node if it fits there now.
    const nominatedNode = info.pod.status?.nominatedNodeName;
    if (nominatedNode) {
      const n = cluster.nodes.find((x) => x.name === nominatedNode);
      if (n && !filterNode(this.plugins, info, n, state)) host = n;
    }
    if (!host) {
      const result = findFeasibleNodes(this.plugins, info, cluster, state, this.nextStart);
      this.nextStart = result.nextStart;
      if (result.feasible.length === 0) {
        const outcome = preempt(this.plugins, info, cluster, this.cache.nodeList(), result.statuses);
        const message = fitErrorMessage(cluster.nodes.length, result.statuses.values(), outcome.message);
        if (outcome.candidate) await this.preemptFor(info, outcome.candidate);
        await this.fail(qp, message, outcome.candidate?.node);
        return;
      }
      host = result.feasible.length === 1 ? result.feasible[0] : selectHost(result.feasible, scoreNodes(this.plugins, info, result.feasible, cluster));
    }
    this.cache.assume(info, host.name);
    this.nominated.delete(info.key);
    this.inflight++;
    void this.bind(qp, host.name).finally(() => {
      this.inflight--;
      const slot = this.bindSlot;
      this.bindSlot = undefined;
      slot?.();
    });
  }

  private async bind(qp: QueuedPod, nodeName: string): Promise<void> {
    const { namespace, name, uid, key } = qp.info;
    try {
      const node = this.cache.nodeList().find((n) => n.name === nodeName)?.node;
      if (node && podClaimNames(qp.info.pod).length) {
        try {
          await prebindVolumes(qp.info, node, this.storage, this.prebindApis, { signal: this.signal });
        } catch (err) {
          throw new PreBindError(`running PreBind plugin "VolumeBinding": ${(err as Error).message}`);
        }
      }
      await this.podApi.createSubresource(namespace, name, 'binding', {
        apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace, uid }, target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
      });
      this.stats.scheduled++;
      this.queue.done(key);
      this.recorder.event(referenceTo(qp.info.pod, { apiVersion: 'v1', kind: 'Pod' }), 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${nodeName}`, 'Binding');
    } catch (err) {
      this.cache.forget(key);
      this.stats.bindErrors++;
      if (isNotFound(err)) {
        this.queue.done(key);
        return;
      }
      log.warn({ pod: key, node: nodeName, err: (err as Error).message }, 'binding failed');
      this.recorder.event(referenceTo(qp.info.pod, { apiVersion: 'v1', kind: 'Pod' }), 'Warning', 'FailedScheduling', err instanceof PreBindError ? err.message : `Binding rejected: ${(err as Error).message}`, 'Scheduling');
      this.queue.requeueAfterError(qp);
    }
  }

  /** Records why the pod did not fit and parks it until the cluster changes. */
  private async fail(qp: QueuedPod, message: string, nominatedNode?: string): Promise<void> {
    this.stats.unschedulable++;
    const pod = this.pods.cache.get(qp.info.key) ?? qp.info.pod;
    this.recorder.event(referenceTo(pod, { apiVersion: 'v1', kind: 'Pod' }), 'Warning', 'FailedScheduling', message, 'Scheduling');
    this.queue.requeueUnschedulable(qp);
    try {
      await this.setUnschedulable(pod, message, nominatedNode);
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) log.warn({ pod: qp.info.key, err: (err as Error).message }, 'could not update pod status');
    }
  }

  private async setUnschedulable(pod: Pod, message: string, nominatedNode?: string): Promise<void> {
    const conditions = pod.status?.conditions ?? [];
    const cur = conditions.find((c) => c.type === 'PodScheduled');
    const sameCondition = cur && cur.status === 'False' && cur.reason === 'Unschedulable' && cur.message === message;
    const nominatedChange = nominatedNode !== undefined && nominatedNode !== pod.status?.nominatedNodeName;
    if (sameCondition && !nominatedChange) return;
    const cond: PodCondition = {
      type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message,
      lastProbeTime: null as unknown as undefined,
      lastTransitionTime: cur?.status === 'False' ? cur.lastTransitionTime : rfc3339(this.clock.now()),
    };
    const status: Record<string, unknown> = { conditions: [...conditions.filter((c) => c.type !== 'PodScheduled'), cond] };
    if (nominatedChange) status.nominatedNodeName = nominatedNode;
    await this.podApi.patch(pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', { status }, 'merge', { subresource: 'status' });
  }

  /** Evicts the victims on the chosen node; the preemptor waits there (nominatedNodeName). */
  private async preemptFor(preemptor: PodInfo, candidate: { node: string; victims: PodInfo[] }): Promise<void> {
    this.nominated.set(preemptor.key, { node: candidate.node, info: preemptor });
    await Promise.all(candidate.victims.map(async (v) => {
      try {
        const conditions = (v.pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
        conditions.push({
          type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler',
          message: `${this.name}: preempting to accommodate a higher priority pod`, lastTransitionTime: rfc3339(this.clock.now()),
        });
        await this.podApi.patch(v.namespace, v.name, { status: { conditions } }, 'merge', { subresource: 'status' });
        await this.podApi.delete(v.namespace, v.name, { preconditions: { uid: v.uid } });
        this.recorder.event(referenceTo(v.pod, { apiVersion: 'v1', kind: 'Pod' }), 'Normal', 'Preempted', `Preempted by pod ${preemptor.uid} on node ${candidate.node}`, 'Preempting');
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) log.warn({ victim: v.key, err: (err as Error).message }, 'preemption failed');
      }
    }));
  }
}

/** Whether anything the filters read changed on a node. */
function nodeChangeMayHelp(old: Node, cur: Node): boolean {
  return !deepEqual(old.status?.allocatable, cur.status?.allocatable)
    || !deepEqual(old.metadata?.labels, cur.metadata?.labels)
    || !deepEqual(old.spec?.taints, cur.spec?.taints)
    || !!old.spec?.unschedulable !== !!cur.spec?.unschedulable;
}

/** Whether a pod changed outside status (and the fields every write touches). */
function specOrMetaChanged(old: Pod, cur: Pod): boolean {
  const strip = (p: Pod) => ({ ...p, status: undefined, metadata: { ...p.metadata, resourceVersion: undefined, generation: undefined, managedFields: undefined } });
  return !deepEqual(strip(old), strip(cur));
}
