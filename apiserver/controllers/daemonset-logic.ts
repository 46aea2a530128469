// The decisions of the DaemonSet controller (pkg/controller/daemon), as pure functions: which
// nodes should run a daemon pod (node name, node affinity, taints against the pod's tolerations
// plus the defaults every daemon pod gets), what to create and delete on each node, how a
// rolling update replaces pods within maxUnavailable or maxSurge, and the status numbers.
import type { Affinity, Node, Pod, Toleration } from '../../lib/client/types.js';
import { compareStrings } from '../../lib/go-order.js';
import { compileRequiredNodeSelection } from '../scheduler/node-selectors.js';
import { firstUntolerated } from '../scheduler/tolerations.js';
import { revisionHashLabel } from './controller-history.js';
import { scaledValue } from './deployment-math.js';
import { byCreation, isPodAvailable, isPodReady } from './pod-helpers.js';
import type { DaemonSet, PodTemplateSpec } from './workload-types.js';

export const templateGenerationLabel = 'pod-template-generation';
export const templateGenerationAnnotation = 'deprecated.daemonset.template.generation';

const exists = (key: string, effect: string): Toleration => ({ key, operator: 'Exists', effect });

/** util.AddOrUpdateDaemonPodTolerations: daemon pods stay through node trouble and cordons. */
export function daemonTolerations(hostNetwork: boolean): Toleration[] {
  return [
    exists('node.kubernetes.io/not-ready', 'NoExecute'),
    exists('node.kubernetes.io/unreachable', 'NoExecute'),
    exists('node.kubernetes.io/disk-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/memory-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/pid-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/unschedulable', 'NoSchedule'),
    ...(hostNetwork ? [exists('node.kubernetes.io/network-unavailable', 'NoSchedule')] : []),
  ];
}

const sameToleration = (a: Toleration, b: Toleration) =>
  (a.key ?? '') === (b.key ?? '') && (a.operator ?? 'Equal') === (b.operator ?? 'Equal') && (a.value ?? '') === (b.value ?? '') && (a.effect ?? '') === (b.effect ?? '');

/** The pod's tolerations with the daemon defaults added (those already present are kept as they are). */
export function withDaemonTolerations(tolerations: readonly Toleration[] | undefined, hostNetwork: boolean): Toleration[] {
  const out = [...(tolerations ?? [])];
  for (const t of daemonTolerations(hostNetwork)) if (!out.some((x) => sameToleration(x, t))) out.push(t);
  return out;
}

export function templateGeneration(ds: DaemonSet): number | undefined {
  const v = Number(ds.metadata?.annotations?.[templateGenerationAnnotation]);
  return Number.isInteger(v) ? v : undefined;
}

/** util.CreatePodTemplate: the template with daemon tolerations, generation and revision hash labels. */
export function daemonPodTemplate(ds: DaemonSet, hash: string): PodTemplateSpec {
  const t = structuredClone(ds.spec?.template ?? {});
  const spec = (t.spec ??= { containers: [] });
  spec.tolerations = withDaemonTolerations(spec.tolerations, !!spec.hostNetwork);
  const labels = { ...t.metadata?.labels };
  const generation = templateGeneration(ds);
  if (generation !== undefined) labels[templateGenerationLabel] = String(generation);
  if (hash) labels[revisionHashLabel] = hash;
  t.metadata = { ...t.metadata, labels };
  return t;
}

/** ReplaceDaemonSetPodNodeNameNodeAffinity: the pod may only go to this node (matchFields metadata.name). */
export function pinToNode(affinity: Affinity | undefined, node: string): Affinity {
  const term = { matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] };
  const a = structuredClone(affinity ?? {});
  const na = (a.nodeAffinity ??= {});
  na.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: [term] };
  return a;
}

/** GetTargetNodeName: the node a daemon pod is bound or pinned to. */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}

/**
 * NodeShouldRunDaemonPod: shouldRun (a pod belongs here) and shouldContinueRunning (an existing
 * one may stay: only untolerated NoExecute taints evict).
 */
export function nodeShouldRun(node: Node, ds: DaemonSet): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const spec = ds.spec?.template?.spec;
  const name = node.metadata?.name ?? '';
  if (spec?.nodeName && spec.nodeName !== name) return { shouldRun: false, shouldContinueRunning: false };
  const affinity = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!compileRequiredNodeSelection(spec?.nodeSelector, affinity)(node)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = withDaemonTolerations(spec?.tolerations, !!spec?.hostNetwork);
  const taints = node.spec?.taints ?? [];
  if (firstUntolerated(taints, tolerations, ['NoSchedule', 'NoExecute'])) {
    return { shouldRun: false, shouldContinueRunning: !firstUntolerated(taints, tolerations, ['NoExecute']) };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}

