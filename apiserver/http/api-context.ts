// Everything request handlers share: the registry, storage, the per-resource stores, the
// admission chain and custom subresources.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry, ServedResource } from '../api/registry.js';
import type { ResourceDef } from '../api/resource.js';
import { SchemaRegistry } from '../api/schema/schema-registry.js';
import { FieldManager } from '../apply/field-manager.js';
import type { KubeObject } from '../api/object.js';
import type { Store } from '../storage/interfaces.js';
import type { Admission, RequestContext } from '../registry/context.js';
import { RestStore, type GracefulDelete, type ResourceHooks } from '../registry/rest-store.js';
import type { Renderer } from './render.js';
import type { ResourceRequest } from './request-info.js';

/** One API request for a resource, resolved. */
export interface ResourceCall {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  info: ResourceRequest;
  served: ServedResource;
  rs: RestStore;
  renderer: Renderer;
  ctx: RequestContext;
  api: ApiContext;
}

/** A subresource served by custom code (binding, eviction, log, exec, token, ...). */
export interface SubresourceDef {
  name: string;
  /** Kind of the subresource's body, for discovery (e.g. "Binding"). */
  kind: string;
  group?: string;
  version?: string;
  verbs: string[];
  handle(call: ResourceCall): Promise<void>;
}

/** Get and list of a resource computed on request instead of stored (componentstatuses). */
export interface VirtualRead {
  get(call: ResourceCall, name: string): Promise<KubeObject>;
  list(call: ResourceCall): Promise<KubeObject[]>;
}

/** Per-resource extensions wired in by the server: storage hooks, graceful deletion, subresources. */
export interface ResourceExtensions {
  hooks?: ResourceHooks;
  gracefulDelete?: GracefulDelete;
  subresources?: SubresourceDef[];
  /** Serves create for resources that are not stored (reviews, bindings): returns the response object. */
  create?(call: ResourceCall, obj: KubeObject): Promise<KubeObject>;
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
