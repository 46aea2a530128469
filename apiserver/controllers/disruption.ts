// disruption-controller: keeps PodDisruptionBudget status, as Kubernetes' disruption controller
// does: the pods the budget selects, how many of them should exist (from their controllers'
// replicas, or the pod count for an integer minAvailable), how many must stay healthy, how many
// are, and so how many disruptions the eviction API may allow now; recent evictions
// (disruptedPods) count as gone for two minutes.
import { runController } from '../../lib/client/controller.js';
import { referenceTo } from '../../lib/client/events.js';
import type { Informer } from '../../lib/client/informer.js';
import { resources } from '../../lib/client/resource-types.js';
import { objectKey, rfc3339, type KubeObject, type Pod, type ReplicaSet } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import { compileSelector } from '../api/kinds/workload-validation.js';
import type { LabelSelector } from '../api/selectors/labels.js';
import type { ControllerDescriptor } from './context.js';
import { scaledValue } from './deployment-math.js';
import { controllerRefOf, isPodReady } from './pod-helpers.js';
import type { Deployment, PodDisruptionBudget, ReplicationController, StatefulSet } from './workload-types.js';

/** How long an eviction counts before the pod must be gone (DeletionTimeout). */
export const deletionTimeoutMs = 2 * 60_000;

type PdbStatus = NonNullable<PodDisruptionBudget['status']>;

/** The spec's selector, or undefined when it cannot match anything valid. */
const selectorOf = (pdb: PodDisruptionBudget): LabelSelector | undefined => compileSelector(pdb.spec?.selector);

/** The replicas each pod's controller wants, summed once per controller; pods without one are unmanaged. */
export interface ScaleLookup {
  /** The replicas of the controller behind a controller reference, or undefined if it is not found. */
  replicasFor(namespace: string, ref: { kind: string; name: string; uid: string }): number | undefined;
}

export function expectedScale(pods: readonly Pod[], lookup: ScaleLookup): { expected: number; unmanaged: string[] } {
  const seen = new Set<string>();
  const unmanaged: string[] = [];
  let expected = 0;
  for (const p of pods) {
    const ref = controllerRefOf(p);
    if (!ref) {
      unmanaged.push(p.metadata?.name ?? '');
      continue;
    }
    if (seen.has(ref.uid)) continue;
    const replicas = lookup.replicasFor(p.metadata?.namespace ?? '', ref);
    if (replicas === undefined) throw new Error(`found no controllers for pod "${p.metadata?.name}"`);
    seen.add(ref.uid);
    expected += replicas;
  }
  return { expected, unmanaged };
}

/** getExpectedPodCount: how many pods there should be and how many must stay healthy. */
export function expectedAndDesired(pdb: PodDisruptionBudget, pods: readonly Pod[], lookup: ScaleLookup): { expected: number; desired: number; unmanaged: string[] } {
  const maxUnavailable = pdb.spec?.maxUnavailable;
  const minAvailable = pdb.spec?.minAvailable;
  if (maxUnavailable !== undefined && maxUnavailable !== null) {
    const { expected, unmanaged } = expectedScale(pods, lookup);
    return { expected, desired: Math.max(0, expected - scaledValue(maxUnavailable, expected, true)), unmanaged };
  }
  if (typeof minAvailable === 'number') return { expected: pods.length, desired: minAvailable, unmanaged: [] };
  if (typeof minAvailable === 'string') {
    const { expected, unmanaged } = expectedScale(pods, lookup);
    return { expected, desired: scaledValue(minAvailable, expected, true), unmanaged };
  }
  return { expected: 0, desired: 0, unmanaged: [] };
}

/** buildDisruptedPodMap: evictions still pending (pod present, not deleting, within the timeout), and when the next one expires. */
export function pendingDisruptions(pdb: PodDisruptionBudget, pods: readonly Pod[], now: number): { map: Record<string, string>; recheckAt?: number } {
  const byName = new Map(pods.map((p) => [p.metadata?.name ?? '', p]));
  const map: Record<string, string> = {};
  let recheckAt: number | undefined;
  for (const [name, at] of Object.entries(pdb.status?.disruptedPods ?? {})) {
    const pod = byName.get(name);
    if (!pod || pod.metadata?.deletionTimestamp) continue;
    const expires = Date.parse(at) + deletionTimeoutMs;
    if (expires < now) continue;
    map[name] = at;
    if (recheckAt === undefined || expires < recheckAt) recheckAt = expires;
  }
  return { map, recheckAt };
}

/** countHealthyPods: ready, not being deleted, not just evicted. */
export function countHealthy(pods: readonly Pod[], disrupted: Record<string, string>, now: number): number {
  return pods.filter((p) => {
    if (p.metadata?.deletionTimestamp) return false;
    const at = disrupted[p.metadata?.name ?? ''];
    if (at && Date.parse(at) + deletionTimeoutMs > now) return false;
    return isPodReady(p);
  }).length;
}

/** The DisruptionAllowed condition (metav1.Condition, SetStatusCondition keeping the transition time). */
export function withCondition(status: PdbStatus, cond: { status: string; reason: string; message: string }, now: number): void {
  const prev = status.conditions?.find((c) => c.type === 'DisruptionAllowed');
  const next = {
    type: 'DisruptionAllowed', status: cond.status, reason: cond.reason, message: cond.message, observedGeneration: status.observedGeneration,
    lastTransitionTime: prev && prev.status === cond.status ? prev.lastTransitionTime : rfc3339(now),
  };
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== 'DisruptionAllowed'), next];
}

