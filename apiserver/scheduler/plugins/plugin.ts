// The shape of a scheduling plugin, as kube-scheduler's framework has them: optional
// per-cycle precomputation, a filter per node, and a score per feasible node (normalized to
// 0..100 across nodes, then weighted).
import type { FilterStatus, NodeView, PodInfo } from '../types.js';
import type { StorageView } from './volume-binding.js';

/** The cluster as one scheduling cycle sees it. */
export interface ClusterView {
  nodes: readonly NodeView[];
  /** How many placed pods have (anti-)affinity terms: when none and the incoming pod has none, affinity has nothing to do. */
  podsWithAffinity: number;
  namespaceLabels(namespace: string): Record<string, string> | undefined;
  /** Claims, volumes and classes, for volume binding (absent: pods with claims are not checked). */
  storage?: StorageView;
}

export const maxNodeScore = 100;

export interface Plugin {
  name: string;
  /** Score weight in the default profile (0: filter only). */
  weight: number;
  /** Runs once per cycle before filtering; what it returns is handed to filter(). */
  preFilter?(pod: PodInfo, cluster: ClusterView): unknown;
  /** A pre-filter verdict that no node can take the pod (kube-scheduler's PreFilter Unschedulable). */
  rejects?(state: unknown): string | undefined;
  filter?(pod: PodInfo, node: NodeView, state: unknown): FilterStatus | undefined;
  /** Runs once per cycle before scoring, over the nodes that passed the filters. */
  preScore?(pod: PodInfo, feasible: readonly NodeView[], cluster: ClusterView): unknown;
  score?(pod: PodInfo, node: NodeView, state: unknown): number;
  /** Scales raw scores (in place) to 0..maxNodeScore. */
  normalize?(scores: number[], state: unknown): void;
}

export function unschedulable(plugin: string, ...reasons: string[]): FilterStatus {
  return { code: 'Unschedulable', reasons, plugin };
}

export function unresolvable(plugin: string, ...reasons: string[]): FilterStatus {
  return { code: 'UnschedulableAndUnresolvable', reasons, plugin };
}

/** framework's DefaultNormalizeScore: scale to max; `reverse` makes fewer points better. */
export function defaultNormalize(scores: number[], reverse: boolean): void {
  let max = 0;
  for (const s of scores) max = Math.max(max, s);
  if (max === 0) {
    if (reverse) scores.fill(maxNodeScore);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    const s = Math.trunc((maxNodeScore * scores[i]) / max);
    scores[i] = reverse ? maxNodeScore - s : s;
  }
}
