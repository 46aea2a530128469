// API object types as they travel on the wire. The model interfaces of @kubernetes/client-node
// describe every field, but type timestamps as Date because its runtime deserializer converts
// them; this client returns plain JSON, so Wire<T> turns every Date back into the string the
// server sent. Only types are imported: none of that package's runtime is loaded.
import type {
  CoreV1Event, V1Binding, V1ConfigMap, V1Lease, V1Namespace, V1Node, V1ObjectMeta, V1OwnerReference, V1Pod,
  V1PodCondition, V1PriorityClass, V1ReplicaSet, V1ServiceAccount, V1Status, V1Taint, V1Toleration, V1Container,
  V1ContainerStatus, V1NodeCondition, V1Affinity, V1PodSpec, V1LabelSelector, V1NodeSelectorTerm,
  V1NodeSelectorRequirement, V1PodAffinityTerm, V1TopologySpreadConstraint, V1ResourceRequirements,
} from '@kubernetes/client-node';

/** T with every Date (timestamps) as the RFC 3339 string JSON carries. */
export type Wire<T> = T extends Date
  ? string
  : T extends ReadonlyArray<infer U>
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

export type ObjectMeta = Wire<V1ObjectMeta>;
export type OwnerReference = Wire<V1OwnerReference>;

/** What every object has: enough for caches, keys and owner references. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface KubeList<T> {
  apiVersion?: string;
  kind?: string;
  metadata: ListMeta;
  items: T[];
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T> {
  type: WatchEventType;
  object: T;
}

export type Status = Wire<V1Status>;
export type Pod = Wire<V1Pod>;
export type PodSpec = Wire<V1PodSpec>;
export type PodCondition = Wire<V1PodCondition>;
export type Container = Wire<V1Container>;
export type ContainerStatus = Wire<V1ContainerStatus>;
export type ResourceRequirements = Wire<V1ResourceRequirements>;
export type Node = Wire<V1Node>;
export type NodeCondition = Wire<V1NodeCondition>;
export type Taint = Wire<V1Taint>;
export type Toleration = Wire<V1Toleration>;
export type Affinity = Wire<V1Affinity>;
export type LabelSelector = Wire<V1LabelSelector>;
export type NodeSelectorTerm = Wire<V1NodeSelectorTerm>;
export type NodeSelectorRequirement = Wire<V1NodeSelectorRequirement>;
export type PodAffinityTerm = Wire<V1PodAffinityTerm>;
export type TopologySpreadConstraint = Wire<V1TopologySpreadConstraint>;
export type Lease = Wire<V1Lease>;
export type Event = Wire<CoreV1Event>;
export type Namespace = Wire<V1Namespace>;
export type ServiceAccount = Wire<V1ServiceAccount>;
export type ConfigMap = Wire<V1ConfigMap>;
export type PriorityClass = Wire<V1PriorityClass>;
export type ReplicaSet = Wire<V1ReplicaSet>;
export type Binding = Wire<V1Binding>;

/** "namespace/name", or "name" for cluster-scoped objects: how caches and queues key objects. */
export function objectKey(obj: KubeObject): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name}` : (m.name ?? '');
}

/** Splits a key made by objectKey. */
export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** Kubernetes' timestamp format: RFC 3339, whole seconds, UTC. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** MicroTime (events, leases): RFC 3339 with six fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}
