// node-lifecycle-controller: watches node health. A node whose Lease (or Ready heartbeat) has not
// been renewed within --node-monitor-grace-period turns Unknown ("Kubelet stopped posting node
// status."), its pods are marked not ready, and it gets the NoExecute unreachable (or not-ready)
// taint (at most --node-eviction-rate nodes per second; none while every node is down) that the
// taint eviction controller acts on. NoSchedule taints follow the node's conditions.
import { logger } from '../../lib/log.js';
import { isConflict, isNotFound } from '../../lib/client/api-error.js';
import { runController } from '../../lib/client/controller.js';
import { referenceTo, type EventRecorder } from '../../lib/client/events.js';
import type { Informer } from '../../lib/client/informer.js';
import { resources } from '../../lib/client/resource-types.js';
import { rfc3339, type Lease, type Node, type Pod, type Taint } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import type { ControllerContext, ControllerDescriptor } from './context.js';
import {
  observeHealth, readyCondition, reconcileNoScheduleTaints, staleConditions, withNoExecuteTaint, zoneOf, zoneState,
  type HealthRecord,
} from './node-health.js';

const log = logger('node-lifecycle-controller');

/** Kubernetes' defaults: nodes that never reported get a minute; 0.1 nodes/s are tainted. */
const nodeStartupGracePeriodMs = 60_000;
const evictionQPS = 0.1;
const taintPassMs = 100;

export const nodeIndex = 'spec.nodeName';

