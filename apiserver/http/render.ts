// Rendering stored objects for a client: in the served version, as JSON, YAML, a Table, or
// metadata only. The common case (storage version as JSON) writes the stored bytes unchanged.
import { stringify as toYaml } from 'yaml';
import type { KubeObject } from '../api/object.js';
import { apiVersionOf, type ResourceDef, type VersionDef } from '../api/resource.js';
import { allColumns, rowCells } from '../api/table.js';
import type { KV } from '../storage/interfaces.js';
import { decoded } from '../registry/decoded.js';
import { topLevelMember } from '../api/schema/json-scan.js';
import type { Output } from './negotiate.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface ListMeta {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/** Renders one resource at one served version. Shared by all requests for it. */
export class Renderer {
  readonly apiVersion: string;
  private readonly identity: boolean;
  private readonly version: VersionDef;
  private readonly jsonCache = new WeakMap<KV, string>();
  /**
   * Watch lines of the events being fanned out now. A write reaches all its watchers in one
   * turn of the event loop, so the lines are dropped after it: kept as long as their stored
   * value (as a WeakMap would), they were a fifth of the heap with 5,000 pods.
   */
  private frames: Map<string, WeakMap<KV, string>> | undefined;

  constructor(readonly def: ResourceDef, servedVersion: string) {
    this.apiVersion = apiVersionOf(def.group, servedVersion);
    this.version = def.versions.find((v) => v.name === servedVersion) ?? { name: servedVersion };
    this.identity = servedVersion === def.version && !this.version.fromStorage;
  }

  /** A stored object as this version sees it (shared: do not mutate). */
  view(obj: KubeObject): KubeObject {
    if (this.identity) return obj;
    const converted = this.version.fromStorage ? this.version.fromStorage(structuredClone(obj)) : { ...obj };
    converted.apiVersion = this.apiVersion;
    return converted;
  }

  /** Converts a body sent for this version into the storage version. */
  toStorage(obj: KubeObject): KubeObject {
    if (this.identity) return obj;
    const converted = this.version.toStorage ? this.version.toStorage(obj) : obj;
    converted.apiVersion = this.def.storageApiVersion;
    return converted;
  }

  json(kv: KV): string {
    if (this.identity) return kv.value;
    let s = this.jsonCache.get(kv);
    if (!s) {
      s = JSON.stringify(this.view(decoded(kv)));
      this.jsonCache.set(kv, s);
    }
    return s;
  }

  objectJson(obj: KubeObject): string {
    return JSON.stringify(this.view(obj));
  }

  listJson(items: readonly KV[], meta: ListMeta): string {
    return `{"kind":${JSON.stringify(this.def.listKind)},"apiVersion":${JSON.stringify(this.apiVersion)},"metadata":${JSON.stringify(listMeta(meta))},"items":[${items.map((kv) => this.json(kv)).join(',')}]}`;
  }

  /** A watch event line, cached per stored value so a thousand watchers cost one serialization. */
  frame(type: string, kv: KV): string {
    return this.cachedFrame(type, kv, () => `{"type":"${type}","object":${this.json(kv)}}\n`);
  }

  /**
   * A watch event line with the object as PartialObjectMetadata (a metadata-only watch). The
   * metadata is cut out of the stored JSON when the object is served as stored.
   */
  partialFrame(type: string, kv: KV, metaVersion: string): string {
    return this.cachedFrame(`${type} ${metaVersion}`, kv, () => {
      const metadata = (this.identity ? topLevelMember(kv.value, 'metadata') : undefined) ?? JSON.stringify(this.view(decoded(kv)).metadata);
      return `{"type":"${type}","object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/${metaVersion}","metadata":${metadata}}}\n`;
    });
  }

  private cachedFrame(key: string, kv: KV, make: () => string): string {
    if (!this.frames) {
      this.frames = new Map();
      setImmediate(() => (this.frames = undefined));
    }
    let cache = this.frames.get(key);
    if (!cache) this.frames.set(key, (cache = new WeakMap()));
    let s = cache.get(kv);
    if (!s) {
      s = make();
      cache.set(kv, s);
    }
    return s;
  }

  bookmark(revision: number, annotations?: Record<string, string>): KubeObject {
    const metadata: KubeObject['metadata'] = { resourceVersion: String(revision), creationTimestamp: null };
    if (annotations) metadata.annotations = annotations;
    return { kind: this.def.kind, apiVersion: this.apiVersion, metadata };
  }

  table(objs: readonly KubeObject[], meta: ListMeta | undefined, output: Output, include: IncludeObject, noHeaders = false): object {
    const now = Date.now();
    const table: Record<string, unknown> = {
      kind: 'Table',
      apiVersion: `meta.k8s.io/${output.metaVersion}`,
      metadata: meta ? listMeta(meta) : {},
    };
    if (!noHeaders) table.columnDefinitions = allColumns(this.def.table);
    table.rows = objs.map((o) => {
      const row: Record<string, unknown> = { cells: rowCells(this.def.table, o, now) };
      if (include === 'Object') row.object = this.view(o);
      else if (include === 'Metadata') row.object = this.partial(o, output.metaVersion);
      return row;
    });
    return table;
  }

  partial(o: KubeObject, metaVersion: string): object {
    return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${metaVersion}`, metadata: o.metadata };
  }

  partialList(objs: readonly KubeObject[], meta: ListMeta, metaVersion: string): object {
    return {
      kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${metaVersion}`,
      metadata: listMeta(meta), items: objs.map((o) => this.partial(o, metaVersion)),
    };
  }
}

function listMeta(meta: ListMeta): Record<string, unknown> {
  const m: Record<string, unknown> = { resourceVersion: meta.resourceVersion };
  if (meta.continue) m.continue = meta.continue;
  if (meta.remainingItemCount !== undefined) m.remainingItemCount = meta.remainingItemCount;
  return m;
}

/**
 * Serializes a response body in the negotiated encoding. A JSON body ends with a newline, as
 * Kubernetes' encoder (Go's json.Encoder) ends every object; stored bytes are sent as they are,
 * the newline appended.
 */
export function encodeBody(body: string | object, encoding: 'json' | 'yaml'): string {
  if (encoding === 'json') return `${typeof body === 'string' ? body : JSON.stringify(body)}\n`;
  return toYaml(typeof body === 'string' ? JSON.parse(body) : body);
}

const renderers = new Map<string, Renderer>();

/** The shared renderer for a resource at a version (rebuilt when the definition changes). */
export function rendererFor(def: ResourceDef, version: string): Renderer {
  const key = `${def.group}/${def.plural}/${version}`;
  let r = renderers.get(key);
  if (!r || r.def !== def) {
    r = new Renderer(def, version);
    renderers.set(key, r);
  }
  return r;
}
