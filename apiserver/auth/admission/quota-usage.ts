// What an object costs against a ResourceQuota (pkg/quota/v1/evaluator/core and the generic
// object count evaluator): pods' compute requests and limits and the pod count, services and
// their node ports and load balancers, claims and their storage, and count/<resource> for
// anything. Also which quotas apply to a pod (scopes) and resource list arithmetic. Shared by
// the ResourceQuota admission plugin and the resource quota controller; pure functions.
import { addQuantities, compareQuantities, formatQuantity, parseQuantity, tryParseQuantity, zeroQuantity, type Quantity } from '../../../lib/quantity.js';
import { computePodQOS } from '../../../lib/pod-qos.js';
import { isExtendedResourceName, isHugePageResourceName } from '../../api/kinds/resource-names.js';
import type { JsonObject } from '../../api/kinds/json.js';

export type Usage = Map<string, Quantity>;

interface ContainerLike {
  name?: string;
  restartPolicy?: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

export interface PodLike {
  metadata?: { deletionTimestamp?: string; deletionGracePeriodSeconds?: number };
  spec?: {
    containers?: ContainerLike[];
    initContainers?: ContainerLike[];
    overhead?: Record<string, string>;
    activeDeadlineSeconds?: number;
    priorityClassName?: string;
    affinity?: { podAffinity?: AffinityLike; podAntiAffinity?: AffinityLike };
  };
  status?: { phase?: string };
}

interface AffinityLike {
  requiredDuringSchedulingIgnoredDuringExecution?: Array<{ namespaces?: string[]; namespaceSelector?: unknown }>;
  preferredDuringSchedulingIgnoredDuringExecution?: Array<{ podAffinityTerm?: { namespaces?: string[]; namespaceSelector?: unknown } }>;
}

export interface QuotaLike {
  metadata?: { name?: string; namespace?: string };
  spec?: { hard?: Record<string, string>; scopes?: string[]; scopeSelector?: { matchExpressions?: Array<{ scopeName?: string; operator?: string; values?: string[] }> } };
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

const one = parseQuantity(1);

export function toUsage(list: Record<string, string> | undefined): Usage {
  const out: Usage = new Map();
  for (const [k, v] of Object.entries(list ?? {})) {
    const q = tryParseQuantity(v);
    if (q) out.set(k, q);
  }
  return out;
}

export function fromUsage(u: Usage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of [...u.keys()].sort()) out[k] = formatQuantity(u.get(k)!);
  return out;
}

export function addUsage(a: Usage, b: Usage): Usage {
  const out = new Map(a);
  for (const [k, v] of b) out.set(k, out.has(k) ? addQuantities(out.get(k)!, v) : v);
  return out;
}

export function subtractUsage(a: Usage, b: Usage): Usage {
  const out = new Map(a);
  for (const [k, v] of b) out.set(k, addQuantities(out.get(k) ?? zeroQuantity, { ...v, mantissa: -v.mantissa }));
  return out;
}

/** Only the named resources (quota.Mask). */
export function maskUsage(u: Usage, names: Iterable<string>): Usage {
  const out: Usage = new Map();
  for (const n of names) if (u.has(n)) out.set(n, u.get(n)!);
  return out;
}

/** Go's quota prettyPrint: "a=1,b=2" sorted by name. */
export function prettyPrint(u: Usage): string {
  return [...u.keys()].sort().map((k) => `${k}=${formatQuantity(u.get(k)!)}`).join(',');
}

const max = (a: Quantity, b: Quantity) => (compareQuantities(a, b) >= 0 ? a : b);

/** resourcehelper.PodRequests / PodLimits: containers and sidecars add up, init containers take the max, plus overhead. */
function podResources(pod: PodLike, field: 'requests' | 'limits'): Usage {
  let total: Usage = new Map();
  for (const c of pod.spec?.containers ?? []) total = addUsage(total, toUsage(c.resources?.[field]));
  let sidecars: Usage = new Map();
  let initMax: Usage = new Map();
  for (const c of pod.spec?.initContainers ?? []) {
    const r = toUsage(c.resources?.[field]);
    if (c.restartPolicy === 'Always') {
      sidecars = addUsage(sidecars, r);
      total = addUsage(total, r);
      continue;
    }
    const withSidecars = addUsage(r, sidecars);
    for (const [k, v] of withSidecars) initMax.set(k, initMax.has(k) ? max(initMax.get(k)!, v) : v);
  }
  for (const [k, v] of initMax) total.set(k, total.has(k) ? max(total.get(k)!, v) : v);
  if (pod.spec?.overhead) {
    const overhead = toUsage(pod.spec.overhead);
    // Overhead only adds to what the pod already names (limits) or always (requests).
    for (const [k, v] of overhead) if (field === 'requests' || total.has(k)) total.set(k, total.has(k) ? addQuantities(total.get(k)!, v) : v);
  }
  return total;
}

/** podComputeUsageHelper: the pod count plus requests.* and limits.* (cpu and memory also bare). */
export function computeUsage(requests: Usage, limits: Usage): Usage {
  const out: Usage = new Map([['pods', one]]);
  for (const [k, v] of requests) {
    if (k === 'cpu' || k === 'memory' || k === 'ephemeral-storage') {
      out.set(k, v);
      out.set(`requests.${k}`, v);
    } else if (isHugePageResourceName(k) || isExtendedResourceName(k)) {
      out.set(`requests.${k}`, v);
    }
  }
  for (const [k, v] of limits) {
    if (k === 'cpu' || k === 'memory' || k === 'ephemeral-storage' || isHugePageResourceName(k)) out.set(`limits.${k}`, v);
  }
  return out;
}

/** QuotaV1Pod: finished pods, and pods past their deletion grace period, no longer count. */
export function podCounts(pod: PodLike, now: number): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const del = pod.metadata?.deletionTimestamp;
  const grace = pod.metadata?.deletionGracePeriodSeconds;
  if (del && grace !== undefined && grace !== null && now > Date.parse(del) + grace * 1000) return false;
  return true;
}

