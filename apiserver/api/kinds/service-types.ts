// The Service shape as the strategy, validation, printer and allocators read it, and the
// predicates Kubernetes' service helpers define on it.
import type { KubeObject } from '../object.js';

export type IntOrString = number | string;

export interface ServicePort {
  name?: string;
  protocol?: string;
  appProtocol?: string;
  port?: number;
  targetPort?: IntOrString;
  nodePort?: number;
}

export interface ServiceSpec {
  type?: string;
  ports?: ServicePort[];
  selector?: Record<string, string> | null;
  clusterIP?: string;
  clusterIPs?: string[] | null;
  ipFamilies?: string[] | null;
  ipFamilyPolicy?: string | null;
  externalIPs?: string[];
  externalName?: string;
  sessionAffinity?: string;
  sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } } | null;
  externalTrafficPolicy?: string;
  internalTrafficPolicy?: string | null;
  healthCheckNodePort?: number;
  loadBalancerIP?: string;
  loadBalancerSourceRanges?: string[];
  loadBalancerClass?: string | null;
  allocateLoadBalancerNodePorts?: boolean | null;
  publishNotReadyAddresses?: boolean;
  trafficDistribution?: string | null;
}

export interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
  ipMode?: string;
}

export interface ServiceStatus {
  loadBalancer?: { ingress?: LoadBalancerIngress[] };
  conditions?: unknown[];
}

export type Service = KubeObject & { spec?: ServiceSpec; status?: ServiceStatus };

export const clusterIPNone = 'None';

export const specOf = (svc: KubeObject): ServiceSpec => ((svc as Service).spec ??= {});

export function isHeadless(s: ServiceSpec): boolean {
  return (s.clusterIPs ?? []).length === 1 && s.clusterIPs![0] === clusterIPNone;
}

/** Every type but ExternalName gets a cluster IP (or "None"). */
export const needsClusterIP = (s: ServiceSpec): boolean => s.type !== 'ExternalName';

export const needsNodePort = (s: ServiceSpec): boolean => s.type === 'NodePort' || s.type === 'LoadBalancer';

/** NodePort always allocates node ports; LoadBalancer unless allocateLoadBalancerNodePorts is false. */
export const allocatesNodePorts = (s: ServiceSpec): boolean =>
  s.type === 'NodePort' || (s.type === 'LoadBalancer' && s.allocateLoadBalancerNodePorts !== false);

export const externallyAccessible = (s: ServiceSpec): boolean =>
  s.type === 'LoadBalancer' || s.type === 'NodePort' || (s.type === 'ClusterIP' && (s.externalIPs ?? []).length > 0);

export const needsHealthCheckNodePort = (s: ServiceSpec): boolean =>
  s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local';
