// The Node object and status a kubelet posts: labels, capacity and allocatable (less kubelet's
// default hard eviction thresholds), conditions with kubelet's reasons and messages, addresses,
// nodeInfo and images. Pure, so what kubectl shows can be tested without a machine.
import { nodeIdAnnotation } from './node-identity.js';
import { rfc3339, type Node, type NodeCondition } from '../../lib/client/types.js';
import type { HostInfo } from './host-info.js';

/** kubelet's default hard eviction thresholds: memory.available<100Mi, nodefs.available<10%, pid available<... (none by default). */
export const EVICTION_MEMORY_BYTES = 100 * 1024 * 1024;
export const EVICTION_NODEFS_FRACTION = 0.1;
export const MAX_PODS = 110;
/** Kubelet reports at most this many images in status.images. */
const MAX_IMAGES = 50;

export interface NodeFacts {
  name: string;
  host: HostInfo;
  kubeletVersion: string;
  /** e.g. containerd://1.6.20~ds1 */
  containerRuntimeVersion: string;
  kubeletPort: number;
  labels: Record<string, string>;
  images: { names: string[]; sizeBytes: number }[];
  /** This agent's identity (node-identity.ts), shown on the Node. */
  nodeId?: string;
}

export interface Health {
  runtimeReady: boolean;
  /** Why the node is not ready (kubelet's message), when it is not. */
  notReadyMessage?: string;
}

const Ki = (bytes: number) => `${Math.floor(bytes / 1024)}Ki`;

export function capacity(h: HostInfo): Record<string, string> {
  return {
    cpu: String(h.cpus), 'ephemeral-storage': Ki(h.diskTotal), 'hugepages-1Gi': '0', 'hugepages-2Mi': '0',
    memory: Ki(h.memoryTotal), pods: String(MAX_PODS),
  };
}

export function allocatable(h: HostInfo): Record<string, string> {
  return {
    cpu: String(h.cpus),
    'ephemeral-storage': String(Math.floor(h.diskTotal * (1 - EVICTION_NODEFS_FRACTION))),
    'hugepages-1Gi': '0', 'hugepages-2Mi': '0',
    memory: Ki(Math.max(0, h.memoryTotal - EVICTION_MEMORY_BYTES)),
    pods: String(MAX_PODS),
  };
}

export function nodeLabels(f: NodeFacts): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': f.host.architecture, 'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': f.host.architecture, 'kubernetes.io/hostname': f.name, 'kubernetes.io/os': 'linux',
    ...f.labels,
  };
}

type Want = Pick<NodeCondition, 'type' | 'status' | 'reason' | 'message'>;

/** The four conditions kubelet owns, from the pressure signals and runtime health. */
export function wantedConditions(h: HostInfo, health: Health): Want[] {
  const memPressure = h.memoryAvailable > 0 && h.memoryAvailable < EVICTION_MEMORY_BYTES;
  const diskPressure = h.diskTotal > 0 && h.diskAvailable < h.diskTotal * EVICTION_NODEFS_FRACTION;
  const pidPressure = h.pidMax > 0 && h.pidsInUse > h.pidMax * 0.9;
  return [
    memPressure
      ? { type: 'MemoryPressure', status: 'True', reason: 'KubeletHasInsufficientMemory', message: 'kubelet has insufficient memory available' }
      : { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
    diskPressure
      ? { type: 'DiskPressure', status: 'True', reason: 'KubeletHasDiskPressure', message: 'kubelet has disk pressure' }
      : { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
    pidPressure
      ? { type: 'PIDPressure', status: 'True', reason: 'KubeletHasInsufficientPID', message: 'kubelet has insufficient PID available' }
      : { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
    health.runtimeReady
      ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }
      : { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: health.notReadyMessage ?? 'container runtime is down' },
  ];
}

/** Conditions to post: heartbeat now, transition time kept while a condition's status stays. */
export function nextConditions(current: NodeCondition[] | undefined, wanted: Want[], now: number): NodeCondition[] {
  const t = rfc3339(now);
  return wanted.map((w) => {
    const cur = current?.find((c) => c.type === w.type);
    const lastTransitionTime = cur && cur.status === w.status && cur.lastTransitionTime ? cur.lastTransitionTime : t;
    return { ...w, lastHeartbeatTime: t, lastTransitionTime };
  });
}

/** Whether the reported status differs from what we would post now (heartbeats aside). */
export function statusChanged(current: Node['status'] | undefined, next: NonNullable<Node['status']>): boolean {
  const strip = (s: Node['status'] | undefined) => JSON.stringify({
    ...s,
    conditions: (s?.conditions ?? []).map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message })),
  });
  return strip(current) !== strip(next);
}

export function nodeStatus(f: NodeFacts, conditions: NodeCondition[]): NonNullable<Node['status']> {
  const h = f.host;
  const images = [...f.images].sort((a, b) => b.sizeBytes - a.sizeBytes).slice(0, MAX_IMAGES);
  return {
    capacity: capacity(h),
    allocatable: allocatable(h),
    conditions,
    addresses: [{ type: 'InternalIP', address: h.internalIP }, { type: 'Hostname', address: f.name }],
    daemonEndpoints: { kubeletEndpoint: { Port: f.kubeletPort } },
    nodeInfo: {
      machineID: h.machineID, systemUUID: h.systemUUID, bootID: h.bootID,
      kernelVersion: h.kernelVersion, osImage: h.osImage, containerRuntimeVersion: f.containerRuntimeVersion,
      kubeletVersion: f.kubeletVersion, kubeProxyVersion: f.kubeletVersion, operatingSystem: 'linux', architecture: h.architecture,
    },
    ...(images.length ? { images } : {}),
  };
}

/** The Node to register: labels, kubelet's annotations, status included. */
export function nodeObject(f: NodeFacts, conditions: NodeCondition[]): Node {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name: f.name,
      labels: nodeLabels(f),
      annotations: {
        ...(f.nodeId ? { [nodeIdAnnotation]: f.nodeId } : {}),
        'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: {},
    status: nodeStatus(f, conditions),
  };
}
