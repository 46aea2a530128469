// API types the agent uses beyond lib/client's (types only: nothing of client-node is loaded).
// The resources it reads are in lib/client/resource-types.ts.
import type {
  V1Secret, V1Service, V1Volume, V1Probe, V1LifecycleHandler, V1EnvVar, V1EnvFromSource, V1VolumeMount,
  V1KeyToPath, V1DownwardAPIVolumeFile, V1VolumeProjection, V1SecurityContext, V1PodSecurityContext,
  V1ContainerPort, V1ObjectFieldSelector, V1ResourceFieldSelector, V1HostAlias, V1PodDNSConfig, AuthenticationV1TokenRequest,
  V1EndpointSlice, V1NetworkPolicy,
} from '@kubernetes/client-node';
import type { Wire } from '../lib/client/types.js';

export type {
  Pod, PodSpec, Namespace, Container, ContainerStatus, PodCondition, Node, NodeCondition, ConfigMap, Lease, ResourceRequirements,
} from '../lib/client/types.js';

export type Secret = Wire<V1Secret>;
export type Service = Wire<V1Service>;
export type EndpointSlice = Wire<V1EndpointSlice>;
export type NetworkPolicy = Wire<V1NetworkPolicy>;
export type Volume = Wire<V1Volume>;
export type VolumeMount = Wire<V1VolumeMount>;
export type Probe = Wire<V1Probe>;
export type LifecycleHandler = Wire<V1LifecycleHandler>;
export type EnvVar = Wire<V1EnvVar>;
export type EnvFromSource = Wire<V1EnvFromSource>;
export type KeyToPath = Wire<V1KeyToPath>;
export type DownwardAPIVolumeFile = Wire<V1DownwardAPIVolumeFile>;
export type VolumeProjection = Wire<V1VolumeProjection>;
export type SecurityContext = Wire<V1SecurityContext>;
export type PodSecurityContext = Wire<V1PodSecurityContext>;
export type ContainerPort = Wire<V1ContainerPort>;
export type ObjectFieldSelector = Wire<V1ObjectFieldSelector>;
export type ResourceFieldSelector = Wire<V1ResourceFieldSelector>;
export type HostAlias = Wire<V1HostAlias>;
export type PodDNSConfig = Wire<V1PodDNSConfig>;
export type TokenRequest = Wire<AuthenticationV1TokenRequest>;
