// The simulated kubelet (a load and test tool, like kwok): registers one or many Nodes, renews
// their Leases, and plays the kubelet's part on paper for pods bound to them: addresses from
// the node's pod CIDR, containers running and ready, Job-style pods finishing, deletion honoured.
// No containers run. One cluster-wide pod watch serves every simulated node (a field-selected
// watch per node would be 500 watches at --count 500).
import { setMaxListeners } from 'node:events';
import { logger } from '../../lib/log.js';
import { isConflict, isNotFound, isAlreadyExists } from '../../lib/client/api-error.js';
import { realClock, type Clock, type TimerHandle } from '../../lib/client/clock.js';
import { runController } from '../../lib/client/controller.js';
import { Informer, listWatch, stripManagedFields } from '../../lib/client/informer.js';
import type { KubeClient, ResourceClient } from '../../lib/client/rest-client.js';
import { resources } from '../../lib/client/resource-types.js';
import { microTime, objectKey, type Lease, type Node, type Pod } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import { IpPool } from './ip-pool.js';
import { needsStatusUpdate, nextConditions, nodeObject, simulatedNodeIP, type NodeShape } from './node-object.js';
import { finishedStatus, runningStatus } from './pod-status.js';

const log = logger('simulated-agent');

/** Per-pod overrides: how long a run-to-completion pod runs, and the exit code it finishes with. */
export const runSecondsAnnotation = 'k8ts.io/simulated-run-seconds';
export const exitCodeAnnotation = 'k8ts.io/simulated-exit-code';

export interface SimulatedAgentOptions {
  client: KubeClient;
  nodeNames: string[];
  shape: Omit<NodeShape, 'internalIP'>;
  /** InternalIP for a single node (default: a stable fake address per name). */
  nodeIP?: string;
  /** How long pods with restartPolicy Never/OnFailure run before they succeed (ms). */
  runMs: number;
  /** Delay between a pod's deletion and its containers stopping, capped by its grace period (ms). */
  terminationMs: number;
  /** Lease renewal and status check interval (the kubelet's 10 s). */
  heartbeatMs?: number;
  /** Status is re-posted at least this often even when nothing changed (the kubelet's 5 min). */
  statusReportMs?: number;
  leaseDurationSeconds?: number;
  /** Parallel pod status writers. */
  workers?: number;
  clock?: Clock;
}

interface NodeState {
  name: string;
  ip: string;
  pool?: IpPool;
  lease?: Lease;
  lastStatusReport: number;
  timer?: TimerHandle;
}

export class SimulatedAgent {
  private readonly clock: Clock;
  private readonly nodes = new Map<string, NodeState>();
  private readonly podIPs = new Map<string, { node: string; ip: string }>();
  private readonly nodeApi: ResourceClient<Node>;
  private readonly podApi: ResourceClient<Pod>;
  private readonly leaseApi: ResourceClient<Lease>;
  private readonly podInformer: Informer<Pod>;
  private readonly nodeInformer: Informer<Node>;
  private readonly queue: WorkQueue<string>;
  private readonly stopper = new AbortController();
  private readonly runs: Promise<void>[] = [];

  constructor(private readonly opts: SimulatedAgentOptions) {
    this.clock = opts.clock ?? realClock;
    this.nodeApi = opts.client.resource<Node>(resources.nodes);
    this.podApi = opts.client.resource<Pod>(resources.pods);
    this.leaseApi = opts.client.resource<Lease>(resources.leases);
    this.queue = new WorkQueue<string>(this.clock);
    setMaxListeners(0, this.stopper.signal);
    for (const name of opts.nodeNames) {
      const ip = opts.nodeNames.length === 1 && opts.nodeIP ? opts.nodeIP : simulatedNodeIP(name);
      this.nodes.set(name, { name, ip, lastStatusReport: 0 });
    }
    this.podInformer = new Informer(listWatch(this.podApi), { name: 'pods', clock: this.clock, transform: stripManagedFields });
    this.nodeInformer = new Informer(listWatch(this.nodeApi), { name: 'nodes', clock: this.clock, transform: stripManagedFields });
  }