/** IsPodUpdated: the pod runs the current revision (by hash, or by the legacy template generation). */
export function isPodUpdated(pod: Pod, hash: string, generation: number | undefined): boolean {
  const labels = pod.metadata?.labels ?? {};
  return (!!hash && labels[revisionHashLabel] === hash) || (generation !== undefined && labels[templateGenerationLabel] === String(generation));
}

/** podByCreationTimestampAndPhase: scheduled pods first, then oldest first (name breaks ties). */
function oldestFirst(a: Pod, b: Pod): number {
  const sa = !!a.spec?.nodeName;
  if (sa !== !!b.spec?.nodeName) return sa ? -1 : 1;
  return byCreation(a, b);
}

export const allowsSurge = (ds: DaemonSet) =>
  ds.spec?.updateStrategy?.type === 'RollingUpdate' && scaledValue(ds.spec.updateStrategy.rollingUpdate?.maxSurge ?? 0, 1, true) !== 0;

export interface NodePlan {
  create: boolean;
  /** Pods to delete, with the reason an event should give (failed/succeeded pods). */
  delete: Array<{ pod: Pod; event?: { type: 'Warning' | 'Normal'; reason: string; message: string } }>;
}

/**
 * podsShouldBeOnNode: whether the node needs a daemon pod, and which of its pods must go
 * (finished ones, extras, and all of them where the pod may no longer run). Failed pods are
 * only deleted when `failedBackoffOver` allows it.
 */
export function planNode(node: Node, ds: DaemonSet, pods: readonly Pod[], hash: string, now: number, failedBackoffOver: boolean): NodePlan {
  const { shouldRun, shouldContinueRunning } = nodeShouldRun(node, ds);
  const plan: NodePlan = { create: false, delete: [] };
  const name = node.metadata?.name ?? '';
  if (shouldRun && pods.length === 0) {
    plan.create = true;
    return plan;
  }
  if (shouldContinueRunning) {
    const running: Pod[] = [];
    for (const p of pods) {
      if (p.metadata?.deletionTimestamp) continue;
      const where = `${p.metadata?.namespace}/${p.metadata?.name} on node ${name}`;
      if (p.status?.phase === 'Failed') {
        if (failedBackoffOver) plan.delete.push({ pod: p, event: { type: 'Warning', reason: 'FailedDaemonPod', message: `Found failed daemon pod ${where}, will try to kill it` } });
      } else if (p.status?.phase === 'Succeeded') {
        plan.delete.push({ pod: p, event: { type: 'Normal', reason: 'SucceededDaemonPod', message: `Found succeeded daemon pod ${where}, will try to delete it` } });
      } else {
        running.push(p);
      }
    }
    running.sort(oldestFirst);
    if (!allowsSurge(ds)) {
      for (const p of running.slice(1)) plan.delete.push({ pod: p });
      return plan;
    }
    if (running.length <= 1) {
      if (running.length === 0 && shouldRun) plan.create = true;
      return plan;
    }
    // Surging: keep the oldest new and the oldest old pod; the old one goes once the new one is available.
    let oldestNew: Pod | undefined;
    let oldestOld: Pod | undefined;
    const generation = templateGeneration(ds);
    for (const p of running) {
      if (isPodUpdated(p, hash, generation)) {
        if (!oldestNew) { oldestNew = p; continue; }
      } else if (!oldestOld) { oldestOld = p; continue; }
      plan.delete.push({ pod: p });
    }
    if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, ds.spec?.minReadySeconds ?? 0, now))) {
      plan.delete.push({ pod: oldestOld });
    }
    return plan;
  }
  if (pods.length > 0) for (const p of pods) if (!p.metadata?.deletionTimestamp) plan.delete.push({ pod: p });
  return plan;
}

/** findUpdatedPodsOnNode: at most one new and one old pod on a node, else not ok. */
function updatedPodsOnNode(pods: readonly Pod[], hash: string, generation: number | undefined): { newPod?: Pod; oldPod?: Pod; ok: boolean } {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp) continue;
    if (isPodUpdated(p, hash, generation)) {
      if (newPod) return { ok: false };
      newPod = p;
    } else {
      if (oldPod) return { ok: false };
      oldPod = p;
    }
  }
  return { newPod, oldPod, ok: true };
}

export interface RollingPlan {
  deletePods: Pod[];
  createOn: string[];
}

/**
 * rollingUpdate: without surge, delete old pods (unavailable ones first) while the number of
 * unavailable nodes stays within maxUnavailable; with surge, create new pods beside old ones
 * within maxSurge and delete an old pod once its replacement is available.
 */