export function podsByNode(pods: Informer<Pod>): void {
  pods.cache.addIndex(nodeIndex, (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
}

const nodeRef = (n: Node) => referenceTo(n, { apiVersion: 'v1', kind: 'Node' });

export const nodeLifecycleController: ControllerDescriptor = {
  name: 'node-lifecycle-controller',
  setup(ctx) {
    const nodes = ctx.informers.informer<Node>(resources.nodes);
    const leases = ctx.informers.informer<Lease>(resources.leases, { namespace: 'kube-node-lease' });
    const pods = ctx.informers.informer<Pod>(resources.pods);
    podsByNode(pods);
    const recorder = ctx.recorder('node-controller');
    const lc = new NodeLifecycle(ctx, nodes, leases, pods, recorder);
    const noScheduleQueue = new WorkQueue<string>(ctx.clock);
    nodes.on({ add: (n) => noScheduleQueue.add(n.metadata?.name ?? ''), update: (_, n) => noScheduleQueue.add(n.metadata?.name ?? '') });
    return {
      run: async (signal) => {
        await Promise.all([
          runController({ name: 'node-lifecycle-controller', queue: noScheduleQueue, workers: 4, sync: (name) => lc.noSchedulePass(name), waitFor: [nodes], signal }),
          lc.run(signal),
        ]);
      },
    };
  },
};

class NodeLifecycle {
  private readonly health = new Map<string, HealthRecord>();
  private readonly known = new Map<string, Node>();
  /** Nodes waiting for their NoExecute taint (rate limited). */
  private readonly toTaint = new Set<string>();
  private tokens = 1;
  private lastRefill = 0;
  private fullDisruption = false;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly nodes: Informer<Node>,
    private readonly leases: Informer<Lease>,
    private readonly pods: Informer<Pod>,
    private readonly recorder: EventRecorder,
  ) {}

  async run(signal: AbortSignal): Promise<void> {
    for (const inf of [this.nodes, this.leases, this.pods]) if (!(await inf.waitForSync(signal))) return;
    this.lastRefill = this.ctx.clock.now();
    const taintLoop = (async () => {
      while (!signal.aborted) {
        await this.ctx.clock.sleep(taintPassMs, signal);
        await this.noExecuteTaintingPass().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'tainting failed'));
      }
    })();
    while (!signal.aborted) {
      await this.monitorNodeHealth().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'monitoring node health failed'));
      await this.ctx.clock.sleep(this.ctx.options.nodeMonitorPeriodMs, signal);
    }
    await taintLoop;
  }

  /** One pass over every node (every --node-monitor-period). */
  async monitorNodeHealth(): Promise<void> {
    const now = this.ctx.clock.now();
    const nodes = this.nodes.cache.list();
    const names = new Set(nodes.map((n) => n.metadata?.name ?? ''));
    for (const n of nodes) {
      const name = n.metadata?.name ?? '';
      if (this.known.has(name)) continue;
      this.known.set(name, n);
      this.recorder.event(nodeRef(n), 'Normal', 'RegisteredNode', `Node ${name} event: Registered Node ${name} in Controller`);
      // A node seen for the first time starts without NoExecute taints; the next pass re-adds them if due.
      await this.setNoExecuteTaint(name, 'True');
    }
    for (const [name, n] of this.known) {
      if (names.has(name)) continue;
      this.known.delete(name);
      this.health.delete(name);
      this.toTaint.delete(name);
      this.recorder.event(nodeRef(n), 'Normal', 'RemovingNode', `Node ${name} event: Removing Node ${name} from Controller`);
    }
    const zones = new Map<string, Array<string | undefined>>();
    await Promise.all(nodes.map(async (node) => {
      const name = node.metadata?.name ?? '';
      const lease = this.leases.cache.getByName('kube-node-lease', name);
      const rec = observeHealth(this.health.get(name), node, lease?.spec?.renewTime, now);
      this.health.set(name, rec);
      const observed = readyCondition(node)?.status ?? 'Unknown';
      const grace = readyCondition(node) ? this.ctx.options.nodeMonitorGracePeriodMs : nodeStartupGracePeriodMs;
      let current = observed;
      if (now > rec.probeTimestamp + grace) {
        const conditions = staleConditions(node, now);
        if (conditions) {
          try {
            await this.ctx.client.resource<Node>(resources.nodes).updateStatus({ ...node, status: { ...node.status, conditions } });
          } catch (err) {
            if (!isConflict(err) && !isNotFound(err)) throw err;
            return;
          }
        }
        current = 'Unknown';
      }
      if (node.metadata?.labels?.['node.kubernetes.io/exclude-disruption'] === undefined) {
        const zone = zoneOf(node);
        zones.set(zone, [...(zones.get(zone) ?? []), current]);
      }
      await this.taintBasedEviction(node, observed);
      if (current !== 'True' && observed === 'True') {
        this.recorder.event(nodeRef(node), 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
        await this.markPodsNotReady(name);
      }
    }));
    await this.handleDisruption(zones);
  }

  /** Queue the node for its NoExecute taint, or swap the taint at once if it has the other one. */
  private async taintBasedEviction(node: Node, readyStatus: string): Promise<void> {
    const name = node.metadata?.name ?? '';
    const taints = node.spec?.taints ?? [];
    const has = (key: string) => taints.some((t) => t.key === key && t.effect === 'NoExecute');
    if (readyStatus === 'True') {
      this.toTaint.delete(name);
      await this.setNoExecuteTaint(name, 'True');
      return;
    }
    if (this.fullDisruption) return;
    const other = readyStatus === 'False' ? 'node.kubernetes.io/unreachable' : 'node.kubernetes.io/not-ready';
    if (has(other)) await this.setNoExecuteTaint(name, readyStatus);
    else if (!has(readyStatus === 'False' ? 'node.kubernetes.io/not-ready' : 'node.kubernetes.io/unreachable')) this.toTaint.add(name);
  }

  /** Takes one node off the taint queue per token (--node-eviction-rate, burst 1). */
  private async noExecuteTaintingPass(): Promise<void> {
    const now = this.ctx.clock.now();
    this.tokens = Math.min(1, this.tokens + ((now - this.lastRefill) / 1000) * evictionQPS);
    this.lastRefill = now;
    while (this.toTaint.size && this.tokens >= 1 && !this.fullDisruption) {
      const name = this.toTaint.values().next().value as string;
      this.toTaint.delete(name);
      const node = this.nodes.cache.get(name);
      const status = node && readyCondition(node)?.status;
      if (!node || !status || status === 'True') continue;
      this.tokens -= 1;
      await this.setNoExecuteTaint(name, status);
    }
  }

  /** Every zone fully down: stop evicting (the control plane is probably the one cut off). */
  private async handleDisruption(zones: Map<string, Array<string | undefined>>): Promise<void> {
    const states = [...zones.values()].map((s) => zoneState(s));
    const allDown = states.length > 0 && states.every((s) => s === 'FullDisruption');
    if (allDown && !this.fullDisruption) {
      log.info({}, 'every node is not ready: entering full disruption mode, no evictions');
      this.fullDisruption = true;
      this.toTaint.clear();
      for (const n of this.nodes.cache.list()) await this.setNoExecuteTaint(n.metadata?.name ?? '', 'True');
    } else if (!allDown && this.fullDisruption) {
      log.info({}, 'some nodes are ready again: leaving full disruption mode');
      this.fullDisruption = false;
      const now = this.ctx.clock.now();
      for (const [name, rec] of this.health) this.health.set(name, { ...rec, probeTimestamp: now });
    }
  }

  private async markPodsNotReady(nodeName: string): Promise<void> {
    const api = this.ctx.client.resource<Pod>(resources.pods);
    await Promise.all(this.pods.cache.byIndex(nodeIndex, nodeName).map(async (pod) => {
      const conditions = pod.status?.conditions ?? [];
      const ready = conditions.find((c) => c.type === 'Ready');
      if (!ready || ready.status === 'False') return;
      const next = conditions.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: rfc3339(this.ctx.clock.now()) } : c));
      try {
        await api.updateStatus({ ...pod, status: { ...pod.status, conditions: next } });
        this.recorder.event(referenceTo(pod, { apiVersion: 'v1', kind: 'Pod' }), 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }));
  }

  /** Adds, swaps or (for 'True') removes the not-ready/unreachable NoExecute taint. */
  private async setNoExecuteTaint(name: string, readyStatus: string): Promise<void> {
    await this.updateTaints(name, (node) => withNoExecuteTaint(node, readyStatus, this.ctx.clock.now()));
  }

  /** The NoSchedule taints a node's conditions call for (on every node change). */
  async noSchedulePass(name: string): Promise<void> {
    await this.updateTaints(name, (node) => reconcileNoScheduleTaints(node, this.ctx.clock.now()));
  }

  private async updateTaints(name: string, change: (node: Node) => Taint[] | undefined): Promise<void> {
    const api = this.ctx.client.resource<Node>(resources.nodes);
    let node = this.nodes.cache.get(name);
    for (let attempt = 0; node && attempt < 5; attempt++) {
      const taints = change(node);
      if (!taints) return;
      try {
        await api.update({ ...node, spec: { ...node.spec, taints: taints.length ? taints : undefined } });
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err)) throw err;
        node = await api.get('', name).catch(() => undefined);
      }
    }
  }
}
