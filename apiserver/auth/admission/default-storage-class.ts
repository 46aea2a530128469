// DefaultStorageClass: a claim created without storageClassName gets the default class (the
// one annotated storageclass.kubernetes.io/is-default-class; the newest when several are), as
// Kubernetes' admission plugin does. A claim that says "" explicitly keeps "" (no class).
import type { KubeObject } from '../../api/object.js';
import { isDefaultClass } from '../../api/kinds/storage-class.js';
import type { Store } from '../../storage/interfaces.js';
import type { AdmissionPlugin } from './chain.js';

/** The default class among `classes`: the most recently created wins, then the name. */
export function defaultClassOf(classes: readonly KubeObject[]): KubeObject | undefined {
  return classes.filter(isDefaultClass).sort((a, b) => {
    const at = a.metadata.creationTimestamp ?? '';
    const bt = b.metadata.creationTimestamp ?? '';
    return at === bt ? (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '') : (at < bt ? 1 : -1);
  })[0];
}

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
