// The schema of API objects, in the vocabulary of OpenAPI v3 structural schemas (the same one
// CustomResourceDefinitions use), plus Kubernetes' x-kubernetes-* extensions. One shape serves
// built-in kinds (derived from the client library's models) and custom resources alike, and
// drives OpenAPI, field validation, pruning, strategic merge patch and server-side apply.

export type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface Schema {
  type?: SchemaType;
  format?: string;
  description?: string;
  /** A named definition (bare name, e.g. "io.k8s.api.core.v1.PodSpec"); OpenAPI writers add the prefix. */
  $ref?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  nullable?: boolean;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  not?: Schema;
  title?: string;
  example?: unknown;
  externalDocs?: { description?: string; url?: string };
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
  'x-kubernetes-validations'?: unknown[];
}

/** Named definitions, as OpenAPI's definitions / components.schemas. */
export type Definitions = ReadonlyMap<string, Schema>;

/** Follows a $ref (and a single-element allOf wrapper) to the schema that describes a value. */
export function resolve(s: Schema | undefined, defs: Definitions): Schema | undefined {
  let cur = s;
  for (let depth = 0; cur && depth < 8; depth++) {
    if (cur.$ref) cur = defs.get(cur.$ref);
    else if (cur.allOf?.length === 1 && !cur.type && !cur.properties) cur = cur.allOf[0];
    else return cur;
  }
  return cur;
}

/** The schema of field `name` of an object schema (already resolved), or undefined if unknown. */
export function propertyOf(s: Schema, name: string): Schema | undefined {
  const p = s.properties?.[name];
  if (p) return p;
  if (typeof s.additionalProperties === 'object') return s.additionalProperties;
  return undefined;
}

/** Whether a schema accepts any fields below it (x-kubernetes-preserve-unknown-fields, untyped). */
export function preservesUnknown(s: Schema): boolean {
  return s['x-kubernetes-preserve-unknown-fields'] === true || s.additionalProperties === true;
}

/** The list semantics Kubernetes applies to an array field, from its extensions. */
export type ListKind = { type: 'atomic' } | { type: 'set' } | { type: 'map'; keys: string[] };

export function listKind(s: Schema): ListKind {
  const t = s['x-kubernetes-list-type'];
  if (t === 'map') return { type: 'map', keys: s['x-kubernetes-list-map-keys'] ?? [] };
  if (t === 'set') return { type: 'set' };
  if (t === 'atomic') return { type: 'atomic' };
  // Older fields carry only patch tags; Kubernetes derives the same semantics from them.
  const strategy = s['x-kubernetes-patch-strategy'] ?? '';
  if (strategy.split(',').includes('merge')) {
    const key = s['x-kubernetes-patch-merge-key'];
    return key ? { type: 'map', keys: [key] } : { type: 'set' };
  }
  return { type: 'atomic' };
}
