// NodeResourcesFit (filter: requests against allocatable and the pod count; score:
// LeastAllocated) and NodeResourcesBalancedAllocation, as in kube-scheduler's default profile.
import type { NodeView, PodInfo } from '../types.js';
import { maxNodeScore, unschedulable, type Plugin } from './plugin.js';

/**
 * What the pod lacks on the node (empty when it fits). In Kubernetes 1.32 a shortage is always
 * Unschedulable (preemption is tried), even when the pod asks for more than the node has at all.
 */
export function insufficientResources(pod: PodInfo, node: NodeView): string[] {
  const out: string[] = [];
  if (node.pods.size + 1 > node.allowedPods) out.push('Too many pods');
  const r = pod.requests;
  const a = node.allocatable;
  const used = node.requested;
  const check = (name: string, want: number, have: number, inUse: number) => {
    if (want > 0 && want > have - inUse) out.push(`Insufficient ${name}`);
  };
  check('cpu', r.milliCPU, a.milliCPU, used.milliCPU);
  check('memory', r.memory, a.memory, used.memory);
  check('ephemeral-storage', r.ephemeralStorage, a.ephemeralStorage, used.ephemeralStorage);
  for (const [name, want] of Object.entries(r.scalar)) check(name, want, a.scalar[name] ?? 0, used.scalar[name] ?? 0);
  return out;
}

export const nodeResourcesFit: Plugin = {
  name: 'NodeResourcesFit',
  weight: 1,
  filter(pod, node) {
    const short = insufficientResources(pod, node);
    return short.length ? unschedulable('NodeResourcesFit', ...short) : undefined;
  },
  score(pod, node) {
    // LeastAllocated over cpu and memory (equal weights), with the defaults for missing requests.
    const cpu = leastRequested(node.nonZeroRequested.milliCPU + pod.nonZero.milliCPU, node.allocatable.milliCPU);
    const mem = leastRequested(node.nonZeroRequested.memory + pod.nonZero.memory, node.allocatable.memory);
    return Math.trunc((cpu + mem) / 2);
  },
};

function leastRequested(requested: number, capacity: number): number {
  if (capacity <= 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * maxNodeScore) / capacity);
}

export const balancedAllocation: Plugin = {
  name: 'NodeResourcesBalancedAllocation',
  weight: 1,
  score(pod, node) {
    const a = node.allocatable;
    if (a.milliCPU <= 0 || a.memory <= 0) return 0;
    const cpu = Math.min(1, (node.requested.milliCPU + pod.requests.milliCPU) / a.milliCPU);
    const mem = Math.min(1, (node.requested.memory + pod.requests.memory) / a.memory);
    // The standard deviation of two fractions is half their distance.
    const std = Math.abs(cpu - mem) / 2;
    return Math.trunc((1 - std) * maxNodeScore);
  },
};
