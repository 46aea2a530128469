// DefaultPreemption, the post-filter that runs when a pod fits nowhere: on nodes where removing
// lower-priority pods would let it fit, find the fewest and least important victims; pick the
// node that costs least. With no such node, explain why in kube-scheduler's words.
import { fitErrorMessage } from './fit-error.js';
import type { NodeInfo } from './node-info.js';
import { filterNode, preFilter } from './profile.js';
import type { ClusterView, Plugin } from './plugins/plugin.js';
import type { FilterStatus, NodeView, PodInfo } from './types.js';

export interface PreemptionOutcome {
  /** The node the pod should wait for, with the pods to evict there. */
  candidate?: { node: string; victims: PodInfo[] };
  /** The "preemption: ..." part of the failure message ('' when a candidate was found). */
  message: string;
}

function startTime(p: PodInfo): number {
  return Date.parse(p.pod.status?.startTime ?? p.pod.metadata?.creationTimestamp ?? '') || 0;
}

/** Higher priority first, then the pod that started earlier. */
function moreImportant(a: PodInfo, b: PodInfo): number {
  return b.priority - a.priority || startTime(a) - startTime(b);
}

export function preempt(
  plugins: readonly Plugin[], pod: PodInfo, cluster: ClusterView, nodes: readonly NodeInfo[], statuses: ReadonlyMap<string, FilterStatus>,
): PreemptionOutcome {
  if (pod.pod.spec?.preemptionPolicy === 'Never') return { message: 'preemption: not eligible due to preemptionPolicy=Never.' };
  const results = new Map<string, FilterStatus>();
  const candidates: Array<{ node: string; victims: PodInfo[] }> = [];
  for (const node of nodes) {
    const status = statuses.get(node.name);
    if (!status) continue;
    if (status.code === 'UnschedulableAndUnresolvable') {
      results.set(node.name, { code: 'UnschedulableAndUnresolvable', reasons: ['Preemption is not helpful for scheduling'], plugin: 'DefaultPreemption' });
      continue;
    }
    const outcome = victimsOn(plugins, pod, cluster, node);
    if ('status' in outcome) results.set(node.name, outcome.status);
    else candidates.push({ node: node.name, victims: outcome.victims });
  }
  if (candidates.length === 0) return { message: `preemption: ${fitErrorMessage(results.size, results.values())}` };
  candidates.sort((a, b) => cost(a.victims) - cost(b.victims) || a.victims.length - b.victims.length);
  return { candidate: candidates[0], message: '' };
}

/** Orders candidates: lowest highest-victim priority, then lowest total priority. */
function cost(victims: PodInfo[]): number {
  const max = Math.max(...victims.map((v) => v.priority));
  const sum = victims.reduce((s, v) => s + v.priority, 0);
  return max * 1e6 + sum / 1e6;
}

function victimsOn(
  plugins: readonly Plugin[], pod: PodInfo, cluster: ClusterView, node: NodeInfo,
): { victims: PodInfo[] } | { status: FilterStatus } {
  const lower = [...node.pods.values()].filter((p) => p.priority < pod.priority);
  if (lower.length === 0) {
    return { status: { code: 'UnschedulableAndUnresolvable', reasons: ['No preemption victims found for incoming pod'], plugin: 'DefaultPreemption' } };
  }
  const trial = node.clone();
  for (const v of lower) trial.removePod(v.key);
  const view: ClusterView = { ...cluster, nodes: cluster.nodes.map((n: NodeView) => (n.name === node.name ? trial : n)) };
  const fits = () => !filterNode(plugins, pod, trial, preFilter(plugins, pod, view));
  if (!fits()) {
    const status = filterNode(plugins, pod, trial, preFilter(plugins, pod, view))!;
    return { status };
  }
  // Give back as many pods as possible, most important first.
  const victims: PodInfo[] = [];
  for (const v of lower.sort(moreImportant)) {
    trial.addPod(v);
    if (!fits()) {
      trial.removePod(v.key);
      victims.push(v);
    }
  }
  return { victims };
}
