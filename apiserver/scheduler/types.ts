// The scheduler's vocabulary: resource vectors, a pod's facts computed once (PodInfo), a
// node's running totals (NodeInfo), and the status a filter returns.
import type { Node, Pod, Taint, Toleration } from '../../lib/client/types.js';
import type { LabelSelector } from '../api/selectors/labels.js';

export interface Resources {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended and other resources (nvidia.com/gpu, hugepages-2Mi, ...). */
  scalar: Record<string, number>;
}

export const emptyResources = (): Resources => ({ milliCPU: 0, memory: 0, ephemeralStorage: 0, scalar: {} });

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** A required or preferred pod (anti-)affinity term, compiled. */
export interface AffinityTerm {
  selector: LabelSelector;
  /** The namespaces the term looks in (empty with no namespaceSelector: the pod's own). */
  namespaces: Set<string>;
  namespaceSelector?: LabelSelector;
  topologyKey: string;
  weight: number;
}

export interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
  /** Which pods count toward the spread (the constraint's labelSelector, for system defaults the same owner). */
  matches(pod: Pick<PodInfo, 'labels' | 'controllerUID'>): boolean;
  /** System defaults: the pods that count are this controller's (so nodes' counts can be read). */
  controllerUID?: string;
  minDomains?: number;
  /** Whether nodes failing the pod's node affinity/selector are left out of the counts (default Honor). */
  honorNodeAffinity: boolean;
  /** Whether tainted nodes the pod does not tolerate are left out of the counts (default Ignore). */
  honorNodeTaints: boolean;
}

/** What the scheduler needs from a pod, computed once per pod version. */
export interface PodInfo {
  pod: Pod;
  key: string;
  uid: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  priority: number;
  /** Requests as the fit filter counts them. */
  requests: Resources;
  /** Requests with the scheduler's defaults for missing cpu/memory (100m, 200Mi), for scoring. */
  nonZero: { milliCPU: number; memory: number };
  hostPorts: HostPort[];
  tolerations: Toleration[];
  /** Required node affinity and nodeSelector, as one predicate over node labels (and name). */
  matchesNodeSelector: (node: Node) => boolean;
  preferredNodeTerms: Array<{ weight: number; matches: (node: Node) => boolean }>;
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: AffinityTerm[];
  preferredAntiAffinity: AffinityTerm[];
  spread: SpreadConstraint[];
  /** Kubernetes' system default spreading (no constraints of its own, but a ReplicaSet/RC/StatefulSet owner). */
  defaultSpread: SpreadConstraint[];
  /** uid of the controlling owner, if any. */
  controllerUID?: string;
  images: string[];
}

/** Filter outcomes, as the scheduling framework codes them. */
export type Code = 'Unschedulable' | 'UnschedulableAndUnresolvable';

export interface FilterStatus {
  code: Code;
  reasons: string[];
  plugin: string;
}

/** What the scheduler knows about a node: the node and the pods on it (assumed ones included). */
export interface NodeView {
  node: Node;
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
  unschedulable: boolean;
  allocatable: Resources;
  requested: Resources;
  nonZeroRequested: { milliCPU: number; memory: number };
  allowedPods: number;
  pods: ReadonlyMap<string, PodInfo>;
  /** Pods without a deletionTimestamp, by their controller's UID. */
  liveByController: ReadonlyMap<string, number>;
  usedPorts: HostPort[];
  images: Map<string, number>;
}