export function podUsage(pod: PodLike, now: number): Usage {
  const base: Usage = new Map([['count/pods', one]]);
  if (!podCounts(pod, now)) return base;
  return addUsage(base, computeUsage(podResources(pod, 'requests'), podResources(pod, 'limits')));
}

interface ServiceLike {
  spec?: { type?: string; ports?: unknown[]; allocateLoadBalancerNodePorts?: boolean };
}

export function serviceUsage(svc: ServiceLike): Usage {
  const ports = (svc.spec?.ports ?? []).length;
  const out: Usage = new Map([['count/services', one], ['services', one], ['services.loadbalancers', zeroQuantity], ['services.nodeports', zeroQuantity]]);
  if (svc.spec?.type === 'NodePort') out.set('services.nodeports', parseQuantity(ports));
  if (svc.spec?.type === 'LoadBalancer') {
    if (svc.spec.allocateLoadBalancerNodePorts !== false) out.set('services.nodeports', parseQuantity(ports));
    out.set('services.loadbalancers', one);
  }
  return out;
}

interface ClaimLike {
  spec?: { storageClassName?: string; resources?: { requests?: Record<string, string> } };
  status?: { capacity?: Record<string, string> };
}

export function claimUsage(pvc: ClaimLike): Usage {
  const out: Usage = new Map([['count/persistentvolumeclaims', one], ['persistentvolumeclaims', one]]);
  const storage = tryParseQuantity(pvc.spec?.resources?.requests?.storage);
  const cls = pvc.spec?.storageClassName;
  if (cls) out.set(`${cls}.storageclass.storage.k8s.io/persistentvolumeclaims`, one);
  if (storage) {
    out.set('requests.storage', storage);
    if (cls) out.set(`${cls}.storageclass.storage.k8s.io/requests.storage`, storage);
  }
  return out;
}

/** The quota name counting objects of a resource: count/pods, count/deployments.apps. */
export const objectCountName = (group: string, plural: string) => (group ? `count/${plural}.${group}` : `count/${plural}`);

/** Core resources with their own legacy count name besides count/<resource>. */
const legacyCounts = new Set(['configmaps', 'secrets', 'replicationcontrollers', 'resourcequotas']);

