// The default scheduling profile: which plugins run, in kube-scheduler's order, and how one
// scheduling cycle uses them: pre-filter once, filter nodes (stopping at a node's first
// failure), then score the feasible nodes and pick the best, ties broken at random.
import { balancedAllocation, nodeResourcesFit } from './plugins/node-resources.js';
import { imageLocality } from './plugins/image-locality.js';
import { interPodAffinity } from './plugins/inter-pod-affinity.js';
import { nodeAffinity, nodeName, nodePorts, nodeUnschedulable, taintToleration } from './plugins/node-filters.js';
import type { ClusterView, Plugin } from './plugins/plugin.js';
import { podTopologySpread } from './plugins/topology-spread.js';
import { volumeBinding } from './plugins/volume-binding.js';
import type { FilterStatus, NodeView, PodInfo } from './types.js';

/** Filter order and score weights of kube-scheduler's default profile. */
export const defaultPlugins: Plugin[] = [
  nodeUnschedulable, nodeName, taintToleration, nodeAffinity, nodePorts, nodeResourcesFit,
  volumeBinding, podTopologySpread, interPodAffinity, balancedAllocation, imageLocality,
];

export type CycleState = Map<Plugin, unknown>;

export function preFilter(plugins: readonly Plugin[], pod: PodInfo, cluster: ClusterView): CycleState {
  const state: CycleState = new Map();
  for (const p of plugins) if (p.preFilter) state.set(p, p.preFilter(pod, cluster));
  return state;
}

/** The first pre-filter verdict that no node can take the pod, if any. */
export function preFilterRejection(plugins: readonly Plugin[], state: CycleState): string | undefined {
  for (const p of plugins) {
    const why = p.rejects?.(state.get(p));
    if (why) return why;
  }
  return undefined;
}

/** The first filter failure on a node, or undefined when the pod fits. */
export function filterNode(plugins: readonly Plugin[], pod: PodInfo, node: NodeView, state: CycleState): FilterStatus | undefined {
  for (const p of plugins) {
    if (!p.filter) continue;
    const status = p.filter(pod, node, state.get(p));
    if (status) return status;
  }
  return undefined;
}

/**
 * How many feasible nodes to look for before scoring (kube-scheduler's adaptive
 * percentageOfNodesToScore): all of them up to 100 nodes, then a shrinking share, at least 100.
 */
export function numFeasibleNodesToFind(numNodes: number): number {
  if (numNodes < 100) return numNodes;
  const percentage = Math.max(5, 50 - Math.trunc(numNodes / 125));
  return Math.max(100, Math.trunc((numNodes * percentage) / 100));
}

export interface FilterResult {
  feasible: NodeView[];
  /** Why each rejected node was rejected. */
  statuses: Map<string, FilterStatus>;
  /** Where the next cycle starts looking (so nodes take turns). */
  nextStart: number;
}

export function findFeasibleNodes(plugins: readonly Plugin[], pod: PodInfo, cluster: ClusterView, state: CycleState, start: number): FilterResult {
  const nodes = cluster.nodes;
  const want = numFeasibleNodesToFind(nodes.length);
  const feasible: NodeView[] = [];
  const statuses = new Map<string, FilterStatus>();
  let i = 0;
  for (; i < nodes.length && feasible.length < want; i++) {
    const node = nodes[(start + i) % nodes.length];
    const status = filterNode(plugins, pod, node, state);
    if (status) statuses.set(node.name, status);
    else feasible.push(node);
  }
  return { feasible, statuses, nextStart: nodes.length ? (start + i) % nodes.length : 0 };
}

/** Weighted sum of every plugin's normalized score, per feasible node. */
export function scoreNodes(plugins: readonly Plugin[], pod: PodInfo, feasible: readonly NodeView[], cluster: ClusterView): number[] {
  const totals = new Array<number>(feasible.length).fill(0);
  if (feasible.length <= 1) return totals;
  for (const p of plugins) {
    if (!p.score || p.weight === 0) continue;
    const state = p.preScore?.(pod, feasible, cluster);
    const scores = feasible.map((n) => p.score!(pod, n, state));
    p.normalize?.(scores, state);
    for (let i = 0; i < scores.length; i++) totals[i] += scores[i] * p.weight;
  }
  return totals;
}

/** The highest-scoring node; among equals, each is equally likely (reservoir sampling). */
export function selectHost(feasible: readonly NodeView[], scores: readonly number[], random: () => number = Math.random): NodeView {
  let best = 0;
  let ties = 1;
  for (let i = 1; i < feasible.length; i++) {
    if (scores[i] > scores[best]) {
      best = i;
      ties = 1;
    } else if (scores[i] === scores[best]) {
      ties++;
      if (random() * ties < 1) best = i;
    }
  }
  return feasible[best];
}
