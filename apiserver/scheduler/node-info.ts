// A node and the pods on it (bound or assumed), with running totals the filters read:
// requested resources, host ports in use, the images present, and how many live pods each
// controller has here (system default spreading reads that for every pod it scores).
import type { Node } from '../../lib/client/types.js';
import { addResourceList, addResources } from './pod-info.js';
import { emptyResources, type HostPort, type NodeView, type PodInfo, type Resources } from './types.js';

export class NodeInfo implements NodeView {
  node!: Node;
  name = '';
  labels: Record<string, string> = {};
  taints: NodeView['taints'] = [];
  unschedulable = false;
  allocatable: Resources = emptyResources();
  allowedPods = 0;
  images = new Map<string, number>();
  readonly requested: Resources = emptyResources();
  readonly nonZeroRequested = { milliCPU: 0, memory: 0 };
  readonly pods = new Map<string, PodInfo>();
  readonly liveByController = new Map<string, number>();
  usedPorts: HostPort[] = [];

  constructor(node: Node) {
    this.setNode(node);
  }

  setNode(node: Node): void {
    this.node = node;
    this.name = node.metadata?.name ?? '';
    this.labels = node.metadata?.labels ?? {};
    this.taints = node.spec?.taints ?? [];
    this.unschedulable = !!node.spec?.unschedulable;
    const alloc = node.status?.allocatable ?? node.status?.capacity ?? {};
    this.allocatable = emptyResources();
    addResourceList(this.allocatable, alloc);
    this.allowedPods = Number(alloc.pods ?? 0) || 0;
    this.images = new Map();
    for (const img of node.status?.images ?? []) for (const name of img.names ?? []) this.images.set(name, img.sizeBytes ?? 0);
  }

  addPod(p: PodInfo): void {
    if (this.pods.has(p.key)) this.removePod(p.key);
    this.pods.set(p.key, p);
    addResources(this.requested, p.requests);
    this.nonZeroRequested.milliCPU += p.nonZero.milliCPU;
    this.nonZeroRequested.memory += p.nonZero.memory;
    if (p.hostPorts.length) this.usedPorts = [...this.usedPorts, ...p.hostPorts];
    this.countLive(p, 1);
  }

  removePod(key: string): PodInfo | undefined {
    const p = this.pods.get(key);
    if (!p) return undefined;
    this.pods.delete(key);
    addResources(this.requested, p.requests, -1);
    this.nonZeroRequested.milliCPU -= p.nonZero.milliCPU;
    this.nonZeroRequested.memory -= p.nonZero.memory;
    if (p.hostPorts.length) this.usedPorts = [...this.pods.values()].flatMap((x) => x.hostPorts);
    this.countLive(p, -1);
    return p;
  }

  private countLive(p: PodInfo, delta: number): void {
    const uid = p.controllerUID;
    if (!uid || p.pod.metadata?.deletionTimestamp) return;
    const n = (this.liveByController.get(uid) ?? 0) + delta;
    if (n > 0) this.liveByController.set(uid, n);
    else this.liveByController.delete(uid);
  }

  /** A copy whose pods can be changed without touching this one (preemption's what-ifs). */
  clone(): NodeInfo {
    const c = new NodeInfo(this.node);
    for (const p of this.pods.values()) c.addPod(p);
    return c;
  }
}