  /** Registers the nodes and starts heartbeats and the pod loop. */
  async start(): Promise<void> {
    const signal = this.stopper.signal;
    await parallel([...this.nodes.values()], 16, (n) => this.register(n));
    this.nodeInformer.on({
      add: (n) => this.observeNode(n),
      update: (_, n) => this.observeNode(n),
    });
    this.podInformer.on({
      add: (p) => this.enqueue(p),
      update: (_, p) => this.enqueue(p),
      delete: (p) => this.queue.add(objectKey(p)),
    });
    this.runs.push(this.nodeInformer.run(signal), this.podInformer.run(signal));
    await this.nodeInformer.waitForSync(signal);
    this.runs.push(runController({
      name: 'simulated-agent', queue: this.queue, workers: this.opts.workers ?? 64, signal,
      waitFor: [this.podInformer, this.nodeInformer], sync: (key) => this.syncPod(key),
    }));
    const heartbeat = this.opts.heartbeatMs ?? 10_000;
    for (const n of this.nodes.values()) this.scheduleHeartbeat(n, Math.random() * heartbeat);
    log.info({ nodes: this.nodes.size }, 'simulated nodes registered');
  }

  async stop(): Promise<void> {
    this.stopper.abort();
    for (const n of this.nodes.values()) n.timer?.cancel();
    await Promise.allSettled(this.runs);
  }

  /** Names of the simulated nodes. */
  get nodeNames(): string[] {
    return [...this.nodes.keys()];
  }

  private shape(n: NodeState): NodeShape {
    return { ...this.opts.shape, internalIP: n.ip };
  }

  private async register(n: NodeState): Promise<void> {
    try {
      await this.nodeApi.create(nodeObject(n.name, this.shape(n), this.clock.now()));
      log.debug({ node: n.name }, 'registered node');
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      // Registered before (an agent restart): take the node over and report it healthy.
      await this.postStatus(n);
    }
    n.lastStatusReport = this.clock.now();
    await this.renewLease(n);
  }

  private observeNode(node: Node): void {
    const n = this.nodes.get(node.metadata?.name ?? '');
    if (!n) return;
    const cidr = node.spec?.podCIDR;
    if (cidr && n.pool?.cidr !== cidr) {
      n.pool = new IpPool(cidr);
      // Pods waiting for an address can go now.
      for (const p of this.podInformer.cache.list()) if (p.spec?.nodeName === n.name) this.queue.add(objectKey(p));
    }
  }

  private scheduleHeartbeat(n: NodeState, delay: number): void {
    if (this.stopper.signal.aborted) return;
    n.timer = this.clock.setTimer(async () => {
      try {
        await this.renewLease(n);
        const node = this.nodeInformer.cache.get(n.name);
        const due = this.clock.now() - n.lastStatusReport >= (this.opts.statusReportMs ?? 300_000);
        if (node && (due || needsStatusUpdate(node.status?.conditions))) await this.postStatus(n);
      } catch (err) {
        if (!this.stopper.signal.aborted) log.warn({ node: n.name, err: (err as Error).message }, 'heartbeat failed');
      }
      this.scheduleHeartbeat(n, this.opts.heartbeatMs ?? 10_000);
    }, delay);
  }

  private async postStatus(n: NodeState): Promise<void> {
    const cur = this.nodeInformer.cache.get(n.name);
    const want = nodeObject(n.name, this.shape(n), this.clock.now());
    const status = { ...want.status, conditions: nextConditions(cur?.status?.conditions, this.clock.now()) };
    await this.nodeApi.patch('', n.name, { status }, 'strategic', { subresource: 'status' });
    n.lastStatusReport = this.clock.now();
  }

  /** Renews the node's Lease in kube-node-lease (creating it the first time), as the kubelet does. */
  private async renewLease(n: NodeState): Promise<void> {
    const now = microTime(this.clock.now());
    const spec = { holderIdentity: n.name, leaseDurationSeconds: this.opts.leaseDurationSeconds ?? 40, renewTime: now };
    try {
      if (n.lease) {
        n.lease = await this.leaseApi.update({ ...n.lease, spec: { ...n.lease.spec, ...spec } });
        return;
      }
    } catch (err) {
      if (!isConflict(err) && !isNotFound(err)) throw err;
      n.lease = undefined;
    }
    try {
      const existing = await this.leaseApi.get('kube-node-lease', n.name);
      n.lease = await this.leaseApi.update({ ...existing, spec: { ...existing.spec, ...spec } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      const node = await this.nodeApi.get('', n.name);
      n.lease = await this.leaseApi.create({
        metadata: {
          name: n.name, namespace: 'kube-node-lease',
          ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: n.name, uid: node.metadata?.uid ?? '' }],
        },
        spec,
      });
    }
  }