export const disruptionController: ControllerDescriptor = {
  name: 'disruption-controller',
  setup(ctx) {
    const pdbs = ctx.informers.informer<PodDisruptionBudget>(resources.podDisruptionBudgets);
    const pods = ctx.informers.informer<Pod>(resources.pods);
    const replicaSets = ctx.informers.informer<ReplicaSet>(resources.replicaSets);
    const deployments = ctx.informers.informer<Deployment>(resources.deployments);
    const rcs = ctx.informers.informer<ReplicationController>(resources.replicationControllers);
    const statefulSets = ctx.informers.informer<StatefulSet>(resources.statefulSets);
    const api = ctx.client.resource<PodDisruptionBudget>(resources.podDisruptionBudgets);
    const recorder = ctx.recorder('controllermanager');
    const queue = new WorkQueue<string>(ctx.clock);
    pdbs.on({ add: (p) => queue.add(objectKey(p)), update: (_, p) => queue.add(objectKey(p)) });
    const podChanged = (p: Pod) => {
      for (const pdb of pdbs.cache.byIndex('namespace', p.metadata?.namespace ?? '')) {
        if (selectorOf(pdb)?.matches(p.metadata?.labels ?? {})) queue.add(objectKey(pdb));
      }
    };
    pods.on({ add: podChanged, update: (old, p) => { podChanged(old); podChanged(p); }, delete: podChanged });
    const scaleChanged = (o: KubeObject) => {
      for (const pdb of pdbs.cache.byIndex('namespace', o.metadata?.namespace ?? '')) queue.add(objectKey(pdb));
    };
    for (const inf of [replicaSets, deployments, rcs, statefulSets] as Array<Informer<KubeObject>>) {
      inf.on({ update: (old, o) => { if ((old as { spec?: { replicas?: number } }).spec?.replicas !== (o as { spec?: { replicas?: number } }).spec?.replicas) scaleChanged(o); } });
    }

    const lookup: ScaleLookup = {
      replicasFor(ns, ref) {
        const same = <T extends KubeObject>(inf: Informer<T>) => {
          const o = inf.cache.getByName(ns, ref.name);
          return o?.metadata?.uid === ref.uid ? o : undefined;
        };
        if (ref.kind === 'ReplicationController') return same(rcs)?.spec?.replicas ?? undefined;
        if (ref.kind === 'StatefulSet') return same(statefulSets)?.spec?.replicas ?? undefined;
        if (ref.kind === 'ReplicaSet') {
          const rs = same(replicaSets);
          if (!rs) return undefined;
          const owner = controllerRefOf(rs);
          if (owner?.kind === 'Deployment') {
            const d = deployments.cache.getByName(ns, owner.name);
            if (d?.metadata?.uid === owner.uid) return d.spec?.replicas ?? 1;
          }
          return rs.spec?.replicas ?? 1;
        }
        return undefined;
      },
    };

    async function sync(key: string): Promise<void> {
      const pdb = pdbs.cache.get(key);
      if (!pdb) return;
      const ref = referenceTo(pdb, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' });
      const now = ctx.clock.now();
      const selector = selectorOf(pdb);
      const selected = selector ? pods.cache.byIndex('namespace', pdb.metadata?.namespace ?? '').filter((p) => selector.matches(p.metadata?.labels ?? {})) : [];
      if (selected.length === 0) recorder.event(ref, 'Normal', 'NoPods', 'No matching pods found');
      let counts: ReturnType<typeof expectedAndDesired>;
      try {
        counts = expectedAndDesired(pdb, selected, lookup);
      } catch (err) {
        recorder.event(ref, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${(err as Error).message}`);
        const status: PdbStatus = { ...(pdb.status ?? { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 }), disruptionsAllowed: 0 };
        withCondition(status, { status: 'False', reason: 'SyncFailed', message: (err as Error).message }, now);
        await api.updateStatus({ ...pdb, status });
        throw err;
      }
      if (counts.unmanaged.length) {
        recorder.event(ref, 'Warning', 'UnmanagedPods', `Pods selected by this PodDisruptionBudget (selector: ${selector?.toString() || '&LabelSelector{}'}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`);
      }
      const disrupted = pendingDisruptions(pdb, selected, now);
      const currentHealthy = countHealthy(selected, disrupted.map, now);
      let allowed = currentHealthy - counts.desired;
      if (counts.expected <= 0 || allowed <= 0) allowed = 0;
      const status: PdbStatus = {
        ...pdb.status, currentHealthy, desiredHealthy: counts.desired, expectedPods: counts.expected, disruptionsAllowed: allowed,
        observedGeneration: pdb.metadata?.generation,
      };
      if (Object.keys(disrupted.map).length) status.disruptedPods = disrupted.map;
      else delete status.disruptedPods;
      withCondition(status, allowed > 0 ? { status: 'True', reason: 'SufficientPods', message: '' } : { status: 'False', reason: 'InsufficientPods', message: '' }, now);
      if (disrupted.recheckAt !== undefined) queue.addAfter(key, disrupted.recheckAt - now + 1);
      if (JSON.stringify(status) === JSON.stringify(pdb.status)) return;
      await api.updateStatus({ ...pdb, status });
    }
    return {
      run: (signal) => runController({
        name: 'disruption-controller', queue, workers: 5, sync, signal, waitFor: [pdbs, pods, replicaSets, deployments, rcs, statefulSets],
      }),
    };
  },
};
