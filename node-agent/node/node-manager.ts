// The node's life in the API, as kubelet keeps it: register (or take over) the Node, renew its
// Lease in kube-node-lease every 10 s, re-check the status every 10 s and post it when it
// changed (or every 5 minutes), and follow spec.podCIDR, which the server's node IPAM sets.
import { nodeIdentity } from './node-identity.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { logger } from '../../lib/log.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../lib/client/api-error.js';
import { Informer, listWatch } from '../../lib/client/informer.js';
import type { KubeClient, ResourceClient } from '../../lib/client/rest-client.js';
import { resources } from '../../lib/client/resource-types.js';
import { microTime, type Lease, type Node } from '../../lib/client/types.js';
import { conditionStatus, type CriClient } from '../cri/index.js';
import { readHostInfo, type HostInfo } from './host-info.js';
import { allocatable, nextConditions, nodeObject, nodeStatus, statusChanged, wantedConditions, type Health, type NodeFacts } from './node-status.js';

const log = logger('node');

export interface NodeManagerOptions {
  client: KubeClient;
  cri: CriClient;
  name: string;
  dataDir: string;
  nodeIP?: string;
  kubeletVersion: string;
  kubeletPort: number;
  labels: Record<string, string>;
  statusUpdateMs: number;
  /** Status is posted at least this often even when unchanged (kubelet: 5 min). */
  statusReportMs?: number;
  leaseDurationSeconds: number;
  /** Records an event about the node (Starting, NodeReady, ...), as kubelet does. */
  event?(type: 'Normal' | 'Warning', reason: string, message: string): void;
}

/** The event kubelet records when a condition takes a status (NodeHasSufficientMemory, NodeNotReady, ...). */
export function conditionEventReason(type: string, status: string): string {
  const byType: Record<string, [string, string]> = {
    MemoryPressure: ['NodeHasInsufficientMemory', 'NodeHasSufficientMemory'],
    DiskPressure: ['NodeHasDiskPressure', 'NodeHasNoDiskPressure'],
    PIDPressure: ['NodeHasInsufficientPID', 'NodeHasSufficientPID'],
    Ready: ['NodeReady', 'NodeNotReady'],
  };
  const pair = byType[type];
  if (!pair) return '';
  return status === 'True' ? pair[0] : pair[1];
}

export class NodeManager {
  private readonly nodes: ResourceClient<Node>;
  private readonly leases: ResourceClient<Lease>;
  readonly informer: Informer<Node>;
  private info!: HostInfo;
  private runtimeVersion = '';
  private lease: Lease | undefined;
  private lastReport = 0;
  private timers: NodeJS.Timeout[] = [];
  private readonly cidrListeners: Array<(cidr: string) => void> = [];
  private lastCidr = '';
  private nodeUid: string | undefined;
  /** Condition statuses last reported, to record an event when one changes. */
  private readonly reported = new Map<string, string>();

  constructor(private readonly opts: NodeManagerOptions & { kubeletPort: number }) {
    this.nodes = opts.client.resource<Node>(resources.nodes);
    this.leases = opts.client.resource<Lease>(resources.leases);
    this.informer = new Informer(listWatch(this.nodes, { fieldSelector: `metadata.name=${opts.name}` }), { name: 'node' });
    this.informer.on({ add: (n) => this.observe(n), update: (_, n) => this.observe(n) });
  }

  private id: string | undefined;

  /** This agent's identity; none when its data dir cannot hold one (it is then not checked). */
  private nodeId(): string | undefined {
    try {
      return (this.id ??= nodeIdentity(this.opts.dataDir));
    } catch {
      return undefined;
    }
  }

  /** The port the agent's server really got (daemonEndpoints). */
  setKubeletPort(port: number): void {
    this.opts.kubeletPort = port;
  }

  get host(): HostInfo {
    return this.info;
  }

  hostIPs(): string[] {
    return [this.info.internalIP];
  }

  allocatable(): Record<string, string> {
    return allocatable(this.info);
  }

  node(): Node | undefined {
    return this.informer.cache.get(this.opts.name);
  }

