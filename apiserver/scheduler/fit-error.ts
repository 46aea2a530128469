// The message of an unschedulable pod, word for word as kube-scheduler writes it into the
// PodScheduled condition and the FailedScheduling event:
// "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) were unschedulable. preemption: ..."
import type { FilterStatus } from './types.js';

/** Counts every reason across nodes, sorted as strings ("2 Insufficient cpu"). */
export function reasonHistogram(statuses: Iterable<FilterStatus>): string[] {
  const counts = new Map<string, number>();
  for (const s of statuses) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([r, n]) => `${n} ${r}`).sort();
}

/** With `preFilterMsg` (a pre-filter turned the pod away) the per-node reasons are not repeated. */
export function fitErrorMessage(numAllNodes: number, statuses: Iterable<FilterStatus>, postFilterMsg = '', preFilterMsg = ''): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (preFilterMsg) msg += ` ${preFilterMsg}.`;
  const reasons = preFilterMsg ? [] : reasonHistogram(statuses);
  if (reasons.length) msg += ` ${reasons.join(', ')}.`;
  if (postFilterMsg) msg += ` ${postFilterMsg}.`;
  return msg;
}

/** What the scheduler says when there is no node at all. */
export const noNodesAvailable = 'no nodes available to schedule pods';
