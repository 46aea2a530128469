// What a CustomResourceDefinition serves: a ResourceDef for the generic store (versions in
// Kubernetes' priority order, status and scale subresources, printer columns, schema defaulting
// and validation) and the schemas OpenAPI, pruning, field validation and apply read.
import { isPlainObject, type KubeObject } from '../api/object.js';
import { defineResource, type ResourceDef, type ScaleDef, type Strategy } from '../api/resource.js';
import type { GroupVersionKind, Schema } from '../api/schema/schema.js';
import { isDNS1123Subdomain } from '../api/validation/names.js';
import { jsonPathValues, printerTable, type PrinterColumn } from './printer-columns.js';
import { applyDefaults, validateStructural } from './structural.js';

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: { openAPIV3Schema?: Schema };
  subresources?: { status?: object; scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string } };
  additionalPrinterColumns?: PrinterColumn[];
}

export interface CrdSpec {
  group: string;
  names: { plural: string; singular?: string; kind: string; listKind?: string; shortNames?: string[]; categories?: string[] };
  scope: 'Namespaced' | 'Cluster';
  versions: CrdVersion[];
}

export type Crd = KubeObject & { spec: CrdSpec; status?: Record<string, unknown> };

/** Kubernetes' version priority: GA before beta before alpha, higher first; others last, by name. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return { rank: 0, major: 0, minor: 0 };
    return { rank: m[2] === 'alpha' ? 1 : m[2] === 'beta' ? 2 : 3, major: Number(m[1]), minor: Number(m[3] ?? 0) };
  };
  const pa = parse(a);
  const pb = parse(b);
  if (pa.rank !== pb.rank) return pb.rank - pa.rank;
  if (pa.rank === 0) return a < b ? -1 : a > b ? 1 : 0;
  if (pa.major !== pb.major) return pb.major - pa.major;
  return pb.minor - pa.minor;
}

/** The OpenAPI definition name Kubernetes gives a custom kind: reversed group, version, kind. */
export function crdDefinitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

const objectMeta = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const listMeta = 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';

/** The version's schema with the fields every object has (apiVersion, kind, metadata). */
export function objectSchema(v: CrdVersion, gvk: GroupVersionKind): Schema {
  const s: Schema = structuredClone(v.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
  s.properties = {
    apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources' },
    kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds' },
    metadata: { $ref: objectMeta },
    ...Object.fromEntries(Object.entries(s.properties ?? {}).filter(([k]) => k !== 'apiVersion' && k !== 'kind' && k !== 'metadata')),
  };
  s['x-kubernetes-group-version-kind'] = [gvk];
  return s;
}

function listSchema(itemDef: string, gvk: GroupVersionKind): Schema {
  return {
    type: 'object', description: `${gvk.kind} is a list of ${gvk.kind.replace(/List$/, '')}`, required: ['items'],
    properties: {
      apiVersion: { type: 'string' },
      items: { type: 'array', items: { $ref: itemDef }, description: `List of ${gvk.kind.replace(/List$/, '').toLowerCase()}s. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md` },
      kind: { type: 'string' },
      metadata: { $ref: listMeta },
    },
    'x-kubernetes-group-version-kind': [gvk],
  };
}

export interface ServedSchemas {
  gvk: GroupVersionKind;
  name: string;
  schema: Schema;
  list: { name: string; schema: Schema };
}

/** Each served version's object and list schemas. */
export function crdSchemas(spec: CrdSpec): ServedSchemas[] {
  const listKind = spec.names.listKind ?? `${spec.names.kind}List`;
  return spec.versions.filter((v) => v.served).map((v) => {
    const gvk = { group: spec.group, version: v.name, kind: spec.names.kind };
    const name = crdDefinitionName(spec.group, v.name, spec.names.kind);
    const listName = crdDefinitionName(spec.group, v.name, listKind);
    return { gvk, name, schema: objectSchema(v, gvk), list: { name: listName, schema: listSchema(name, { ...gvk, kind: listKind }) } };
  });
}

function getPath(o: unknown, p: string): unknown {
  return jsonPathValues(o, p)[0];
}

function setPath(o: KubeObject, p: string, value: unknown): void {
  const parts = p.replace(/^\./, '').split('.');
  let cur: Record<string, unknown> = o;
  for (const k of parts.slice(0, -1)) {
    if (!isPlainObject(cur[k])) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = value;
}

function scaleDef(s: NonNullable<NonNullable<CrdVersion['subresources']>['scale']>): ScaleDef {
  return {
    specReplicas: (o) => Number(getPath(o, s.specReplicasPath) ?? 0),
    setSpecReplicas: (o, n) => setPath(o, s.specReplicasPath, n),
    statusReplicas: (o) => Number(getPath(o, s.statusReplicasPath) ?? 0),
    selector: (o) => (s.labelSelectorPath ? String(getPath(o, s.labelSelectorPath) ?? '') : ''),
  };
}

/** Whether a schema declares a default anywhere. */
function hasDefaults(s: Schema | undefined): boolean {
  if (!s) return false;
  if (s.default !== undefined) return true;
  return Object.values(s.properties ?? {}).some(hasDefaults) || hasDefaults(s.items)
    || (typeof s.additionalProperties === 'object' && hasDefaults(s.additionalProperties));
}

/**
 * Objects read from storage get the defaults of the version they are served in, as Kubernetes'
 * structural defaulting does: a default added to a CRD later shows on objects stored before it.
 * Only versions whose schema has defaults pay for it (their objects are parsed to be served).
 */
function defaultingOnRead(v: CrdVersion, spec: CrdSpec): { fromStorage?: (o: KubeObject) => KubeObject } {
  const schema = objectSchema(v, { group: spec.group, version: v.name, kind: spec.names.kind });
  if (!hasDefaults(schema)) return {};
  return { fromStorage: (o) => (applyDefaults(o, schema), o) };
}

/** The resource a CRD serves, with its storage version's schema for defaulting and validation. */
export function customResourceDef(spec: CrdSpec): ResourceDef {
  const served = spec.versions.filter((v) => v.served).sort((a, b) => compareVersions(a.name, b.name));
  const storage = spec.versions.find((v) => v.storage) ?? served[0];
  const gvk = { group: spec.group, version: storage.name, kind: spec.names.kind };
  const schema = objectSchema(storage, gvk);
  const strategy: Strategy = {
    default: (o) => applyDefaults(o, schema),
    prepareForCreate: (o) => {
      if (storage.subresources?.status) delete o.status;
    },
    validate: (o) => validateStructural(o, schema),
  };
  return defineResource({
    group: spec.group,
    version: storage.name,
    versions: served.map((v) => ({ name: v.name, ...defaultingOnRead(v, spec) })),
    kind: spec.names.kind,
    listKind: spec.names.listKind ?? `${spec.names.kind}List`,
    plural: spec.names.plural,
    singular: spec.names.singular || spec.names.kind.toLowerCase(),
    shortNames: spec.names.shortNames ?? [],
    categories: spec.names.categories ?? [],
    namespaced: spec.scope === 'Namespaced',
    strategy,
    statusStrategy: storage.subresources?.status ? { validate: (o) => validateStructural(o, schema), statusResetsMetadata: 'all' } : undefined,
    scale: storage.subresources?.scale ? scaleDef(storage.subresources.scale) : undefined,
    behaviour: { generation: true, allowUnconditionalUpdate: false },
    table: printerTable(storage.additionalPrinterColumns ?? []),
  }, { table: printerTable([]), nameValidator: isDNS1123Subdomain });
}