  /** The Node's UID once registered (mirror pods are owned by it). */
  uid(): string | undefined {
    return this.node()?.metadata?.uid ?? this.nodeUid;
  }

  /** Called with the node's pod CIDR whenever it is set or changes. */
  onPodCIDR(fn: (cidr: string) => void): void {
    this.cidrListeners.push(fn);
    if (this.lastCidr) fn(this.lastCidr);
  }

  private observe(n: Node): void {
    const cidr = n.spec?.podCIDR ?? '';
    if (cidr && cidr !== this.lastCidr) {
      this.lastCidr = cidr;
      for (const fn of this.cidrListeners) fn(cidr);
    }
  }

  /** Reads the host's facts (no API needed): pods are sized with them before the node registers. */
  async refreshFacts(): Promise<void> {
    await this.facts();
  }

  private async facts(): Promise<NodeFacts> {
    this.info = await readHostInfo(this.opts.dataDir, this.opts.nodeIP);
    if (!this.runtimeVersion) {
      const v = await this.opts.cri.runtime.version();
      this.runtimeVersion = `${v.runtime_name}://${v.runtime_version}`;
    }
    const images = (await this.opts.cri.image.listImages().catch(() => [])).map((i) => ({
      names: [...i.repo_digests, ...i.repo_tags], sizeBytes: Number(i.size),
    }));
    return {
      name: this.opts.name, host: this.info, kubeletVersion: this.opts.kubeletVersion, containerRuntimeVersion: this.runtimeVersion,
      kubeletPort: this.opts.kubeletPort, labels: this.opts.labels, images, nodeId: this.nodeId(),
    };
  }

  /** kubelet's runtime health check: RuntimeReady and NetworkReady from CRI Status. */
  private async health(): Promise<Health> {
    try {
      const st = await this.opts.cri.runtime.status(false, { timeoutMs: 5000 });
      if (!conditionStatus(st, 'RuntimeReady')) return { runtimeReady: false, notReadyMessage: 'container runtime status check may not have completed yet' };
      if (!conditionStatus(st, 'NetworkReady')) {
        const c = st.status?.conditions.find((x) => x.type === 'NetworkReady');
        return { runtimeReady: false, notReadyMessage: `container runtime network not ready: NetworkReady=false reason:${c?.reason ?? ''} message:${c?.message ?? ''}` };
      }
      return { runtimeReady: true };
    } catch {
      return { runtimeReady: false, notReadyMessage: 'container runtime is down' };
    }
  }

