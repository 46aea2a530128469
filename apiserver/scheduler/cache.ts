// The scheduler's picture of the cluster: nodes with the pods bound to them, plus pods it has
// assumed onto a node while their binding is in flight (so the next pod already sees the
// resources as taken). The informer's update confirms an assumption; a failed binding forgets it.
import type { Node } from '../../lib/client/types.js';
import { NodeInfo } from './node-info.js';
import type { PodInfo } from './types.js';

function hasAffinity(p: PodInfo): boolean {
  return p.requiredAffinity.length + p.requiredAntiAffinity.length + p.preferredAffinity.length + p.preferredAntiAffinity.length > 0;
}

export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  private list: NodeInfo[] = [];
  /** Where every known pod is (bound or assumed). */
  private readonly podNode = new Map<string, { node: string; info: PodInfo }>();
  private readonly assumed = new Set<string>();
  /** Pods bound to nodes the cache has not seen (yet): attached when the node appears. */
  private readonly orphans = new Map<string, Map<string, PodInfo>>();
  podsWithAffinity = 0;

  get nodeCount(): number {
    return this.list.length;
  }

  /** Every node, in a stable order. */
  nodeList(): readonly NodeInfo[] {
    return this.list;
  }

  node(name: string): NodeInfo | undefined {
    return this.nodes.get(name);
  }

  setNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    const cur = this.nodes.get(name);
    if (cur) {
      cur.setNode(node);
      return;
    }
    const info = new NodeInfo(node);
    for (const p of this.orphans.get(name)?.values() ?? []) info.addPod(p);
    this.orphans.delete(name);
    this.nodes.set(name, info);
    this.list = [...this.nodes.values()];
  }

  removeNode(name: string): void {
    const info = this.nodes.get(name);
    if (!info) return;
    this.nodes.delete(name);
    this.list = [...this.nodes.values()];
    // Its pods stay known until they are deleted too.
    if (info.pods.size) this.orphans.set(name, new Map(info.pods));
  }

  isAssumed(key: string): boolean {
    return this.assumed.has(key);
  }

  /** Places a pod on a node before its binding is confirmed. */
  assume(info: PodInfo, nodeName: string): void {
    this.place(info, nodeName);
    this.assumed.add(info.key);
  }

  /** A binding failed: take the assumed pod off its node. */
  forget(key: string): void {
    if (!this.assumed.delete(key)) return;
    this.removePod(key);
  }

  /** A bound pod as the API reports it (confirms an assumption). */
  setPod(info: PodInfo, nodeName: string): void {
    this.assumed.delete(info.key);
    this.place(info, nodeName);
  }

  removePod(key: string): void {
    const cur = this.podNode.get(key);
    if (!cur) return;
    this.podNode.delete(key);
    this.assumed.delete(key);
    if (hasAffinity(cur.info)) this.podsWithAffinity--;
    this.nodes.get(cur.node)?.removePod(key);
    this.orphans.get(cur.node)?.delete(key);
  }

  private place(info: PodInfo, nodeName: string): void {
    this.removePod(info.key);
    this.podNode.set(info.key, { node: nodeName, info });
    if (hasAffinity(info)) this.podsWithAffinity++;
    const node = this.nodes.get(nodeName);
    if (node) {
      node.addPod(info);
      return;
    }
    let waiting = this.orphans.get(nodeName);
    if (!waiting) this.orphans.set(nodeName, (waiting = new Map()));
    waiting.set(info.key, info);
  }
}
