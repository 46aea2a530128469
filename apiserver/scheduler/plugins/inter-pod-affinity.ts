// InterPodAffinity: required pod affinity and anti-affinity by topology domain (including the
// anti-affinity of pods already running), and preferred terms as a score.
import { termMatchesPod } from '../pod-info.js';
import type { AffinityTerm, NodeView, PodInfo } from '../types.js';
import { maxNodeScore, unresolvable, unschedulable, type ClusterView, type Plugin } from './plugin.js';

/** Counts per topology pair ("key=value"). */
type Counts = Map<string, number>;

const pair = (key: string, value: string) => `${key}=${value}`;

function bump(counts: Counts, key: string, node: NodeView, by = 1): void {
  const v = node.labels[key];
  if (v === undefined) return;
  const p = pair(key, v);
  counts.set(p, (counts.get(p) ?? 0) + by);
}

interface AffinityState {
  /** Domains where a running pod's required anti-affinity forbids the incoming pod. */
  existingAnti: Counts;
  /** Per domain, pods matching all of the incoming pod's required affinity terms. */
  affinity: Counts;
  /** Per domain, pods matching one of the incoming pod's required anti-affinity terms. */
  anti: Counts;
  /** Whether the incoming pod matches its own affinity terms (the first pod of a group may go anywhere). */
  selfMatch: boolean;
}

function hasRequired(p: PodInfo): boolean {
  return p.requiredAffinity.length > 0 || p.requiredAntiAffinity.length > 0;
}

export const interPodAffinity: Plugin = {
  name: 'InterPodAffinity',
  weight: 2,
  preFilter(pod, cluster): AffinityState | undefined {
    if (cluster.podsWithAffinity === 0 && !hasRequired(pod)) return undefined;
    const state: AffinityState = { existingAnti: new Map(), affinity: new Map(), anti: new Map(), selfMatch: false };
    const ns = (n: string) => cluster.namespaceLabels(n);
    let relevant = hasRequired(pod);
    for (const node of cluster.nodes) {
      for (const e of node.pods.values()) {
        for (const t of e.requiredAntiAffinity) {
          if (termMatchesPod(t, pod, ns)) {
            bump(state.existingAnti, t.topologyKey, node);
            relevant = true;
          }
        }
        if (pod.requiredAffinity.length && pod.requiredAffinity.every((t) => termMatchesPod(t, e, ns))) {
          for (const t of pod.requiredAffinity) bump(state.affinity, t.topologyKey, node);
        }
        for (const t of pod.requiredAntiAffinity) if (termMatchesPod(t, e, ns)) bump(state.anti, t.topologyKey, node);
      }
    }
    state.selfMatch = pod.requiredAffinity.every((t) => termMatchesPod(t, pod, ns));
    return relevant ? state : undefined;
  },
  filter(pod, node, raw) {
    const state = raw as AffinityState | undefined;
    if (!state) return undefined;
    if (pod.requiredAffinity.length) {
      const podsExist = pod.requiredAffinity.every((t) => {
        const v = node.labels[t.topologyKey];
        return v !== undefined && (state.affinity.get(pair(t.topologyKey, v)) ?? 0) > 0;
      });
      // No pod matches yet: the group's first pod may go to any node that has the topology keys.
      const firstOfGroup = state.affinity.size === 0 && state.selfMatch && pod.requiredAffinity.every((t) => node.labels[t.topologyKey] !== undefined);
      if (!podsExist && !firstOfGroup) return unresolvable('InterPodAffinity', "node(s) didn't match pod affinity rules");
    }
    for (const t of pod.requiredAntiAffinity) {
      const v = node.labels[t.topologyKey];
      if (v !== undefined && (state.anti.get(pair(t.topologyKey, v)) ?? 0) > 0) {
        return unschedulable('InterPodAffinity', "node(s) didn't match pod anti-affinity rules");
      }
    }
    for (const [key, value] of Object.entries(node.labels)) {
      if ((state.existingAnti.get(pair(key, value)) ?? 0) > 0) {
        return unschedulable('InterPodAffinity', "node(s) didn't satisfy existing pods anti-affinity rules");
      }
    }
    return undefined;
  },
  preScore(pod, _feasible, cluster: ClusterView): Counts | undefined {
    const hasPreferred = pod.preferredAffinity.length > 0 || pod.preferredAntiAffinity.length > 0;
    if (!hasPreferred && cluster.podsWithAffinity === 0) return undefined;
    const scores: Counts = new Map();
    const ns = (n: string) => cluster.namespaceLabels(n);
    const add = (terms: AffinityTerm[], target: PodInfo, node: NodeView, sign: number) => {
      for (const t of terms) if (termMatchesPod(t, target, ns)) bump(scores, t.topologyKey, node, sign * t.weight);
    };
    for (const node of cluster.nodes) {
      for (const e of node.pods.values()) {
        if (hasPreferred) {
          add(pod.preferredAffinity, e, node, 1);
          add(pod.preferredAntiAffinity, e, node, -1);
        }
        // Symmetry: running pods' own terms about the incoming pod count too.
        add(e.requiredAffinity, pod, node, 1);
        add(e.preferredAffinity, pod, node, 1);
        add(e.preferredAntiAffinity, pod, node, -1);
      }
    }
    return scores.size ? scores : undefined;
  },
  score(_pod, node, raw) {
    const scores = raw as Counts | undefined;
    if (!scores) return 0;
    let sum = 0;
    for (const [key, value] of Object.entries(node.labels)) sum += scores.get(pair(key, value)) ?? 0;
    return sum;
  },
  normalize(scores) {
    let min = Infinity;
    let max = -Infinity;
    for (const s of scores) {
      min = Math.min(min, s);
      max = Math.max(max, s);
    }
    const diff = max - min;
    for (let i = 0; i < scores.length; i++) scores[i] = diff > 0 ? Math.trunc((maxNodeScore * (scores[i] - min)) / diff) : 0;
  },
};