  private enqueue(pod: Pod): void {
    const node = pod.spec?.nodeName;
    if (node && this.nodes.has(node)) this.queue.add(objectKey(pod));
  }

  private async syncPod(key: string): Promise<void> {
    const pod = this.podInformer.cache.get(key);
    if (!pod) {
      this.releaseIP(key);
      return;
    }
    const n = this.nodes.get(pod.spec?.nodeName ?? '');
    if (!n) return;
    const phase = pod.status?.phase;
    const terminal = phase === 'Succeeded' || phase === 'Failed';
    if (pod.metadata?.deletionTimestamp) return this.terminate(pod, key, terminal);
    if (terminal) {
      this.releaseIP(key);
      return;
    }
    const running = phase === 'Running' && !!pod.status?.podIP;
    const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    if (!running || !ready) {
      const ip = this.addressFor(pod, n, key);
      if (!ip) {
        // No pod CIDR yet (node IPAM has not run) or the range is full: try again shortly.
        this.queue.addAfter(key, 1000);
        return;
      }
      await this.writeStatus(pod, runningStatus(pod, { hostIP: n.ip, podIP: ip, now: this.clock.now() }));
      return;
    }
    this.claimExisting(pod, n, key);
    const restartPolicy = pod.spec?.restartPolicy ?? 'Always';
    if (restartPolicy === 'Always') return;
    const runMs = annotationNumber(pod, runSecondsAnnotation, this.opts.runMs / 1000) * 1000;
    const started = Date.parse(pod.status?.startTime ?? '') || this.clock.now();
    const wait = started + runMs - this.clock.now();
    if (wait > 0) {
      this.queue.addAfter(key, wait);
      return;
    }
    await this.writeStatus(pod, finishedStatus(pod, annotationNumber(pod, exitCodeAnnotation, 0), this.clock.now()));
  }

  /** The kubelet's part of deletion: stop the containers, then remove the pod for good. */
  private async terminate(pod: Pod, key: string, terminal: boolean): Promise<void> {
    const grace = (pod.metadata?.deletionGracePeriodSeconds ?? 0) * 1000;
    const deletedAt = Date.parse(pod.metadata?.deletionTimestamp ?? '') - grace;
    const wait = Math.min(this.opts.terminationMs, grace) - (this.clock.now() - (deletedAt || this.clock.now()));
    if (wait > 0) {
      this.queue.addAfter(key, wait);
      return;
    }
    if (!terminal) await this.writeStatus(pod, finishedStatus(pod, 0, this.clock.now()));
    try {
      await this.podApi.delete(pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', {
        gracePeriodSeconds: 0, preconditions: { uid: pod.metadata?.uid },
      });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
    this.releaseIP(key);
  }

  private addressFor(pod: Pod, n: NodeState, key: string): string | undefined {
    if (pod.spec?.hostNetwork) return n.ip;
    const held = this.podIPs.get(key);
    if (held) return held.ip;
    if (!n.pool) return undefined;
    const existing = pod.status?.podIP;
    const ip = existing && n.pool.claim(existing) ? existing : n.pool.allocate();
    if (ip) this.podIPs.set(key, { node: n.name, ip });
    return ip;
  }

  /** After an agent restart, pods that already run keep their addresses. */
  private claimExisting(pod: Pod, n: NodeState, key: string): void {
    if (this.podIPs.has(key) || pod.spec?.hostNetwork || !n.pool || !pod.status?.podIP) return;
    if (n.pool.claim(pod.status.podIP)) this.podIPs.set(key, { node: n.name, ip: pod.status.podIP });
  }

  private releaseIP(key: string): void {
    const held = this.podIPs.get(key);
    if (!held) return;
    this.podIPs.delete(key);
    this.nodes.get(held.node)?.pool?.release(held.ip);
  }

  private async writeStatus(pod: Pod, status: NonNullable<Pod['status']>): Promise<void> {
    try {
      await this.podApi.patch(pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', { status }, 'merge', { subresource: 'status' });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

function annotationNumber(pod: Pod, name: string, fallback: number): number {
  const v = Number(pod.metadata?.annotations?.[name]);
  return Number.isFinite(v) && pod.metadata?.annotations?.[name] !== undefined ? v : fallback;
}

/** Runs fn over items with at most `limit` in flight. */
async function parallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}
