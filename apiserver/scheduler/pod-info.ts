// Everything the scheduler reads from a pod, computed once per pod version: resource
// requests (with init containers and sidecars counted as Kubernetes counts them), host ports,
// compiled node selection, pod (anti-)affinity terms and topology spread constraints.
import type { Pod, PodAffinityTerm, ResourceRequirements } from '../../lib/client/types.js';
import { fromLabelSelectorSpec, nothing, type LabelSelector, type LabelSelectorSpec } from '../api/selectors/labels.js';
import { quantityMilliValue, quantityValue, tryParseQuantity } from '../../lib/quantity.js';
import { compileRequiredNodeSelection, compileTerm } from './node-selectors.js';
import { emptyResources, type AffinityTerm, type HostPort, type PodInfo, type Resources, type SpreadConstraint } from './types.js';

/** The scheduler's defaults for a container that requests no cpu or memory (for scoring only). */
export const defaultMilliCPURequest = 100;
export const defaultMemoryRequest = 200 * 1024 * 1024;

/** Adds a resource list (requests) into a Resources vector. */
export function addResourceList(into: Resources, list: Record<string, string> | undefined): void {
  for (const [name, raw] of Object.entries(list ?? {})) {
    const q = tryParseQuantity(raw);
    if (!q) continue;
    if (name === 'cpu') into.milliCPU += Number(quantityMilliValue(q));
    else if (name === 'memory') into.memory += Math.ceil(quantityValue(q));
    else if (name === 'ephemeral-storage') into.ephemeralStorage += Math.ceil(quantityValue(q));
    else if (name === 'pods') continue;
    else into.scalar[name] = (into.scalar[name] ?? 0) + Math.ceil(quantityValue(q));
  }
}

export function addResources(into: Resources, r: Resources, sign = 1): void {
  into.milliCPU += sign * r.milliCPU;
  into.memory += sign * r.memory;
  into.ephemeralStorage += sign * r.ephemeralStorage;
  for (const [k, v] of Object.entries(r.scalar)) into.scalar[k] = (into.scalar[k] ?? 0) + sign * v;
}

function maxInto(into: Resources, r: Resources): void {
  into.milliCPU = Math.max(into.milliCPU, r.milliCPU);
  into.memory = Math.max(into.memory, r.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage);
  for (const [k, v] of Object.entries(r.scalar)) into.scalar[k] = Math.max(into.scalar[k] ?? 0, v);
}

function requestsOf(res: ResourceRequirements | undefined, withDefaults: boolean): Resources {
  const r = emptyResources();
  addResourceList(r, res?.requests);
  if (withDefaults) {
    if (!res?.requests?.cpu) r.milliCPU = defaultMilliCPURequest;
    if (!res?.requests?.memory) r.memory = defaultMemoryRequest;
  }
  return r;
}

/**
 * A pod's effective request: regular containers and sidecars (restartable init containers)
 * run together; each ordinary init container runs alone beside the sidecars started before it;
 * the pod needs the larger of the two, plus its overhead.
 */
export function podRequests(pod: Pod, withDefaults = false): Resources {
  const sum = emptyResources();
  for (const c of pod.spec?.containers ?? []) addResources(sum, requestsOf(c.resources, withDefaults));
  const sidecars = emptyResources();
  const initPeak = emptyResources();
  for (const c of pod.spec?.initContainers ?? []) {
    const req = requestsOf(c.resources, withDefaults);
    if (c.restartPolicy === 'Always') {
      addResources(sidecars, req);
      maxInto(initPeak, sidecars);
    } else {
      const alone = emptyResources();
      addResources(alone, sidecars);
      addResources(alone, req);
      maxInto(initPeak, alone);
    }
  }
  addResources(sum, sidecars);
  maxInto(sum, initPeak);
  addResourceList(sum, pod.spec?.overhead);
  return sum;
}