  /** Creates the Node, or takes over an existing one (labels and status refreshed). */
  async register(signal: AbortSignal): Promise<void> {
    const f = await this.facts();
    const conditions = nextConditions(undefined, wantedConditions(this.info, await this.health()), Date.now());
    const want = nodeObject(f, conditions);
    this.opts.event?.('Normal', 'Starting', 'Starting kubelet.');
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        this.nodeUid = (await this.nodes.create(want)).metadata?.uid;
        log.info({ node: this.opts.name }, 'node registered');
        break;
      } catch (err) {
        if (isAlreadyExists(err)) {
          const cur = await this.nodes.get('', this.opts.name);
          this.nodeUid = cur.metadata?.uid;
          await this.nodes.patch('', this.opts.name, { metadata: { labels: want.metadata?.labels, annotations: want.metadata?.annotations } }, 'strategic');
          const status = nodeStatus(f, nextConditions(cur.status?.conditions, wantedConditions(this.info, await this.health()), Date.now()));
          await this.nodes.patch('', this.opts.name, { status }, 'strategic', { subresource: 'status' });
          log.info({ node: this.opts.name }, 'node already registered: taking it over');
          break;
        }
        log.warn({ err: (err as Error).message, attempt }, 'node registration failed: retrying');
        await sleep(Math.min(7000, 200 * 2 ** attempt), undefined, { signal }).catch(() => undefined);
      }
    }
    this.lastReport = Date.now();
    this.recordTransitions(conditions);
    this.opts.event?.('Normal', 'NodeAllocatableEnforced', 'Updated Node Allocatable limit across pods');
    await this.renewLease().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'lease renewal failed'));
  }

  private recordTransitions(conditions: { type: string; status: string }[]): void {
    for (const c of conditions) {
      if (this.reported.get(c.type) === c.status) continue;
      this.reported.set(c.type, c.status);
      const reason = conditionEventReason(c.type, c.status);
      if (reason) this.opts.event?.('Normal', reason, `Node ${this.opts.name} status is now: ${reason}`);
    }
  }

  /** Starts the heartbeats and the node watch. */
  start(signal: AbortSignal): Promise<void> {
    const every = (ms: number, fn: () => Promise<void>) => {
      const tick = async () => {
        if (signal.aborted) return;
        try {
          await fn();
        } catch (err) {
          if (!signal.aborted) log.warn({ err: (err as Error).message }, 'node heartbeat failed');
        }
        if (!signal.aborted) this.timers.push(setTimeout(tick, ms).unref());
      };
      this.timers.push(setTimeout(tick, ms).unref());
    };
    every(10_000, () => this.renewLease());
    every(this.opts.statusUpdateMs, () => this.updateStatus(false));
    signal.addEventListener('abort', () => this.timers.forEach(clearTimeout), { once: true });
    return this.informer.run(signal);
  }

  /** Re-reads the node's facts and posts the status when it changed or is due. */
  async updateStatus(force: boolean): Promise<void> {
    const m = process.memoryUsage();
    log.debug({ rssMiB: +(m.rss / 1048576).toFixed(1), heapUsedMiB: +(m.heapUsed / 1048576).toFixed(1), heapTotalMiB: +(m.heapTotal / 1048576).toFixed(1), externalMiB: +(m.external / 1048576).toFixed(1), arrayBuffersMiB: +(m.arrayBuffers / 1048576).toFixed(1) }, 'agent memory');
    const f = await this.facts();
    const cur = this.node() ?? (await this.nodes.get('', this.opts.name));
    const status = nodeStatus(f, nextConditions(cur.status?.conditions, wantedConditions(this.info, await this.health()), Date.now()));
    const due = Date.now() - this.lastReport >= (this.opts.statusReportMs ?? 300_000);
    if (!force && !due && !statusChanged(cur.status, status)) return;
    await this.nodes.patch('', this.opts.name, { status }, 'strategic', { subresource: 'status' });
    this.lastReport = Date.now();
    this.recordTransitions(status.conditions ?? []);
  }

  /** Renews the node's Lease (creating it the first time), as kubelet does. */
  async renewLease(): Promise<void> {
    const spec = { holderIdentity: this.opts.name, leaseDurationSeconds: this.opts.leaseDurationSeconds, renewTime: microTime(Date.now()) };
    if (this.lease) {
      try {
        this.lease = await this.leases.update({ ...this.lease, spec: { ...this.lease.spec, ...spec } });
        return;
      } catch (err) {
        if (!isConflict(err) && !isNotFound(err)) throw err;
      }
    }
    try {
      const existing = await this.leases.get('kube-node-lease', this.opts.name);
      this.lease = await this.leases.update({ ...existing, spec: { ...existing.spec, ...spec } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      const node = await this.nodes.get('', this.opts.name);
      this.lease = await this.leases.create({
        metadata: {
          name: this.opts.name, namespace: 'kube-node-lease',
          ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.opts.name, uid: node.metadata?.uid ?? '' }],
        },
        spec: { ...spec, acquireTime: spec.renewTime },
      });
    }
  }

  /** The node's pod CIDR once the server assigned one, or undefined after `timeoutMs`. */
  async waitForPodCIDR(timeoutMs: number, signal: AbortSignal): Promise<string | undefined> {
    if (this.lastCidr) return this.lastCidr;
    return new Promise((resolve) => {
      const done = (v: string | undefined) => {
        clearTimeout(t);
        signal.removeEventListener('abort', abort);
        resolve(v);
      };
      const abort = () => done(undefined);
      const t = setTimeout(() => done(undefined), timeoutMs);
      signal.addEventListener('abort', abort, { once: true });
      this.cidrListeners.push((c) => done(c));
    });
  }
}
