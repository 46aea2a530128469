// VolumeBinding, as kube-scheduler's plugin: a pod's claims must exist and not be deleting;
// an unbound claim of an Immediate class keeps the pod out until the binder binds it; a bound
// claim's volume must allow the node (its node affinity); an unbound WaitForFirstConsumer claim
// needs, on the node, a free matching volume or a class that provisions. Which volume or
// provisioning each claim gets on the chosen node is decided at binding (volume-prebind.ts).
import type { Node } from '../../../lib/client/types.js';
import { findMatchingVolume, volumeFitsNode } from '../../volumes/pv-matching.js';
import {
  claimClass, isWaitForFirstConsumer, podClaimNames, type PersistentVolume, type PersistentVolumeClaim, type StorageClass,
} from '../../volumes/volume-types.js';
import type { NodeView, PodInfo } from '../types.js';
import { unresolvable, unschedulable, type ClusterView, type Plugin } from './plugin.js';

export const volumeBindingName = 'VolumeBinding';
/** A class with this provisioner never provisions: only static volumes serve it. */
export const noProvisioner = 'kubernetes.io/no-provisioner';

export const unboundImmediateClaims = 'pod has unbound immediate PersistentVolumeClaims';
export const volumeNodeAffinityConflict = 'node(s) had volume node affinity conflict';
export const noVolumesToBind = "node(s) didn't find available persistent volumes to bind";

/** The claims, volumes and classes the scheduler sees (informer caches). */
export interface StorageView {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  volume(name: string): PersistentVolume | undefined;
  volumes(): readonly PersistentVolume[];
  storageClass(name: string): StorageClass | undefined;
}

export interface VolumeBindingState {
  /** Why no node can take the pod (a pre-filter verdict), if so. */
  reject?: string;
  bound: PersistentVolume[];
  delayed: PersistentVolumeClaim[];
  volumes: readonly PersistentVolume[];
  storage?: StorageView;
}

/** What the pod's claims need, or why it cannot be scheduled at all. */
export function volumeBindingPreFilter(pod: PodInfo, storage: StorageView | undefined): VolumeBindingState {
  const names = podClaimNames(pod.pod);
  const state: VolumeBindingState = { bound: [], delayed: [], volumes: [], storage };
  if (names.length === 0 || !storage) return state;
  let unboundImmediate = false;
  const ephemeral = new Set((pod.pod.spec?.volumes ?? []).filter((v) => v.ephemeral).map((v) => `${pod.name}-${v.name}`));
  for (const name of names) {
    const c = storage.claim(pod.namespace, name);
    if (!c && ephemeral.has(name)) return { ...state, reject: `waiting for ephemeral volume controller to create the persistentvolumeclaim "${name}"` };
    if (!c) return { ...state, reject: `persistentvolumeclaim "${name}" not found` };
    if (c.metadata?.deletionTimestamp) return { ...state, reject: `persistentvolumeclaim "${name}" is being deleted` };
    const volumeName = c.spec?.volumeName;
    if (volumeName && c.status?.phase !== 'Pending') {
      const v = storage.volume(volumeName);
      if (!v) return { ...state, reject: `pvc(s) bound to non-existent pv(s)` };
      state.bound.push(v);
    } else if (isWaitForFirstConsumer(storage.storageClass(claimClass(c)))) {
      state.delayed.push(c);
    } else {
      unboundImmediate = true;
    }
  }
  if (unboundImmediate) return { ...state, reject: unboundImmediateClaims };
  if (state.delayed.length) state.volumes = storage.volumes();
  return state;
}

/** How each delayed claim would be served on `node`: a volume to bind, or provisioning (undefined). */
export function claimPlan(state: VolumeBindingState, node: Node): Map<PersistentVolumeClaim, PersistentVolume | undefined> | string {
  const plan = new Map<PersistentVolumeClaim, PersistentVolume | undefined>();
  const taken = new Set<string>();
  for (const c of state.delayed) {
    const free = state.volumes.filter((v) => !taken.has(v.metadata?.name ?? ''));
    const v = findMatchingVolume(c, free, { node });
    if (v) {
      taken.add(v.metadata?.name ?? '');
      plan.set(c, v);
      continue;
    }
    const provisioner = state.storage?.storageClass(claimClass(c))?.provisioner;
    if (!provisioner || provisioner === noProvisioner) return noVolumesToBind;
    plan.set(c, undefined);
  }
  return plan;
}

export const volumeBinding: Plugin = {
  name: volumeBindingName,
  weight: 0,
  preFilter: (pod: PodInfo, cluster: ClusterView) => volumeBindingPreFilter(pod, cluster.storage),
  rejects: (state) => (state as VolumeBindingState | undefined)?.reject,
  filter(_pod: PodInfo, node: NodeView, raw: unknown) {
    const state = raw as VolumeBindingState | undefined;
    if (!state || (state.bound.length === 0 && state.delayed.length === 0)) return undefined;
    if (state.reject) return unresolvable(volumeBindingName, state.reject);
    if (state.bound.some((v) => !volumeFitsNode(v, node.node))) return unresolvable(volumeBindingName, volumeNodeAffinityConflict);
    if (state.delayed.length && typeof claimPlan(state, node.node) === 'string') return unschedulable(volumeBindingName, noVolumesToBind);
    return undefined;
  },
};