function hostPortsOf(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of [...(pod.spec?.initContainers ?? []).filter((i) => i.restartPolicy === 'Always'), ...(pod.spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      out.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}

function selectorOrNothing(spec: LabelSelectorSpec | undefined): LabelSelector {
  try {
    return fromLabelSelectorSpec(spec);
  } catch {
    return nothing;
  }
}

function affinityTerm(pod: Pod, t: PodAffinityTerm, weight: number): AffinityTerm {
  const ns = pod.metadata?.namespace ?? '';
  // matchLabelKeys/mismatchLabelKeys add requirements with the incoming pod's label values.
  const spec: LabelSelectorSpec = { ...(t.labelSelector as LabelSelectorSpec | undefined) };
  const labels = pod.metadata?.labels ?? {};
  const extra = [
    ...(t.matchLabelKeys ?? []).filter((k) => k in labels).map((k) => ({ key: k, operator: 'In', values: [labels[k]] })),
    ...(t.mismatchLabelKeys ?? []).filter((k) => k in labels).map((k) => ({ key: k, operator: 'NotIn', values: [labels[k]] })),
  ];
  if (t.labelSelector && extra.length) spec.matchExpressions = [...(spec.matchExpressions ?? []), ...extra];
  const namespaces = new Set(t.namespaces ?? []);
  const namespaceSelector = t.namespaceSelector ? selectorOrNothing(t.namespaceSelector as LabelSelectorSpec) : undefined;
  if (namespaces.size === 0 && !namespaceSelector) namespaces.add(ns);
  return { selector: t.labelSelector ? selectorOrNothing(spec) : nothing, namespaces, namespaceSelector, topologyKey: t.topologyKey, weight };
}

function spreadConstraints(pod: Pod): SpreadConstraint[] {
  const labels = pod.metadata?.labels ?? {};
  return (pod.spec?.topologySpreadConstraints ?? []).map((c) => {
    const spec: LabelSelectorSpec = { ...(c.labelSelector as LabelSelectorSpec | undefined) };
    const extra = (c.matchLabelKeys ?? []).filter((k) => k in labels).map((k) => ({ key: k, operator: 'In', values: [labels[k]] }));
    if (extra.length) spec.matchExpressions = [...(spec.matchExpressions ?? []), ...extra];
    const selector = c.labelSelector ? selectorOrNothing(spec) : nothing;
    return {
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      whenUnsatisfiable: c.whenUnsatisfiable === 'ScheduleAnyway' ? 'ScheduleAnyway' : 'DoNotSchedule',
      matches: (p) => selector.matches(p.labels),
      minDomains: c.minDomains,
      honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
      honorNodeTaints: c.nodeTaintsPolicy === 'Honor',
    };
  });
}

/**
 * The part of a pod the scheduler reads. Its cache holds every pod in the cluster, so what it
 * never looks at (managedFields, annotations, env, probes, container statuses, ...) is dropped.
 */
export function trimPodForScheduling(pod: Pod): Pod {
  const m = pod.metadata ?? {};
  const s = pod.spec;
  const container = (c: NonNullable<Pod['spec']>['containers'][number]) => ({
    name: c.name, image: c.image, resources: c.resources, ports: c.ports, restartPolicy: c.restartPolicy,
  });
  return {
    apiVersion: pod.apiVersion, kind: pod.kind,
    metadata: {
      name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, labels: m.labels,
      creationTimestamp: m.creationTimestamp, deletionTimestamp: m.deletionTimestamp, ownerReferences: m.ownerReferences,
    },
    spec: s && {
      nodeName: s.nodeName, schedulerName: s.schedulerName, priority: s.priority, priorityClassName: s.priorityClassName,
      preemptionPolicy: s.preemptionPolicy, nodeSelector: s.nodeSelector, affinity: s.affinity, tolerations: s.tolerations,
      topologySpreadConstraints: s.topologySpreadConstraints, overhead: s.overhead, hostNetwork: s.hostNetwork, volumes: s.volumes,
      containers: s.containers?.map(container) ?? [], initContainers: s.initContainers?.map(container),
    },
    status: pod.status && {
      phase: pod.status.phase, conditions: pod.status.conditions, nominatedNodeName: pod.status.nominatedNodeName, startTime: pod.status.startTime,
    },
  };
}

/** Owner kinds whose pods kube-scheduler spreads by default. */
const spreadOwners = new Set(['ReplicaSet', 'ReplicationController', 'StatefulSet']);

/**
 * kube-scheduler's system default constraints (hostname skew 3, zone skew 5, ScheduleAnyway) for
 * a pod without constraints of its own. Kubernetes selects the group with the owner's selector
 * (and matching Services); pods of one owner stand for it here.
 */
function defaultSpread(pod: Pod, controllerUID: string | undefined): SpreadConstraint[] {
  const owner = pod.metadata?.ownerReferences?.find((o) => o.controller);
  if (pod.spec?.topologySpreadConstraints?.length || !owner || !spreadOwners.has(owner.kind) || !controllerUID) return [];
  const matches = (p: Pick<PodInfo, 'controllerUID'>) => p.controllerUID === controllerUID;
  const base = { whenUnsatisfiable: 'ScheduleAnyway' as const, matches, controllerUID, honorNodeAffinity: true, honorNodeTaints: false };
  return [
    { ...base, maxSkew: 3, topologyKey: 'kubernetes.io/hostname' },
    { ...base, maxSkew: 5, topologyKey: 'topology.kubernetes.io/zone' },
  ];
}

export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

export function buildPodInfo(pod: Pod): PodInfo {
  const spec = pod.spec;
  const affinity = spec?.affinity;
  const na = affinity?.nodeAffinity;
  const requests = podRequests(pod);
  const controllerUID = pod.metadata?.ownerReferences?.find((o) => o.controller)?.uid;
  const nonZeroReq = podRequests(pod, true);
  return {
    pod,
    key: podKey(pod),
    uid: pod.metadata?.uid ?? '',
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    labels: pod.metadata?.labels ?? {},
    priority: spec?.priority ?? 0,
    requests,
    nonZero: { milliCPU: nonZeroReq.milliCPU, memory: nonZeroReq.memory },
    hostPorts: hostPortsOf(pod),
    tolerations: spec?.tolerations ?? [],
    matchesNodeSelector: compileRequiredNodeSelection(spec?.nodeSelector, na?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms),
    preferredNodeTerms: (na?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((p) => ({ weight: p.weight, matches: compileTerm(p.preference) })),
    requiredAffinity: (affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(pod, t, 1)),
    requiredAntiAffinity: (affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => affinityTerm(pod, t, 1)),
    preferredAffinity: (affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => affinityTerm(pod, w.podAffinityTerm, w.weight)),
    preferredAntiAffinity: (affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => affinityTerm(pod, w.podAffinityTerm, w.weight)),
    spread: spreadConstraints(pod),
    defaultSpread: defaultSpread(pod, controllerUID),
    controllerUID,
    images: (spec?.containers ?? []).map((c) => c.image ?? '').filter(Boolean),
  };
}

/** Whether an affinity term selects a pod (namespace and labels). */
export function termMatchesPod(term: AffinityTerm, pod: PodInfo, namespaceLabels: (ns: string) => Record<string, string> | undefined): boolean {
  const inNamespace = term.namespaces.has(pod.namespace) || (!!term.namespaceSelector && term.namespaceSelector.matches(namespaceLabels(pod.namespace) ?? {}));
  return inNamespace && term.selector.matches(pod.labels);
}
