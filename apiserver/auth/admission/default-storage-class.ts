// DefaultStorageClass: a claim created without storageClassName gets the default class (the
// one annotated storageclass.kubernetes.io/is-default-class; the newest when several are), as
// Kubernetes' admission plugin does. A claim that says "" explicitly keeps "" (no class).
import type { KubeObject } from '../../api/object.js';
import { defaultClassOf } from '../../api/kinds/storage-class.js';
import type { Store } from '../../storage/interfaces.js';
import type { AdmissionPlugin } from './chain.js';

export function defaultStorageClass(store: Store, classPrefix: string): AdmissionPlugin {
  return {
    name: 'DefaultStorageClass',
    mutate(a) {
      if (a.def.group !== '' || a.def.plural !== 'persistentvolumeclaims' || a.subresource || !a.object || a.operation !== 'CREATE') return;
      const spec = (a.object.spec ??= {}) as { storageClassName?: string | null };
      if (spec.storageClassName !== undefined && spec.storageClassName !== null) return;
      if (a.object.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] !== undefined) return;
      const found = defaultClassOf(store.list(classPrefix).items.map((kv) => JSON.parse(kv.value) as KubeObject));
      if (found) spec.storageClassName = found.metadata.name;
    },
  };
}
