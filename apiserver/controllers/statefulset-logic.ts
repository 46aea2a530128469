// StatefulSet identities and invariants (pkg/controller/statefulset/stateful_set_utils.go): pods
// named <set>-<ordinal> with a stable hostname, subdomain and labels, claims named
// <template>-<set>-<ordinal>, which revision a new pod gets under a partition, and the status
// counted over pods. Pure functions.
import type { OwnerReference, Pod } from '../../lib/client/types.js';
import { revisionHashLabel } from './controller-history.js';
import { podFromTemplate } from './pod-control.js';
import { isPodAvailable, isPodReady } from './pod-helpers.js';
import type { PersistentVolumeClaim, PodTemplateSpec, StatefulSet } from './workload-types.js';

export const podNameLabel = 'statefulset.kubernetes.io/pod-name';
export const podIndexLabel = 'apps.kubernetes.io/pod-index';

const ordinalRe = /^(.*)-([0-9]+)$/;

/** getParentNameAndOrdinal: ("web", 2) for "web-2"; ordinal -1 when the name has none. */
export function parentAndOrdinal(pod: Pod): { parent: string; ordinal: number } {
  const m = ordinalRe.exec(pod.metadata?.name ?? '');
  if (!m) return { parent: '', ordinal: -1 };
  const n = Number(m[2]);
  return Number.isSafeInteger(n) && n <= 2147483647 ? { parent: m[1], ordinal: n } : { parent: '', ordinal: -1 };
}

export const ordinalOf = (pod: Pod) => parentAndOrdinal(pod).ordinal;
export const startOrdinal = (set: StatefulSet) => set.spec?.ordinals?.start ?? 0;
export const replicasOf = (set: StatefulSet) => set.spec?.replicas ?? 1;
export const podName = (set: StatefulSet, ordinal: number) => `${set.metadata?.name}-${ordinal}`;
export const claimName = (set: StatefulSet, template: string, ordinal: number) => `${template}-${set.metadata?.name}-${ordinal}`;

/** isMemberOf: the pod's name says it belongs to this set. */
export const isMemberOf = (set: StatefulSet, pod: Pod) => parentAndOrdinal(pod).parent === set.metadata?.name;

export function inOrdinalRange(pod: Pod, set: StatefulSet): boolean {
  const o = ordinalOf(pod);
  return o >= startOrdinal(set) && o < startOrdinal(set) + replicasOf(set);
}

export const isCreated = (p: Pod) => !!p.status?.phase;
export const isTerminating = (p: Pod) => !!p.metadata?.deletionTimestamp;
export const isRunningAndReady = (p: Pod) => p.status?.phase === 'Running' && isPodReady(p);
export const isRunningAndAvailable = (p: Pod, minReady: number, now: number) => p.status?.phase === 'Running' && isPodAvailable(p, minReady, now);
export const isHealthy = (p: Pod) => isRunningAndReady(p) && !isTerminating(p);
export const podRevision = (p: Pod) => p.metadata?.labels?.[revisionHashLabel] ?? '';

/** The pod's template as of a revision (ApplyRevision of the stored template patch). */
export function templateOfRevision(data: unknown): PodTemplateSpec {
  const t = structuredClone((data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template ?? {});
  delete t.$patch;
  return t as PodTemplateSpec;
}

/** The claims a pod of the set uses, one per volumeClaimTemplate, labelled with the set's matchLabels. */
export function claimsFor(set: StatefulSet, ordinal: number): Array<{ volume: string; claim: PersistentVolumeClaim }> {
  return (set.spec?.volumeClaimTemplates ?? []).map((t) => {
    const name = t.metadata?.name ?? '';
    const { creationTimestamp: _ct, ...meta } = structuredClone(t.metadata ?? {});
    const claim: PersistentVolumeClaim = {
      metadata: {
        ...meta, name: claimName(set, name, ordinal), namespace: set.metadata?.namespace,
        labels: { ...meta.labels, ...set.spec?.selector?.matchLabels },
      },
      spec: structuredClone(t.spec),
    };
    return { volume: name, claim };
  });
}

/** updateStorage: a PVC volume per claim template (replacing a volume of that name), other volumes kept. */
export function withClaimVolumes(set: StatefulSet, pod: Pod, ordinal: number): void {
  const claims = claimsFor(set, ordinal);
  const names = new Set(claims.map((c) => c.volume));
  const spec = (pod.spec ??= { containers: [] });
  spec.volumes = [
    ...claims.map((c) => ({ name: c.volume, persistentVolumeClaim: { claimName: c.claim.metadata?.name ?? '' } })),
    ...(spec.volumes ?? []).filter((v) => !names.has(v.name)),
  ];
}

/** updateIdentity: name, namespace and the pod-name and pod-index labels. */
export function setIdentity(set: StatefulSet, pod: Pod, ordinal: number): void {
  pod.metadata = { ...pod.metadata, name: podName(set, ordinal), namespace: set.metadata?.namespace };
  pod.metadata.labels = { ...pod.metadata.labels, [podNameLabel]: pod.metadata.name!, [podIndexLabel]: String(ordinal) };
}

/** newStatefulSetPod: from the template, with identity (hostname and subdomain fixed at creation) and storage. */
export function newSetPod(set: StatefulSet, template: PodTemplateSpec | undefined, ref: OwnerReference, ordinal: number, revision: string): Pod {
  const pod = podFromTemplate(template, set.metadata?.namespace ?? '', ref, '');
  delete pod.metadata!.generateName;
  setIdentity(set, pod, ordinal);
  pod.spec!.hostname = pod.metadata!.name;
  if (set.spec?.serviceName) pod.spec!.subdomain = set.spec.serviceName;
  withClaimVolumes(set, pod, ordinal);
  pod.metadata!.labels = { ...pod.metadata!.labels, [revisionHashLabel]: revision };
  return pod;
}

/** Below the partition a new pod gets the current revision, from it on the update revision. */
export function revisionForOrdinal(set: StatefulSet, ordinal: number): 'current' | 'update' {
  const strategy = set.spec?.updateStrategy;
  if (strategy?.type === 'OnDelete') return 'update';
  const partition = strategy?.rollingUpdate?.partition ?? 0;
  return ordinal < startOrdinal(set) + partition ? 'current' : 'update';
}

export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = parentAndOrdinal(pod);
  return ordinal >= 0 && parent === set.metadata?.name && pod.metadata?.name === podName(set, ordinal)
    && pod.metadata?.namespace === set.metadata?.namespace && pod.metadata?.labels?.[podNameLabel] === pod.metadata?.name;
}

