// Services: scheme defaults (SetDefaults_Service) and the registry strategy. Allocation of
// cluster IPs, IP families and node ports happens later, in the service allocators.
import { clone, deepEqual, type KubeObject } from '../object.js';
import type { Strategy } from '../resource.js';
import {
  externallyAccessible, needsClusterIP, needsHealthCheckNodePort, needsNodePort, specOf, type Service, type ServiceSpec,
} from './service-types.js';
import { validateService, validateServiceStatus, validateServiceUpdate } from './service-validation.js';

/** Seconds of ClientIP affinity when none are given (3 hours). */
export const defaultClientIPAffinitySeconds = 10800;

export function defaultService(obj: KubeObject): void {
  const s = specOf(obj);
  s.sessionAffinity ||= 'None';
  if (s.sessionAffinity === 'None') delete s.sessionAffinityConfig;
  if (s.sessionAffinity === 'ClientIP' && s.sessionAffinityConfig?.clientIP?.timeoutSeconds === undefined) {
    s.sessionAffinityConfig = { clientIP: { timeoutSeconds: defaultClientIPAffinitySeconds } };
  }
  s.type ||= 'ClusterIP';
  for (const p of s.ports ?? []) {
    p.protocol ||= 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (externallyAccessible(s) && !s.externalTrafficPolicy) s.externalTrafficPolicy = 'Cluster';
  if (s.internalTrafficPolicy == null && (s.type === 'NodePort' || s.type === 'LoadBalancer' || s.type === 'ClusterIP')) {
    s.internalTrafficPolicy = 'Cluster';
  }
  if (s.type === 'LoadBalancer' && s.allocateLoadBalancerNodePorts == null) s.allocateLoadBalancerNodePorts = true;
  if (s.type === 'LoadBalancer') {
    for (const ing of (obj as Service).status?.loadBalancer?.ingress ?? []) if (ing.ip && ing.ipMode == null) ing.ipMode = 'VIP';
  }
}

/** Keeps clusterIP and clusterIPs in step: old clients send only the singular field. */
function normalizeClusterIPs(s: ServiceSpec, old: ServiceSpec | undefined): void {
  if (!old) {
    if (s.clusterIP && !(s.clusterIPs ?? []).length) s.clusterIPs = [s.clusterIP];
    return;
  }
  const sameIPs = deepEqual(s.clusterIPs ?? [], old.clusterIPs ?? []);
  if ((s.clusterIP ?? '') !== (old.clusterIP ?? '') && sameIPs) {
    if (s.clusterIP) s.clusterIPs = [s.clusterIP];
    else delete s.clusterIPs;
  }
}

/**
 * Values the server allocated are kept when a client resubmits its original manifest without
 * them, so `kubectl replace` of the same YAML succeeds (patchAllocatedValues).
 */
function patchAllocatedValues(s: ServiceSpec, old: ServiceSpec): void {
  if (needsClusterIP(old) && needsClusterIP(s)) {
    if (!s.clusterIP && old.clusterIP) s.clusterIP = old.clusterIP;
    if (!(s.clusterIPs ?? []).length && (old.clusterIPs ?? []).length) s.clusterIPs = [...old.clusterIPs!];
    if (!(s.ipFamilies ?? []).length && (old.ipFamilies ?? []).length) s.ipFamilies = [...old.ipFamilies!];
    if (s.ipFamilyPolicy == null && old.ipFamilyPolicy) s.ipFamilyPolicy = old.ipFamilyPolicy;
  }
  if (needsNodePort(old) && needsNodePort(s)) {
    const usedBoth = new Set((old.ports ?? []).map((p) => p.nodePort).filter((n) => n && (s.ports ?? []).some((q) => q.nodePort === n)));
    const byName = new Map((old.ports ?? []).map((p) => [p.name ?? '', p.nodePort]));
    for (const p of s.ports ?? []) {
      const oldPort = byName.get(p.name ?? '');
      if (!p.nodePort && oldPort && !usedBoth.has(oldPort)) p.nodePort = oldPort;
    }
  }
  if (needsHealthCheckNodePort(old) && needsHealthCheckNodePort(s) && !s.healthCheckNodePort) {
    s.healthCheckNodePort = old.healthCheckNodePort;
  }
}

/** Fields that stop applying when the type changes are wiped, unless the user also changed them. */
function dropTypeDependentFields(svc: Service, s: ServiceSpec, old: ServiceSpec): void {
  if (needsClusterIP(old) && !needsClusterIP(s)) {
    if (deepEqual(s.clusterIPs ?? [], old.clusterIPs ?? [])) {
      delete s.clusterIP;
      delete s.clusterIPs;
    }
    if (deepEqual(s.ipFamilies ?? [], old.ipFamilies ?? [])) delete s.ipFamilies;
    if ((s.ipFamilyPolicy ?? null) === (old.ipFamilyPolicy ?? null)) delete s.ipFamilyPolicy;
  }
  const nodePorts = (x: ServiceSpec) => (x.ports ?? []).map((p) => p.nodePort ?? 0);
  if (needsNodePort(old) && !needsNodePort(s) && deepEqual(nodePorts(s), nodePorts(old))) {
    for (const p of s.ports ?? []) delete p.nodePort;
  }
  if (needsHealthCheckNodePort(old) && !needsHealthCheckNodePort(s) && s.healthCheckNodePort === old.healthCheckNodePort) {
    delete s.healthCheckNodePort;
  }
  if (old.type === 'LoadBalancer' && s.type !== 'LoadBalancer') {
    if (s.allocateLoadBalancerNodePorts != null && s.allocateLoadBalancerNodePorts === old.allocateLoadBalancerNodePorts) {
      delete s.allocateLoadBalancerNodePorts;
    }
    if ((s.loadBalancerClass ?? null) === (old.loadBalancerClass ?? null)) delete s.loadBalancerClass;
  }
  if (externallyAccessible(old) && !externallyAccessible(s) && s.externalTrafficPolicy === old.externalTrafficPolicy) {
    delete s.externalTrafficPolicy;
  }
  if (s.type !== 'LoadBalancer') svc.status = { ...svc.status, loadBalancer: {} };
}

export const serviceStrategy: Strategy = {
  default: defaultService,
  prepareForCreate(obj) {
    const svc = obj as Service;
    svc.status = { loadBalancer: {} };
    normalizeClusterIPs(specOf(svc), undefined);
  },
  prepareForUpdate(obj, old) {
    const svc = obj as Service;
    const oldSpec = clone((old as Service).spec ?? {});
    const s = specOf(svc);
    patchAllocatedValues(s, oldSpec);
    normalizeClusterIPs(s, oldSpec);
    dropTypeDependentFields(svc, s, oldSpec);
  },
  validate: (obj) => validateService(obj as Service),
  validateUpdate: (obj, old) => validateServiceUpdate(obj as Service, old as Service),
};

export const serviceStatusStrategy: Strategy = {
  validateUpdate: (obj) => validateServiceStatus(obj as Service),
};
