// PodTopologySpread: DoNotSchedule constraints filter nodes whose domain would exceed maxSkew;
// ScheduleAnyway constraints score emptier domains higher.
import { firstUntolerated } from '../tolerations.js';
import type { NodeView, PodInfo, SpreadConstraint } from '../types.js';
import { maxNodeScore, unresolvable, unschedulable, type ClusterView, type Plugin } from './plugin.js';

const pair = (key: string, value: string) => `${key}=${value}`;

/** Whether a node's pods count toward a constraint's domains (node inclusion policies). */
function nodeCounts(c: SpreadConstraint, pod: PodInfo, node: NodeView): boolean {
  if (c.honorNodeAffinity && !pod.matchesNodeSelector(node.node)) return false;
  if (c.honorNodeTaints && firstUntolerated(node.taints, pod.tolerations, ['NoSchedule', 'NoExecute'])) return false;
  return true;
}

function matchingPods(c: SpreadConstraint, pod: PodInfo, node: NodeView): number {
  if (c.controllerUID) return node.liveByController.get(c.controllerUID) ?? 0;
  let n = 0;
  for (const e of node.pods.values()) {
    if (e.namespace === pod.namespace && !e.pod.metadata?.deletionTimestamp && c.matches(e)) n++;
  }
  return n;
}

interface FilterState {
  constraints: SpreadConstraint[];
  counts: Map<string, number>;
  /** Per constraint: the smallest count among its domains. */
  minMatch: number[];
}

export const podTopologySpread: Plugin = {
  name: 'PodTopologySpread',
  weight: 2,
  preFilter(pod, cluster: ClusterView): FilterState | undefined {
    const constraints = pod.spread.filter((c) => c.whenUnsatisfiable === 'DoNotSchedule');
    if (constraints.length === 0) return undefined;
    const counts = new Map<string, number>();
    const domains = constraints.map(() => new Set<string>());
    for (const node of cluster.nodes) {
      // A node counts only if it has every constraint's key.
      if (!constraints.every((c) => node.labels[c.topologyKey] !== undefined)) continue;
      constraints.forEach((c, i) => {
        if (!nodeCounts(c, pod, node)) return;
        const p = pair(c.topologyKey, node.labels[c.topologyKey]);
        domains[i].add(p);
        counts.set(p, (counts.get(p) ?? 0) + matchingPods(c, pod, node));
      });
    }
    const minMatch = constraints.map((c, i) => {
      if (c.minDomains !== undefined && domains[i].size < c.minDomains) return 0;
      let min = Infinity;
      for (const p of domains[i]) min = Math.min(min, counts.get(p) ?? 0);
      return min === Infinity ? 0 : min;
    });
    return { constraints, counts, minMatch };
  },
  filter(pod, node, raw) {
    const state = raw as FilterState | undefined;
    if (!state) return undefined;
    for (let i = 0; i < state.constraints.length; i++) {
      const c = state.constraints[i];
      const value = node.labels[c.topologyKey];
      if (value === undefined) {
        return unresolvable('PodTopologySpread', "node(s) didn't match pod topology spread constraints (missing required label)");
      }
      const self = c.matches(pod) ? 1 : 0;
      const skew = (state.counts.get(pair(c.topologyKey, value)) ?? 0) + self - state.minMatch[i];
      if (skew > c.maxSkew) return unschedulable('PodTopologySpread', "node(s) didn't match pod topology spread constraints");
    }
    return undefined;
  },
  preScore(pod, feasible, cluster): ScoreState | undefined {
    // A pod without constraints of its own gets the system defaults, which skip nodes lacking a key.
    const systemDefaulted = pod.spread.length === 0;
    const constraints = systemDefaulted ? pod.defaultSpread : pod.spread.filter((c) => c.whenUnsatisfiable === 'ScheduleAnyway');
    if (constraints.length === 0) return undefined;
    const sizes = constraints.map((c) => new Set(feasible.map((n) => n.labels[c.topologyKey]).filter((v) => v !== undefined)).size);
    const counts = new Map<string, number>();
    for (const node of cluster.nodes) {
      constraints.forEach((c) => {
        const v = node.labels[c.topologyKey];
        if (v === undefined || !nodeCounts(c, pod, node)) return;
        const p = pair(c.topologyKey, v);
        counts.set(p, (counts.get(p) ?? 0) + matchingPods(c, pod, node));
      });
    }
    return { constraints, counts, weights: sizes.map((s) => Math.log(s + 2)), requireAllTopologies: !systemDefaulted };
  },
  score(_pod, node, raw) {
    const state = raw as ScoreState | undefined;
    if (!state) return 0;
    let score = 0;
    for (let i = 0; i < state.constraints.length; i++) {
      const c = state.constraints[i];
      const v = node.labels[c.topologyKey];
      if (v === undefined) {
        if (state.requireAllTopologies) return invalidScore;
        continue;
      }
      score += ((state.counts.get(pair(c.topologyKey, v)) ?? 0) + c.maxSkew - 1) * state.weights[i];
    }
    return Math.round(score);
  },
  normalize(scores, raw) {
    if (!raw) return;
    let min = Infinity;
    let max = 0;
    for (const s of scores) {
      if (s === invalidScore) continue;
      min = Math.min(min, s);
      max = Math.max(max, s);
    }
    for (let i = 0; i < scores.length; i++) {
      if (scores[i] === invalidScore) scores[i] = 0;
      else if (max === 0) scores[i] = maxNodeScore;
      else scores[i] = Math.trunc((maxNodeScore * (max + min - scores[i])) / max);
    }
  },
};

interface ScoreState {
  constraints: SpreadConstraint[];
  counts: Map<string, number>;
  weights: number[];
  /** Explicit constraints score nodes without every key as 0; system defaults just skip the key. */
  requireAllTopologies: boolean;
}

/** Nodes lacking a constraint's key are scored 0. */
const invalidScore = -1;