/** The usage of any object: the specific evaluators for pods, services and claims, object counts otherwise. */
export function objectUsage(group: string, plural: string, obj: JsonObject, now: number): Usage {
  if (group === '' && plural === 'pods') return podUsage(obj as PodLike, now);
  if (group === '' && plural === 'services') return serviceUsage(obj as ServiceLike);
  if (group === '' && plural === 'persistentvolumeclaims') return claimUsage(obj as ClaimLike);
  const out: Usage = new Map([[objectCountName(group, plural), one]]);
  if (group === '' && legacyCounts.has(plural)) out.set(plural, one);
  return out;
}

// ---- scopes -------------------------------------------------------------------------------

function crossNamespaceAffinity(pod: PodLike): boolean {
  const terms = (a?: AffinityLike) => [
    ...(a?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
    ...(a?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => t.podAffinityTerm ?? {}),
  ];
  return [...terms(pod.spec?.affinity?.podAffinity), ...terms(pod.spec?.affinity?.podAntiAffinity)]
    .some((t) => (t.namespaces ?? []).length > 0 || !!t.namespaceSelector);
}

function scopeMatches(scope: string, pod: PodLike, operator = 'Exists', values: string[] = []): boolean {
  switch (scope) {
    case 'Terminating': return pod.spec?.activeDeadlineSeconds !== undefined && pod.spec.activeDeadlineSeconds !== null && pod.spec.activeDeadlineSeconds >= 0;
    case 'NotTerminating': return pod.spec?.activeDeadlineSeconds === undefined || pod.spec.activeDeadlineSeconds === null;
    case 'BestEffort': return computePodQOS((pod.spec ?? {}) as JsonObject) === 'BestEffort';
    case 'NotBestEffort': return computePodQOS((pod.spec ?? {}) as JsonObject) !== 'BestEffort';
    case 'CrossNamespacePodAffinity': return crossNamespaceAffinity(pod);
    case 'PriorityClass': {
      const name = pod.spec?.priorityClassName ?? '';
      switch (operator) {
        case 'In': return values.includes(name);
        case 'NotIn': return !values.includes(name);
        case 'Exists': return name !== '';
        case 'DoesNotExist': return name === '';
      }
      return false;
    }
  }
  return false;
}

/** Whether a quota's scopes and scope selector admit this object (only pods can match scopes). */
export function quotaApplies(q: QuotaLike, group: string, plural: string, obj: JsonObject): boolean {
  const scopes = q.spec?.scopes ?? [];
  const exprs = q.spec?.scopeSelector?.matchExpressions ?? [];
  if (scopes.length === 0 && exprs.length === 0) return true;
  if (group !== '' || plural !== 'pods') return false;
  const pod = obj as PodLike;
  return scopes.every((s) => scopeMatches(s, pod)) && exprs.every((e) => scopeMatches(e.scopeName ?? '', pod, e.operator, e.values));
}

/** The resources of `names` a usage of this kind can touch (MatchingResources), to skip quotas about others. */
export function touches(usage: Usage, names: Iterable<string>): string[] {
  return [...names].filter((n) => usage.has(n));
}

/** LessThanOrEqual over the resources in `hard`: the names exceeded. */
export function exceeded(used: Usage, hard: Usage): string[] {
  const out: string[] = [];
  for (const [k, limit] of hard) {
    const u = used.get(k);
    if (u && compareQuantities(u, limit) > 0) out.push(k);
  }
  return out.sort();
}

/** The cpu/memory names that oblige every container to state a value (the backward-compatibility rule). */
const containerObligations = new Set(['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory', 'cpu', 'memory']);

/**
 * podEvaluator.Constraints: with cpu or memory in the quota, every container must request or
 * limit it; the message names each missing resource and its containers.
 */
export function missingConstraints(pod: PodLike, hardNames: Iterable<string>): string | undefined {
  const required = [...hardNames].filter((n) => containerObligations.has(n));
  if (required.length === 0) return undefined;
  const missing = new Map<string, Set<string>>();
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const have = computeUsage(toUsage(c.resources?.requests), toUsage(c.resources?.limits));
    for (const r of required) {
      const q = have.get(r);
      if (!q) {
        if (!missing.has(r)) missing.set(r, new Set());
        missing.get(r)!.add(c.name ?? '');
      }
    }
  }
  if (missing.size === 0) return undefined;
  return [...missing.keys()].sort().map((r) => `must specify ${r} for: ${[...missing.get(r)!].sort().join(',')}`).join('; ');
}
