// PersistentVolumes, claims and classes as the binder, the scheduler and the provisioner read
// them, and the annotations and finalizers Kubernetes uses between them.
import type { V1PersistentVolume, V1PersistentVolumeClaim, V1StorageClass } from '@kubernetes/client-node';
import type { Wire } from '../../lib/client/types.js';

export type PersistentVolume = Wire<V1PersistentVolume>;
export type PersistentVolumeClaim = Wire<V1PersistentVolumeClaim>;
export type StorageClass = Wire<V1StorageClass>;

/** On a claim: binding finished once (the binder then only keeps it consistent). */
export const annBindCompleted = 'pv.kubernetes.io/bind-completed';
/** On a volume or claim: the binder, not a user, made the binding. */
export const annBoundByController = 'pv.kubernetes.io/bound-by-controller';
/** On a volume: the provisioner that created it (and deletes it on reclaim). */
export const annProvisionedBy = 'pv.kubernetes.io/provisioned-by';
/** On a claim: which external provisioner should act. */
export const annStorageProvisioner = 'volume.kubernetes.io/storage-provisioner';
export const annBetaStorageProvisioner = 'volume.beta.kubernetes.io/storage-provisioner';
/** On a claim: the node the scheduler chose for a WaitForFirstConsumer claim. */
export const annSelectedNode = 'volume.kubernetes.io/selected-node';
export const pvcProtectionFinalizer = 'kubernetes.io/pvc-protection';
export const pvProtectionFinalizer = 'kubernetes.io/pv-protection';

/** The class a claim asks for: the beta annotation wins over the field, as Kubernetes reads it. */
export function claimClass(c: PersistentVolumeClaim): string {
  return c.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? c.spec?.storageClassName ?? '';
}

export function volumeClass(v: PersistentVolume): string {
  return v.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? v.spec?.storageClassName ?? '';
}

/** Whether a class delays binding until a pod using the claim is scheduled. */
export function isWaitForFirstConsumer(sc: StorageClass | undefined): boolean {
  return sc?.volumeBindingMode === 'WaitForFirstConsumer';
}

/** The claims a pod's volumes name ("ns/name"), including generic ephemeral volumes' claims. */
export function podClaimNames(pod: { metadata?: { name?: string }; spec?: { volumes?: Array<{ name: string; persistentVolumeClaim?: { claimName: string }; ephemeral?: unknown }> } }): string[] {
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim?.claimName) out.push(v.persistentVolumeClaim.claimName);
    else if (v.ephemeral) out.push(`${pod.metadata?.name}-${v.name}`);
  }
  return out;
}
