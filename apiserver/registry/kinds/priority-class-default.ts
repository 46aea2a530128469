// Only one PriorityClass may be the global default (Kubernetes' Priority admission plugin).
import { forbidden } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { ApiContext } from '../../http/api-context.js';
import { decoded } from '../decoded.js';

type PriorityClass = KubeObject & { globalDefault?: boolean };

export function priorityClassExtensions(api: ApiContext): void {
  const rs = api.storeFor('scheduling.k8s.io', 'priorityclasses');
  const check = (obj: KubeObject) => {
    if (!(obj as PriorityClass).globalDefault) return;
    const name = obj.metadata.name ?? '';
    for (const kv of api.store.list(rs.prefix('')).items) {
      const other = decoded(kv) as PriorityClass;
      if (other.globalDefault && other.metadata.name !== name) {
        throw forbidden(rs.gr, name, `PriorityClass ${other.metadata.name} is already marked as default. Only one default can exist`);
      }
    }
  };
  api.extend('scheduling.k8s.io', 'priorityclasses', { hooks: { beforeCreate: check, beforeUpdate: check } });
}