export function rollingUpdatePlan(ds: DaemonSet, nodes: readonly Node[], podsByNode: ReadonlyMap<string, Pod[]>, hash: string, now: number): RollingPlan {
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const generation = templateGeneration(ds);
  const byNode = new Map(podsByNode);
  let desired = 0;
  const nodeByName = new Map(nodes.map((n) => [n.metadata?.name ?? '', n]));
  for (const n of nodes) {
    if (!nodeShouldRun(n, ds).shouldRun) continue;
    desired++;
    if (!byNode.has(n.metadata?.name ?? '')) byNode.set(n.metadata?.name ?? '', []);
  }
  const ru = ds.spec?.updateStrategy?.rollingUpdate;
  let maxUnavailable = scaledValue(ru?.maxUnavailable ?? 1, desired, true);
  const maxSurge = scaledValue(ru?.maxSurge ?? 0, desired, true);
  if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  const available = (p: Pod) => isPodAvailable(p, minReady, now);
  const entries = [...byNode.entries()].sort(([a], [b]) => compareStrings(a, b));
  if (maxSurge === 0) {
    let unavailable = 0;
    const replacements: Pod[] = [];
    const candidates: Pod[] = [];
    for (const [, pods] of entries) {
      const { newPod, oldPod, ok } = updatedPodsOnNode(pods, hash, generation);
      if (!ok || (!oldPod && !newPod) || (oldPod && newPod)) unavailable++;
      else if (newPod) {
        if (!available(newPod)) unavailable++;
      } else if (oldPod) {
        if (!available(oldPod)) {
          replacements.push(oldPod);
          unavailable++;
        } else if (unavailable < maxUnavailable) candidates.push(oldPod);
      }
    }
    const remaining = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.length);
    return { deletePods: [...replacements, ...candidates.slice(0, remaining)], createOn: [] };
  }
  const deletePods: Pod[] = [];
  const shouldNotRun: Pod[] = [];
  const candidates: string[] = [];
  const allowed: string[] = [];
  let surge = 0;
  let numAvailable = 0;
  for (const [name, pods] of entries) {
    const { newPod, oldPod, ok } = updatedPodsOnNode(pods, hash, generation);
    if (!ok) {
      surge++;
      continue;
    }
    if (oldPod ? available(oldPod) : newPod && available(newPod)) numAvailable++;
    const node = nodeByName.get(name);
    if (!oldPod) continue;
    if (!newPod) {
      const runs = !!node && nodeShouldRun(node, ds).shouldRun;
      if (!available(oldPod)) {
        if (!runs) deletePods.push(oldPod);
        else allowed.push(name);
      } else if (!runs) shouldNotRun.push(oldPod);
      else if (surge < maxSurge) candidates.push(name);
      continue;
    }
    if (!available(newPod)) surge++;
    else deletePods.push(oldPod);
  }
  const deletable = Math.min(Math.max(0, numAvailable - desired), shouldNotRun.length);
  deletePods.push(...shouldNotRun.slice(0, deletable));
  const remaining = Math.min(Math.max(0, maxSurge - surge), candidates.length);
  return { deletePods, createOn: [...allowed, ...candidates.slice(0, remaining)] };
}

export interface DaemonSetCounts {
  desiredNumberScheduled: number;
  currentNumberScheduled: number;
  numberMisscheduled: number;
  numberReady: number;
  updatedNumberScheduled: number;
  numberAvailable: number;
  numberUnavailable: number;
}

/** updateDaemonSetStatus' numbers: the oldest pod per node decides readiness and update state. */
export function daemonSetCounts(ds: DaemonSet, nodes: readonly Node[], podsByNode: ReadonlyMap<string, Pod[]>, hash: string, now: number): DaemonSetCounts {
  const c: DaemonSetCounts = { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0 };
  const generation = templateGeneration(ds);
  for (const node of nodes) {
    const pods = podsByNode.get(node.metadata?.name ?? '') ?? [];
    const scheduled = pods.length > 0;
    if (!nodeShouldRun(node, ds).shouldRun) {
      if (scheduled) c.numberMisscheduled++;
      continue;
    }
    c.desiredNumberScheduled++;
    if (!scheduled) continue;
    c.currentNumberScheduled++;
    const pod = [...pods].sort(oldestFirst)[0];
    if (isPodReady(pod)) {
      c.numberReady++;
      if (isPodAvailable(pod, ds.spec?.minReadySeconds ?? 0, now)) c.numberAvailable++;
    }
    if (isPodUpdated(pod, hash, generation)) c.updatedNumberScheduled++;
  }
  c.numberUnavailable = c.desiredNumberScheduled - c.numberAvailable;
  return c;
}
