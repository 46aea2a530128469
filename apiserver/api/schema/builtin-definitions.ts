// Builds the named schema definitions of built-in kinds from the client library's models and
// our table of merge semantics, with the names Kubernetes gives them
// (io.k8s.api.apps.v1.Deployment, io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta, ...).
import type { GroupVersionKind, Schema } from './schema.js';
import { semanticsOf, type FieldSemantics } from './field-semantics.js';
import { ModelReader, type ModelAttribute } from './client-node-models.js';

/** Models of apimachinery's meta/v1 package (everything else belongs to an API group). */
const metaTypes = new Set([
  'ObjectMeta', 'ListMeta', 'LabelSelector', 'LabelSelectorRequirement', 'OwnerReference', 'ManagedFieldsEntry', 'Condition',
  'Status', 'StatusDetails', 'StatusCause', 'DeleteOptions', 'Preconditions', 'APIResource', 'APIResourceList', 'APIGroup',
  'APIGroupList', 'APIVersions', 'GroupVersionForDiscovery', 'ServerAddressByClientCIDR', 'WatchEvent', 'FieldSelectorRequirement',
]);

/** Core types only reached through another group's kinds. */
const coreTypes = new Set(['TopologySelectorTerm', 'TopologySelectorLabelRequirement']);

/** Go packages whose definitions are not named io.k8s.api.<group>.<version>. */
const packagePrefix: Record<string, string> = {
  meta: 'io.k8s.apimachinery.pkg.apis.meta',
  apiextensions: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions',
  apiregistration: 'io.k8s.kube-aggregator.pkg.apis.apiregistration',
};

/** Primitive definitions every document shares. */
export const primitiveNames = {
  time: 'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
  microTime: 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
  intOrString: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  quantity: 'io.k8s.apimachinery.pkg.api.resource.Quantity',
  rawExtension: 'io.k8s.apimachinery.pkg.runtime.RawExtension',
  fieldsV1: 'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
  json: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON',
  patch: 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
} as const;

/** Models every document needs beside the kinds: request and response envelopes. */
const envelopeClasses = ['V1Status', 'V1DeleteOptions', 'V1WatchEvent'];

