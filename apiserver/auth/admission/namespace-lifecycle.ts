// NamespaceLifecycle: nothing is created in a namespace that does not exist or is being
// terminated, and the system namespaces cannot be deleted. It runs in the mutating phase, first,
// as in Kubernetes: a pod for a missing namespace is a 404 before any other plugin looks at it.
import { forbidden, notFound, StatusError } from '../../api/errors.js';
import type { Store } from '../../storage/interfaces.js';
import type { AdmissionPlugin } from './chain.js';

const immortal = new Set(['default', 'kube-system', 'kube-public']);

export function namespaceLifecycle(store: Store, namespaceKey: (name: string) => string): AdmissionPlugin {
  return {
    name: 'NamespaceLifecycle',
    mutate(a) {
      const gr = { group: a.def.group, resource: a.def.plural };
      if (a.operation === 'DELETE' && a.def.group === '' && a.def.plural === 'namespaces' && immortal.has(a.name)) {
        throw forbidden(gr, a.name, 'this namespace may not be deleted');
      }
      if (a.operation !== 'CREATE' || !a.def.namespaced || !a.namespace) return;
      const kv = store.get(namespaceKey(a.namespace));
      if (!kv) throw notFound({ group: '', resource: 'namespaces' }, a.namespace);
      if (kv.value.includes('"deletionTimestamp"')) {
        const ns = JSON.parse(kv.value) as { metadata: { deletionTimestamp?: string } };
        if (ns.metadata.deletionTimestamp) {
          const err = forbidden(gr, a.name, `unable to create new content in namespace ${a.namespace} because it is being terminated`);
          err.status.details!.causes = [{ reason: 'NamespaceTerminating', message: `namespace ${a.namespace} is being terminated`, field: 'metadata.namespace' }];
          throw err as StatusError;
        }
      }
    },
  };
}
