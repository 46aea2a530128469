// StorageObjectInUseProtection: new claims and volumes are born with their protection
// finalizer, so one deleted right after it was created is still protected before the
// protection controllers have seen it (they add it to older objects and remove it when safe).
import type { AdmissionPlugin } from './chain.js';

const finalizers: Record<string, string> = {
  persistentvolumeclaims: 'kubernetes.io/pvc-protection',
  persistentvolumes: 'kubernetes.io/pv-protection',
};

export function storageObjectInUseProtection(): AdmissionPlugin {
  return {
    name: 'StorageObjectInUseProtection',
    mutate(a) {
      const finalizer = finalizers[a.def.plural];
      if (a.def.group !== '' || !finalizer || a.subresource || !a.object || a.operation !== 'CREATE') return;
      const list = a.object.metadata.finalizers ?? [];
      if (!list.includes(finalizer)) a.object.metadata.finalizers = [...list, finalizer];
    },
  };
}