export function storageMatches(set: StatefulSet, pod: Pod): boolean {
  const ordinal = ordinalOf(pod);
  if (ordinal < 0) return false;
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  return claimsFor(set, ordinal).every((c) => volumes.get(c.volume)?.persistentVolumeClaim?.claimName === c.claim.metadata?.name);
}

export interface SetCounts {
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
}

/** computeReplicaStatus over pods (uncreated placeholders are skipped). */
export function countPods(pods: readonly (Pod | undefined)[], minReady: number, current: string, update: string, now: number): SetCounts {
  const c: SetCounts = { replicas: 0, readyReplicas: 0, availableReplicas: 0, currentReplicas: 0, updatedReplicas: 0 };
  for (const p of pods) {
    if (!p) continue;
    if (isCreated(p)) c.replicas++;
    if (isRunningAndReady(p)) {
      c.readyReplicas++;
      if (isRunningAndAvailable(p, minReady, now)) c.availableReplicas++;
    }
    if (isCreated(p) && !isTerminating(p)) {
      if (podRevision(p) === current) c.currentReplicas++;
      if (podRevision(p) === update) c.updatedReplicas++;
    }
  }
  return c;
}

export type SetStatus = NonNullable<StatefulSet['status']>;

/** completeRollingUpdate: once every pod is updated and ready, the update revision becomes current. */
export function completeRollingUpdate(set: StatefulSet, s: SetStatus): void {
  if ((set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && (s.updatedReplicas ?? 0) === s.replicas && (s.readyReplicas ?? 0) === s.replicas) {
    s.currentReplicas = s.updatedReplicas;
    s.currentRevision = s.updateRevision;
  }
}

/** inconsistentStatus: whether the status must be written. */
export function statusChanged(set: StatefulSet, s: SetStatus): boolean {
  const c = set.status ?? { replicas: 0 };
  return (c.observedGeneration ?? 0) !== (s.observedGeneration ?? 0) || (c.replicas ?? 0) !== (s.replicas ?? 0)
    || (c.currentReplicas ?? 0) !== (s.currentReplicas ?? 0) || (c.readyReplicas ?? 0) !== (s.readyReplicas ?? 0)
    || (c.updatedReplicas ?? 0) !== (s.updatedReplicas ?? 0) || (c.availableReplicas ?? 0) !== (s.availableReplicas ?? 0)
    || (c.currentRevision ?? '') !== (s.currentRevision ?? '') || (c.updateRevision ?? '') !== (s.updateRevision ?? '')
    || (c.collisionCount ?? 0) !== (s.collisionCount ?? 0);
}

/**
 * updateClaimOwnerRefForSetAndPod: the owner references a claim should have under the retention
 * policy. whenDeleted: Delete makes the set an owner (the claim goes with the set); whenScaled:
 * Delete makes a scaled-down pod the owner (the claim goes with the pod).
 */
export function claimOwnerRefs(claimRefs: readonly OwnerReference[] | undefined, set: StatefulSet, pod: Pod): OwnerReference[] {
  const policy = set.spec?.persistentVolumeClaimRetentionPolicy;
  const deleteWithSet = policy?.whenDeleted === 'Delete';
  const deleteWhenScaled = policy?.whenScaled === 'Delete';
  const scaledDown = !inOrdinalRange(pod, set);
  const setUid = set.metadata?.uid ?? '';
  const podUid = pod.metadata?.uid ?? '';
  const wantSet = deleteWithSet && !(deleteWhenScaled && scaledDown);
  const wantPod = deleteWhenScaled && scaledDown && !!podUid;
  const refs = (claimRefs ?? []).filter((r) => (r.uid !== setUid || wantSet) && (r.uid !== podUid || wantPod));
  if (wantSet && !refs.some((r) => r.uid === setUid)) refs.push({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: set.metadata?.name ?? '', uid: setUid });
  if (wantPod && !refs.some((r) => r.uid === podUid)) refs.push({ apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name ?? '', uid: podUid });
  return refs;
}
