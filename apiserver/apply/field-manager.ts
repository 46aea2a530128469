// Keeps metadata.managedFields on every write: the generic store reports creates and updates
// here, server-side apply computes its own. Schemas come from the one schema registry.
import { deepEqual, type KubeObject } from '../api/object.js';
import { apiVersionOf, type ResourceDef } from '../api/resource.js';
import type { SchemaRegistry } from '../api/schema/schema-registry.js';
import type { Schema } from '../api/schema/schema.js';
import type { RequestContext } from '../registry/context.js';
import type { FieldTracker } from '../registry/rest-store.js';
import { decodeManagers, encodeManagers, ignoredPaths, ManagedFields, type Actor, type Ignore } from './managers.js';
import { TypedView } from './typed.js';

export class FieldManager implements FieldTracker {
  constructor(private readonly schemas: SchemaRegistry) {}

  /** The schema, bookkeeping and identity for a write of `def` at `version`. */
  context(def: ResourceDef, version: string, ctx: RequestContext, subresource?: string): { schema?: Schema; fields: ManagedFields; actor: Actor; ignore: Ignore } {
    const schema = this.schemas.forKind({ group: def.group, version, kind: def.kind })?.schema;
    const fields = new ManagedFields(new TypedView(this.schemas.definitions()));
    const actor: Actor = { manager: ctx.fieldManager || 'kube-apiserver', apiVersion: apiVersionOf(def.group, version), subresource };
    return { schema, fields, actor, ignore: ignoredPaths(subresource, !!def.statusStrategy) };
  }

  created(obj: KubeObject, def: ResourceDef, ctx: RequestContext): void {
    const c = this.context(def, def.version, ctx);
    const managers = c.fields.created(obj as unknown as Record<string, unknown>, c.schema, c.actor, c.ignore);
    setManaged(obj, encodeManagers(managers));
  }

  updated(old: KubeObject, next: KubeObject, def: ResourceDef, ctx: RequestContext, subresource?: string): void {
    const c = this.context(def, def.version, ctx, subresource === 'status' || subresource === 'scale' ? subresource : undefined);
    // A client that rewrote managedFields itself sets the starting point, as in Kubernetes.
    const base = next.metadata.managedFields !== undefined && !deepEqual(next.metadata.managedFields, old.metadata.managedFields)
      ? next.metadata.managedFields : old.metadata.managedFields;
    const managers = c.fields.update(old, next, c.schema, decodeManagers(base), c.actor, c.ignore);
    setManaged(next, encodeManagers(managers));
  }
}

function setManaged(obj: KubeObject, entries: KubeObject['metadata']['managedFields']): void {
  if (entries && entries.length) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
}
