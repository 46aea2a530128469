// The simple per-node plugins of the default profile: NodeUnschedulable, NodeName,
// TaintToleration, NodeAffinity and NodePorts, with kube-scheduler's reasons.
import { firstUntolerated, toleratedBy } from '../tolerations.js';
import type { HostPort } from '../types.js';
import { defaultNormalize, unresolvable, unschedulable, type Plugin } from './plugin.js';

export const nodeUnschedulable: Plugin = {
  name: 'NodeUnschedulable',
  weight: 0,
  filter(pod, node) {
    if (!node.unschedulable) return undefined;
    // Pods tolerating the unschedulable taint may go to cordoned nodes (DaemonSets do).
    if (toleratedBy({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }, pod.tolerations)) return undefined;
    return unresolvable('NodeUnschedulable', 'node(s) were unschedulable');
  },
};

export const nodeName: Plugin = {
  name: 'NodeName',
  weight: 0,
  filter(pod, node) {
    const want = pod.pod.spec?.nodeName;
    if (!want || want === node.name) return undefined;
    return unresolvable('NodeName', "node(s) didn't match the requested node name");
  },
};

export const taintToleration: Plugin = {
  name: 'TaintToleration',
  weight: 3,
  filter(pod, node) {
    const taint = firstUntolerated(node.taints, pod.tolerations, ['NoSchedule', 'NoExecute']);
    if (!taint) return undefined;
    return unresolvable('TaintToleration', `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
  },
  score(pod, node) {
    // Fewer untolerated PreferNoSchedule taints is better.
    const prefer = pod.tolerations.filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    return node.taints.filter((t) => t.effect === 'PreferNoSchedule' && !toleratedBy(t, prefer)).length;
  },
  normalize: (scores) => defaultNormalize(scores, true),
};

export const nodeAffinity: Plugin = {
  name: 'NodeAffinity',
  weight: 2,
  filter(pod, node) {
    if (pod.matchesNodeSelector(node.node)) return undefined;
    return unresolvable('NodeAffinity', "node(s) didn't match Pod's node affinity/selector");
  },
  score(pod, node) {
    let sum = 0;
    for (const t of pod.preferredNodeTerms) if (t.matches(node.node)) sum += t.weight;
    return sum;
  },
  normalize: (scores) => defaultNormalize(scores, false),
};

/** Two host ports conflict on the same protocol and port when either listens on all addresses. */
export function portsConflict(a: HostPort, b: HostPort): boolean {
  if (a.port !== b.port || a.protocol !== b.protocol) return false;
  return a.ip === b.ip || a.ip === '0.0.0.0' || b.ip === '0.0.0.0';
}

export const nodePorts: Plugin = {
  name: 'NodePorts',
  weight: 0,
  filter(pod, node) {
    if (pod.hostPorts.length === 0) return undefined;
    for (const want of pod.hostPorts) {
      if (node.usedPorts.some((used) => portsConflict(want, used))) {
        return unschedulable('NodePorts', "node(s) didn't have free ports for the requested pod ports");
      }
    }
    return undefined;
  },
};
