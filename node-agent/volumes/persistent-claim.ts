// persistentVolumeClaim volumes: the claim is followed to its bound PersistentVolume and the
// volume's source is set up as kubelet's plugin for it would: hostPath (checked, and created
// for DirectoryOrCreate, which is how local-path volumes get their directory on first use) and
// local (an existing directory) are the node's own paths, bind-mounted into the containers.
// Other sources come from their own plugins (CSI).
import { stat } from 'node:fs/promises';
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import type { Wire } from '../../lib/client/types.js';
import type { Pod, Volume } from '../kube-types.js';
import { checkHostPath } from './host-path.js';
import { VolumeError } from './sources.js';

export type PersistentVolumeClaim = Wire<V1PersistentVolumeClaim>;
export type PersistentVolume = Wire<V1PersistentVolume>;

/** The claims and volumes a node may read (the Node authorizer allows those of its pods). */
export interface ClaimReads {
  persistentVolumeClaim(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined>;
  persistentVolume(name: string): Promise<PersistentVolume | undefined>;
}

/** The bound volume behind a pod's claim, or a VolumeError saying what is wrong, in kubelet's words. */
export async function boundVolume(pod: Pod, claimName: string, api: ClaimReads): Promise<PersistentVolume> {
  const ns = pod.metadata?.namespace ?? '';
  const claim = await api.persistentVolumeClaim(ns, claimName);
  if (!claim) throw new VolumeError(`persistentvolumeclaim "${claimName}" not found`);
  if (claim.metadata?.deletionTimestamp) throw new VolumeError(`can't start pod because PVC ${ns}/${claimName} is being deleted`);
  const volumeName = claim.spec?.volumeName ?? '';
  if (claim.status?.phase !== 'Bound' || !volumeName) {
    throw new VolumeError(`PVC ${ns}/${claimName} has non-bound phase ("${claim.status?.phase ?? ''}") or empty pvc.Spec.VolumeName ("${volumeName}")`);
  }
  const pv = await api.persistentVolume(volumeName);
  if (!pv) throw new VolumeError(`persistentvolume "${volumeName}" not found`);
  const ref = pv.spec?.claimRef;
  if (ref?.uid && ref.uid !== claim.metadata?.uid) {
    throw new VolumeError(`expected PV's claimRef to point to PVC ${ns}/${claimName} (uid ${claim.metadata?.uid}), but it points to ${ref.namespace}/${ref.name} (uid ${ref.uid})`);
  }
  return pv;
}

/** The host directory a claim's volume is, ready to bind-mount. */
export async function setUpClaim(pod: Pod, v: Volume, api: ClaimReads): Promise<{ hostPath: string; readOnly: boolean }> {
  const claimName = v.persistentVolumeClaim?.claimName ?? '';
  const pv = await boundVolume(pod, claimName, api);
  const readOnly = !!v.persistentVolumeClaim?.readOnly;
  // From here on kubelet names the volume by its PersistentVolume.
  const volume = pv.metadata?.name ?? '';
  if (pv.spec?.hostPath) {
    await checkHostPath(pv.spec.hostPath.path, pv.spec.hostPath.type).catch((err: Error) => { throw new VolumeError(err.message, { volume }); });
    return { hostPath: pv.spec.hostPath.path, readOnly };
  }
  if (pv.spec?.local) {
    const st = await stat(pv.spec.local.path).catch(() => undefined);
    if (!st) throw new VolumeError(`path "${pv.spec.local.path}" does not exist`, { volume });
    return { hostPath: pv.spec.local.path, readOnly };
  }
  throw new VolumeError(`persistentvolume "${volume}": volume type is not supported on this node (hostPath and local are)`, { volume });
}
