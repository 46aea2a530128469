// Everything the registry serves a request with: the resource registry, storage, the
// per-resource stores, the admission chain, and the extensions the server wires in (custom
// subresources, resources that are computed or answered instead of stored).
import type { Registry } from '../api/registry.js';
import type { ResourceDef } from '../api/resource.js';
import { SchemaRegistry } from '../api/schema/schema-registry.js';
import { FieldManager } from '../apply/field-manager.js';
import type { KubeObject } from '../api/object.js';
import type { Store } from '../storage/interfaces.js';
import type { Admission } from './context.js';
import { RestStore, type GracefulDelete, type ResourceHooks } from './rest-store.js';
import type { RestRequest, SubresourceDef } from './subresource.js';

/** Get and list of a resource computed on request instead of stored (componentstatuses). */
export interface VirtualRead {
  get(req: RestRequest, name: string): Promise<KubeObject>;
  list(req: RestRequest): Promise<KubeObject[]>;
}

/** Per-resource extensions wired in by the server: storage hooks, graceful deletion, subresources. */
export interface ResourceExtensions {
  hooks?: ResourceHooks;
  gracefulDelete?: GracefulDelete;
  subresources?: SubresourceDef[];
  /** Serves create for resources that are not stored (reviews, bindings): returns the response object. */
  create?(req: RestRequest, obj: KubeObject): Promise<KubeObject>;
  read?: VirtualRead;
}

export class ApiContext {
  private readonly stores = new Map<ResourceDef, RestStore>();
  private readonly extensions = new Map<string, ResourceExtensions>();

  /** Schemas of every kind (built-in kinds are known at construction; CRDs register theirs). */
  readonly schemas: SchemaRegistry;
  /** Keeps metadata.managedFields on every write. */
  readonly fieldManager: FieldManager;

  constructor(readonly registry: Registry, readonly store: Store, readonly admission: Admission) {
    this.schemas = SchemaRegistry.forBuiltins(registry);
    this.fieldManager = new FieldManager(this.schemas);
  }

  extend(group: string, plural: string, ext: ResourceExtensions): void {
    const key = `${group}/${plural}`;
    const def = this.registry.definition(group, plural);
    // A store takes its hooks and graceful deletion when first made: later ones would be
    // silently ignored (pods deleted at once instead of gracefully, say).
    if ((ext.hooks || ext.gracefulDelete) && def && this.stores.has(def)) throw new Error(`storage extensions for ${plural}.${group} must be installed before its store is first used`);
    const cur = this.extensions.get(key) ?? {};
    this.extensions.set(key, {
      hooks: ext.hooks ?? cur.hooks,
      gracefulDelete: ext.gracefulDelete ?? cur.gracefulDelete,
      subresources: [...(cur.subresources ?? []), ...(ext.subresources ?? [])],
      create: ext.create ?? cur.create,
      read: ext.read ?? cur.read,
    });
  }

  /** The custom create of a resource that is not stored, if it has one. */
  virtualCreate(def: ResourceDef): ResourceExtensions['create'] {
    return this.extensions.get(`${def.group}/${def.plural}`)?.create;
  }

  /** The computed get/list of a resource that is not stored, if it has one. */
  virtualRead(def: ResourceDef): VirtualRead | undefined {
    return this.extensions.get(`${def.group}/${def.plural}`)?.read;
  }

  subresources(def: ResourceDef): SubresourceDef[] {
    return this.extensions.get(`${def.group}/${def.plural}`)?.subresources ?? [];
  }

  /** The generic store of a resource (one per definition). */
  restStore(def: ResourceDef): RestStore {
    let rs = this.stores.get(def);
    if (!rs) {
      const ext = this.extensions.get(`${def.group}/${def.plural}`) ?? {};
      rs = new RestStore(def, this.store, this.admission, ext.hooks, ext.gracefulDelete, this.fieldManager);
      this.stores.set(def, rs);
    }
    return rs;
  }

  /** The store for a resource by group and plural; throws if it is not registered. */
  storeFor(group: string, plural: string): RestStore {
    const def = this.registry.definition(group, plural);
    if (!def) throw new Error(`resource ${plural}.${group} is not registered`);
    return this.restStore(def);
  }
}
