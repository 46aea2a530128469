// The Node a simulated kubelet registers and the status it reports: the labels, conditions,
// addresses and nodeInfo a real kubelet would post, with capacity from flags.
import { createHash } from 'node:crypto';
import { rfc3339, type Node, type NodeCondition } from '../../lib/client/types.js';

export interface NodeShape {
  cpu: string;
  memory: string;
  pods: string;
  /** InternalIP reported in status.addresses and as pods' hostIP. */
  internalIP: string;
  kubeletVersion: string;
  /** Extra labels (--node-labels). */
  labels?: Record<string, string>;
}

/** Marks nodes (and lets tools find them) as simulated. */
export const simulatedAnnotation = 'k8ts.io/simulated';

/** A stable fake address in 10.240.0.0/12 for a node name, so repeated runs agree. */
export function simulatedNodeIP(name: string): string {
  const h = createHash('sha256').update(name).digest();
  return `10.${240 + (h[0] & 15)}.${h[1]}.${1 + (h[2] % 254)}`;
}

/** The Node object to register (status included: nodes may set status on create). */
export function nodeObject(name: string, shape: NodeShape, now: number): Node {
  const resources = { cpu: shape.cpu, memory: shape.memory, pods: shape.pods, 'ephemeral-storage': '100Gi', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0' };
  const id = createHash('md5').update(name).digest('hex');
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name,
      labels: {
        'beta.kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64', 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux',
        ...shape.labels,
      },
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        [simulatedAnnotation]: 'true',
      },
    },
    spec: {},
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: healthyConditions(now, now),
      addresses: [{ type: 'InternalIP', address: shape.internalIP }, { type: 'Hostname', address: name }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: id, systemUUID: `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`,
        bootID: id.split('').reverse().join(''),
        kernelVersion: 'simulated', osImage: 'k8ts simulated node', containerRuntimeVersion: 'simulated://1.0.0',
        kubeletVersion: shape.kubeletVersion, kubeProxyVersion: shape.kubeletVersion,
        operatingSystem: 'linux', architecture: 'amd64',
      },
    },
  };
}

/** The conditions of a healthy node, as the kubelet words them. */
export function healthyConditions(heartbeat: number, transition: number): NodeCondition[] {
  const hb = rfc3339(heartbeat);
  const tr = rfc3339(transition);
  const c = (type: string, status: string, reason: string, message: string): NodeCondition =>
    ({ type, status, lastHeartbeatTime: hb, lastTransitionTime: tr, reason, message });
  return [
    c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    c('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

/**
 * The conditions to post now: healthy, keeping each condition's transition time when its
 * status did not change (so a node that recovers shows when it became Ready again).
 */
export function nextConditions(current: NodeCondition[] | undefined, now: number): NodeCondition[] {
  return healthyConditions(now, now).map((want) => {
    const cur = current?.find((c) => c.type === want.type);
    return cur && cur.status === want.status ? { ...want, lastTransitionTime: cur.lastTransitionTime } : want;
  });
}

/** Whether the posted conditions say anything other than healthy (someone marked the node Unknown). */
export function needsStatusUpdate(current: NodeCondition[] | undefined): boolean {
  const want = healthyConditions(0, 0);
  return want.some((w) => current?.find((c) => c.type === w.type)?.status !== w.status);
}