function primitiveDefinitions(): [string, Schema][] {
  return [
    [primitiveNames.time, { type: 'string', format: 'date-time', description: 'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.  Wrappers are provided for many of the factory methods that the time package offers.' }],
    [primitiveNames.microTime, { type: 'string', format: 'date-time', description: 'MicroTime is version of Time with microsecond level precision.' }],
    [primitiveNames.intOrString, { type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true, description: 'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.' }],
    [primitiveNames.quantity, { type: 'string', 'x-kubernetes-int-or-string': true, description: 'Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.' }],
    [primitiveNames.rawExtension, { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, description: 'RawExtension is used to hold extensions in external versions.' }],
    [primitiveNames.fieldsV1, { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, description: "FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.\n\nEach key is either a '.' representing the field itself, and will always map to an empty set, or a string representing a sub-field or item. The string will follow one of these four formats: 'f:<name>', where <name> is the name of a field in a struct, or key in a map 'v:<value>', where <value> is the exact json formatted value of a list item 'i:<index>', where <index> is position of a item in a list 'k:<keys>', where <keys> is a map of  a list item's key fields to their unique values If a key maps to an empty Fields value, the field that key represents is part of the set.\n\nThe exact format is defined in sigs.k8s.io/structured-merge-diff" }],
    [primitiveNames.patch, { type: 'object', description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.' }],
    [primitiveNames.json, { 'x-kubernetes-preserve-unknown-fields': true, description: 'JSON represents any valid JSON value. These types are supported: bool, int64, float64, string, []interface{}, map[string]interface{} and nil.' }],
  ];
}

/** "V1Deployment" -> { version: "v1", type: "Deployment" }; "CoreV1Event" -> core group too. */
export function parseClassName(className: string): { group?: string; version: string; type: string } | undefined {
  const m = /^([A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)([A-Z]\w*)$/.exec(className);
  if (!m) return undefined;
  return { group: m[1]?.toLowerCase(), version: m[2].toLowerCase(), type: m[3] };
}

/** The short package of an API group: "" -> core, "networking.k8s.io" -> networking. */
export function groupPackage(group: string): string {
  return group === '' ? 'core' : group.split('.')[0];
}

export function definitionName(pkg: string, version: string, type: string): string {
  return `${packagePrefix[pkg] ?? `io.k8s.api.${pkg}`}.${version}.${type}`;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export interface KindRef extends GroupVersionKind {
  listKind?: string;
}

export interface BuiltinDefinitions {
  definitions: Map<string, Schema>;
  /** "group/version/Kind" -> definition name. */
  byGVK: Map<string, string>;
}

/** Builds definitions for `kinds` (in preference order: core first) and everything they reference. */
export function buildBuiltinDefinitions(kinds: readonly KindRef[], reader = new ModelReader()): BuiltinDefinitions {
  const definitions = new Map<string, Schema>(primitiveDefinitions());
  const byGVK = new Map<string, string>();
  /** class name -> package it was assigned ("core", "apps", "meta", ...). */
  const packages = new Map<string, string>();

  const classFor = (gvk: GroupVersionKind): string | undefined => {
    const pkg = groupPackage(gvk.group);
    for (const c of [`${capitalize(gvk.version)}${gvk.kind}`, `${capitalize(pkg)}${capitalize(gvk.version)}${gvk.kind}`]) {
      const parsed = parseClassName(c);
      if (parsed && reader.has(c) && (!parsed.group || parsed.group === pkg)) return c;
    }
    return undefined;
  };

  const packageOf = (className: string, referrerPackage: string): string => {
    const known = packages.get(className);
    if (known) return known;
    const parsed = parseClassName(className)!;
    const pkg = metaTypes.has(parsed.type) ? 'meta' : coreTypes.has(parsed.type) ? 'core' : parsed.group ?? referrerPackage;
    packages.set(className, pkg);
    return pkg;
  };

  const nameOf = (className: string): string => {
    const parsed = parseClassName(className)!;
    return definitionName(packages.get(className)!, parsed.version, parsed.type);
  };

  const visit = (className: string, referrerPackage: string): string | undefined => {
    if (!reader.has(className) || !parseClassName(className)) return undefined;
    const pkg = packageOf(className, referrerPackage);
    const name = nameOf(className);
    if (definitions.has(name)) return name;
    const model = reader.read(className)!;
    const parsed = parseClassName(className)!;
    const def: Schema = { type: 'object' };
    definitions.set(name, def);
    if (model.description) def.description = model.description;
    const semPkg = `${pkg}/${parsed.version}`;
    const properties: Record<string, Schema> = {};
    for (const attr of model.attributes) {
      const sem = semanticsOf(semPkg, parsed.type, attr.baseName);
      const prop = attributeSchema(attr, parsed.type, sem, (c) => visit(c, pkg));
      const doc = model.docs.get(attr.baseName);
      if (doc) prop.description = doc;
      if (sem) applySemantics(prop, sem);
      properties[attr.baseName] = prop;
    }
    def.properties = properties;
    if (model.required.length) def.required = [...model.required].sort();
    if (semanticsOf(semPkg, parsed.type, '')?.mapType) def['x-kubernetes-map-type'] = semanticsOf(semPkg, parsed.type, '')!.mapType;
    return name;
  };

  for (const k of kinds) {
    const pkg = groupPackage(k.group);
    for (const [kind, gvkKind] of [[k.kind, k.kind], [k.listKind ?? `${k.kind}List`, k.listKind ?? `${k.kind}List`]] as const) {
      const cls = classFor({ ...k, kind });
      if (!cls) continue;
      packages.set(cls, packages.get(cls) ?? pkg);
      const name = visit(cls, pkg);
      if (!name) continue;
      const def = definitions.get(name)!;
      const gvks = def['x-kubernetes-group-version-kind'] ?? [];
      if (!gvks.some((g) => g.group === k.group && g.version === k.version && g.kind === gvkKind)) {
        gvks.push({ group: k.group, kind: gvkKind, version: k.version });
      }
      def['x-kubernetes-group-version-kind'] = gvks;
      byGVK.set(`${k.group}/${k.version}/${gvkKind}`, name);
    }
  }
  for (const cls of envelopeClasses) visit(cls, 'meta');
  return { definitions, byGVK };
}

/** The schema of one model attribute. `ref` visits a referenced model and returns its name. */
function attributeSchema(
  attr: ModelAttribute, typeName: string, sem: FieldSemantics | undefined, ref: (className: string) => string | undefined,
): Schema {
  const quantity = sem?.quantity === true;
  const conv = (t: string): Schema => {
    const arr = /^Array<(.+)>$/.exec(t);
    if (arr) return { type: 'array', items: conv(arr[1]) };
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(t);
    if (map) return { type: 'object', additionalProperties: conv(map[1]) };
    switch (t) {
      case 'string':
        if (quantity) return { $ref: primitiveNames.quantity };
        return attr.format === 'byte' ? { type: 'string', format: 'byte' } : { type: 'string' };
      case 'number':
        if (attr.format === 'int32' || attr.format === 'int64') return { type: 'integer', format: attr.format };
        return { type: 'number', format: attr.format || 'double' };
      case 'boolean': return { type: 'boolean' };
      case 'Date': return { $ref: primitiveNames.time };
      case 'V1MicroTime': return { $ref: primitiveNames.microTime };
      case 'IntOrString': return { $ref: primitiveNames.intOrString };
      case 'any': return anySchema(typeName, attr.baseName);
      default: {
        const name = ref(t);
        return name ? { $ref: name } : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
      }
    }
  };
  return conv(attr.type);
}

/** Fields the client library leaves untyped. */
function anySchema(typeName: string, field: string): Schema {
  if (field === 'fieldsV1') return { $ref: primitiveNames.fieldsV1 };
  if (typeName === 'JSONSchemaProps') return { $ref: primitiveNames.json };
  if (typeName === 'CustomResourceSubresources') return { type: 'object' };
  return { $ref: primitiveNames.rawExtension };
}

function applySemantics(prop: Schema, sem: FieldSemantics): void {
  if (sem.listType) prop['x-kubernetes-list-type'] = sem.listType;
  if (sem.listMapKeys) prop['x-kubernetes-list-map-keys'] = sem.listMapKeys;
  if (sem.patchStrategy) prop['x-kubernetes-patch-strategy'] = sem.patchStrategy;
  if (sem.patchMergeKey) prop['x-kubernetes-patch-merge-key'] = sem.patchMergeKey;
  if (sem.mapType) prop['x-kubernetes-map-type'] = sem.mapType;
}
