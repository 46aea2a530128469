// Builders for scheduler unit tests: nodes and pods with just the fields a test cares about.
import type { Node, Pod, Taint, Toleration } from '../../lib/client/types.js';
import { NodeInfo } from './node-info.js';
import { buildPodInfo } from './pod-info.js';
import type { ClusterView } from './plugins/plugin.js';
import type { PodInfo } from './types.js';

export function node(name: string, opts: { cpu?: string; memory?: string; pods?: string; labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean } = {}): Node {
  const alloc = { cpu: opts.cpu ?? '4', memory: opts.memory ?? '8Gi', pods: opts.pods ?? '110' };
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...opts.labels } },
    spec: { taints: opts.taints, unschedulable: opts.unschedulable },
    status: { allocatable: alloc, capacity: alloc },
  };
}

let seq = 0;

export function pod(name: string, opts: {
  cpu?: string; memory?: string; labels?: Record<string, string>; namespace?: string; priority?: number;
  tolerations?: Toleration[]; nodeSelector?: Record<string, string>; spec?: Partial<NonNullable<Pod['spec']>>;
} = {}): PodInfo {
  const requests: Record<string, string> = {};
  if (opts.cpu) requests.cpu = opts.cpu;
  if (opts.memory) requests.memory = opts.memory;
  return buildPodInfo({
    metadata: { name, namespace: opts.namespace ?? 'default', uid: `uid-${name}-${++seq}`, labels: opts.labels },
    spec: {
      containers: [{ name: 'c', image: 'nginx', resources: { requests } }],
      priority: opts.priority, tolerations: opts.tolerations, nodeSelector: opts.nodeSelector, ...opts.spec,
    },
  });
}

/** A NodeInfo with pods placed on it. */
export function nodeInfo(n: Node, ...pods: PodInfo[]): NodeInfo {
  const info = new NodeInfo(n);
  for (const p of pods) info.addPod(p);
  return info;
}

export function cluster(...nodes: NodeInfo[]): ClusterView {
  const podsWithAffinity = nodes.flatMap((n) => [...n.pods.values()]).filter((p) => p.requiredAffinity.length + p.requiredAntiAffinity.length + p.preferredAffinity.length + p.preferredAntiAffinity.length > 0).length;
  return { nodes, podsWithAffinity, namespaceLabels: (ns) => ({ 'kubernetes.io/metadata.name': ns }) };
}
