// What the CSI provisioner decides, as pure functions (external-provisioner's and
// external-resizer's rules): which claims to provision, the CreateVolume request from the claim
// and its StorageClass, the PV made from the driver's answer, which PVs to delete, which to expand.
import { parseQuantity, quantityValue } from '../../lib/quantity.js';
import type { KubeObject } from '../../lib/client/types.js';
import type { AccessModeName, CreateVolumeRequest, CsiVolume, VolumeCapability } from '../../csi/types.js';

export const PROVISIONER_ANNOTATION = 'volume.kubernetes.io/storage-provisioner';
export const BETA_PROVISIONER_ANNOTATION = 'volume.beta.kubernetes.io/storage-provisioner';
export const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';
export const PROVISIONED_BY_ANNOTATION = 'pv.kubernetes.io/provisioned-by';
/** external-provisioner's prefix for parameters it consumes itself (secrets, fstype). */
const RESERVED_PREFIX = 'csi.storage.k8s.io/';

export type Claim = KubeObject & {
  spec?: { accessModes?: string[]; resources?: { requests?: Record<string, string> }; storageClassName?: string; volumeName?: string; volumeMode?: string };
  status?: { phase?: string; capacity?: Record<string, string> };
};

export type StorageClass = KubeObject & {
  provisioner: string;
  parameters?: Record<string, string>;
  reclaimPolicy?: string;
  mountOptions?: string[];
  allowVolumeExpansion?: boolean;
  volumeBindingMode?: string;
};

export type Volume = KubeObject & {
  spec?: {
    capacity?: Record<string, string>; accessModes?: string[]; persistentVolumeReclaimPolicy?: string; storageClassName?: string;
    mountOptions?: string[]; volumeMode?: string;
    claimRef?: { apiVersion?: string; kind?: string; namespace?: string; name?: string; uid?: string; resourceVersion?: string };
    csi?: { driver: string; volumeHandle: string; fsType?: string; volumeAttributes?: Record<string, string> };
  };
  status?: { phase?: string };
};

const ACCESS: Record<string, AccessModeName> = {
  ReadWriteOnce: 'SINGLE_NODE_WRITER', ReadOnlyMany: 'MULTI_NODE_READER_ONLY', ReadWriteMany: 'MULTI_NODE_MULTI_WRITER', ReadWriteOncePod: 'SINGLE_NODE_SINGLE_WRITER',
};

export function provisionerOf(claim: Claim): string | undefined {
  const a = claim.metadata?.annotations ?? {};
  return a[PROVISIONER_ANNOTATION] ?? a[BETA_PROVISIONER_ANNOTATION];
}

/** The PV name external-provisioner gives a claim's volume (its default --volume-name-prefix). */
export function pvNameFor(claim: Claim): string {
  return `pvc-${claim.metadata?.uid ?? ''}`;
}

export function requestBytes(claim: Claim): number {
  const s = claim.spec?.resources?.requests?.storage;
  return s ? Math.ceil(quantityValue(parseQuantity(s))) : 0;
}

/** Whether `driver` should provision this claim now (WaitForFirstConsumer waits for a node). */
export function wantsProvisioning(claim: Claim, sc: StorageClass | undefined, driver: string): boolean {
  if (provisionerOf(claim) !== driver || !sc || sc.provisioner !== driver) return false;
  if (claim.spec?.volumeName || claim.metadata?.deletionTimestamp) return false;
  if ((claim.status?.phase ?? 'Pending') !== 'Pending') return false;
  if (sc.volumeBindingMode === 'WaitForFirstConsumer' && !claim.metadata?.annotations?.[SELECTED_NODE_ANNOTATION]) return false;
  return true;
}

export function capabilities(accessModes: readonly string[] | undefined, sc: StorageClass, volumeMode?: string): VolumeCapability[] {
  const fsType = sc.parameters?.['csi.storage.k8s.io/fstype'] ?? '';
  return (accessModes?.length ? accessModes : ['ReadWriteOnce']).map((m) => ({
    ...(volumeMode === 'Block' ? { block: {} } : { mount: { fsType, mountFlags: sc.mountOptions ?? [] } }),
    accessMode: { mode: ACCESS[m] ?? 'UNKNOWN' },
  }));
}

/** The CreateVolume call, with the metadata external-provisioner adds under --extra-create-metadata. */
export function createVolumeRequest(claim: Claim, sc: StorageClass): CreateVolumeRequest {
  const params = Object.fromEntries(Object.entries(sc.parameters ?? {}).filter(([k]) => !k.startsWith(RESERVED_PREFIX)));
  const pvName = pvNameFor(claim);
  return {
    name: pvName,
    capacityRange: { requiredBytes: requestBytes(claim) },
    volumeCapabilities: capabilities(claim.spec?.accessModes, sc, claim.spec?.volumeMode),
    parameters: {
      ...params,
      'csi.storage.k8s.io/pvc/name': claim.metadata?.name ?? '',
      'csi.storage.k8s.io/pvc/namespace': claim.metadata?.namespace ?? '',
      'csi.storage.k8s.io/pv/name': pvName,
    },
  };
}

/** The PV for a created volume, pre-bound to its claim (the PV controller completes the bind). */
export function provisionedVolume(claim: Claim, sc: StorageClass, volume: CsiVolume): Volume {
  const requested = claim.spec?.resources?.requests?.storage ?? '0';
  const capacity = volume.capacityBytes && volume.capacityBytes > requestBytes(claim) ? String(volume.capacityBytes) : requested;
  const fsType = sc.parameters?.['csi.storage.k8s.io/fstype'];
  return {
    apiVersion: 'v1', kind: 'PersistentVolume',
    metadata: { name: pvNameFor(claim), annotations: { [PROVISIONED_BY_ANNOTATION]: sc.provisioner } },
    spec: {
      capacity: { storage: capacity },
      accessModes: claim.spec?.accessModes ?? ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
      storageClassName: sc.metadata?.name,
      ...(sc.mountOptions?.length ? { mountOptions: sc.mountOptions } : {}),
      volumeMode: claim.spec?.volumeMode ?? 'Filesystem',
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: claim.metadata?.namespace, name: claim.metadata?.name, uid: claim.metadata?.uid, resourceVersion: claim.metadata?.resourceVersion },
      csi: { driver: sc.provisioner, volumeHandle: volume.volumeId, ...(fsType ? { fsType } : {}), volumeAttributes: { ...(volume.volumeContext ?? {}), 'storage.kubernetes.io/csiProvisionerIdentity': `k8ts-${sc.provisioner}` } },
    },
  };
}

/** A released PV of `driver` with reclaim policy Delete: its volume is deleted, then the PV. */
export function wantsDeletion(pv: Volume, driver: string): boolean {
  return pv.metadata?.annotations?.[PROVISIONED_BY_ANNOTATION] === driver && pv.spec?.csi?.driver === driver
    && pv.status?.phase === 'Released' && pv.spec?.persistentVolumeReclaimPolicy === 'Delete' && !pv.metadata?.deletionTimestamp;
}

/** The new size in bytes when a bound claim of an expandable class asks for more than its PV has. */
export function expansionTarget(claim: Claim, pv: Volume | undefined, sc: StorageClass | undefined, driver: string): number | undefined {
  if (!pv || !sc?.allowVolumeExpansion || pv.spec?.csi?.driver !== driver || claim.status?.phase !== 'Bound') return undefined;
  const have = pv.spec?.capacity?.storage;
  const want = requestBytes(claim);
  return have && want > quantityValue(parseQuantity(have)) ? want : undefined;
}
