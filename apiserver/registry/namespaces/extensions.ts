// Namespace-specific server behaviour: a deleted namespace turns Terminating and stays until its
// spec.finalizers are empty (the namespace controller removes "kubernetes" through /finalize once
// the content is gone); the finalize subresource changes only spec.finalizers.
import { badRequest, invalid } from '../../api/errors.js';
import { invalidValue, path, type FieldError } from '../../api/field-errors.js';
import { isPlainObject, type KubeObject } from '../../api/object.js';
import { isQualifiedName } from '../../api/validation/names.js';
import type { ApiContext } from '../api-context.js';
import { parseResourceVersion } from '../rest-store.js';

type Namespace = KubeObject & { spec?: { finalizers?: string[] }; status?: { phase?: string } };

/** A namespace being deleted is Terminating, and waits while spec.finalizers is not empty. */
export function namespacePendingDeletion(obj: KubeObject): boolean {
  const ns = obj as Namespace;
  ns.status = { ...ns.status, phase: 'Terminating' };
  return (ns.spec?.finalizers ?? []).length > 0;
}

function validateFinalizers(finalizers: unknown): FieldError[] {
  if (finalizers === undefined || finalizers === null) return [];
  if (!Array.isArray(finalizers)) return [invalidValue(path('spec', 'finalizers'), finalizers, 'must be a list of strings')];
  const errs: FieldError[] = [];
  finalizers.forEach((f, i) => {
    const msgs = typeof f === 'string' ? isQualifiedName(f) : ['must be a string'];
    for (const m of msgs) errs.push(invalidValue(path('spec', 'finalizers').index(i), f, m));
  });
  return errs;
}

export function namespaceExtensions(api: ApiContext): void {
  api.extend('', 'namespaces', {
    hooks: { pendingDeletion: namespacePendingDeletion },
    subresources: [{
      name: 'finalize', kind: 'Namespace', verbs: ['update'],
      async update(req, body) {
        const spec = body.spec;
        if (spec !== undefined && !isPlainObject(spec)) throw badRequest('spec must be an object');
        const finalizers = (spec as { finalizers?: unknown } | undefined)?.finalizers;
        const errs = validateFinalizers(finalizers);
        if (errs.length) throw invalid({ group: '', kind: 'Namespace' }, req.name, errs);
        const rv = body.metadata?.resourceVersion;
        return api.storeFor('', 'namespaces').guaranteedUpdate('', req.name, req.ctx, (cur) => {
          const ns = cur as Namespace;
          ns.spec = { ...ns.spec, finalizers: [...((finalizers as string[] | undefined) ?? [])] };
          if (!ns.spec.finalizers?.length) delete ns.spec.finalizers;
          return ns;
        }, { subresource: 'finalize', expectedRV: parseResourceVersion(rv) });
      },
    }],
  });
}
