// Namespaces: Active on create with the kubernetes finalizer; Terminating once deleted.
import type { Strategy } from '../resource.js';
import type { KubeObject } from '../object.js';
import { ageColumn, since, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';

type Namespace = KubeObject & { spec?: { finalizers?: string[] }; status?: { phase?: string; conditions?: unknown[] } };

export const namespaceStrategy: Strategy = {
  prepareForCreate(obj) {
    const ns = obj as Namespace;
    ns.status = { phase: 'Active' };
    const finalizers = new Set(ns.spec?.finalizers ?? []);
    finalizers.add('kubernetes');
    ns.spec = { ...ns.spec, finalizers: [...finalizers] };
  },
  prepareForUpdate(obj, old, ctx) {
    // The spec (finalizers) changes only through /finalize, and /finalize changes nothing else.
    if (ctx.subresource === 'finalize') {
      (obj as Namespace).status = (old as Namespace).status;
      return;
    }
    (obj as Namespace).spec = (old as Namespace).spec;
  },
  default(obj) {
    // Kubernetes labels every namespace with its own name.
    const name = obj.metadata.name;
    if (name) obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': name };
  },
};

export const namespaceTable: TableDef = {
  columns: [col('Status', 'The status of the namespace'), ageColumn],
  cells: (o, now) => [(o as Namespace).status?.phase ?? '', since(o.metadata.creationTimestamp, now)],
};
