// Type mismatches in a body for a built-in kind, reported as Kubernetes reports them: it
// decodes into Go structs, so the first value of the wrong JSON type fails the request with
// Go's wording, `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas
// of type int32`.
import { isPlainObject } from '../object.js';
import { resolve, type Definitions, type Schema } from './schema.js';

const lastName = (ref: string) => ref.split('.').slice(-2).join('.');

/** The Go type Kubernetes declares for a schema, as Go prints it (int32, []v1.Container, map[string]string). */
function goType(s: Schema | undefined, defs: Definitions): string {
  if (!s) return 'interface {}';
  if (s.$ref) {
    const r = defs.get(s.$ref);
    if (r?.['x-kubernetes-int-or-string'] && s.$ref.endsWith('IntOrString')) return 'intstr.IntOrString';
    if (s.$ref.endsWith('.Quantity')) return 'resource.Quantity';
    if (s.$ref.endsWith('.Time') || s.$ref.endsWith('.MicroTime')) return lastName(s.$ref);
    return lastName(s.$ref);
  }
  switch (s.type) {
    case 'integer': return s.format === 'int64' ? 'int64' : 'int32';
    case 'number': return 'float64';
    case 'boolean': return 'bool';
    case 'string': return s.format === 'byte' ? '[]uint8' : 'string';
    case 'array': return `[]${goType(s.items, defs)}`;
    case 'object': return typeof s.additionalProperties === 'object' ? `map[string]${goType(s.additionalProperties, defs)}` : 'map[string]interface {}';
    default: return 'interface {}';
  }
}

/** Go's name for the JSON kind of a value in an unmarshal error ("number 1.5" for a fraction into an int). */
function jsonKind(v: unknown, intWanted: boolean): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return intWanted && !Number.isInteger(v) ? `number ${v}` : 'number';
  return 'string';
}

function accepts(s: Schema, r: Schema, v: unknown): boolean {
  if (v === null) return true;
  if (r['x-kubernetes-int-or-string'] || r['x-kubernetes-preserve-unknown-fields'] && !r.type) return typeof v !== 'object' || (r['x-kubernetes-preserve-unknown-fields'] === true);
  if (s.$ref?.endsWith('.Quantity')) return typeof v === 'string' || typeof v === 'number';
  switch (r.type) {
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'number': return typeof v === 'number';
    case 'boolean': return typeof v === 'boolean';
    case 'string': return typeof v === 'string';
    case 'array': return Array.isArray(v);
    case 'object': return isPlainObject(v);
    default: return true;
  }
}

/**
 * The unmarshal error for the first value of the wrong type in `obj` (a built-in kind whose
 * schema is `schema`, named `kind`), or undefined when every value has its declared type.
 */
export function goDecodeError(obj: unknown, schema: Schema, defs: Definitions, kind: string): string | undefined {
  // Go names the struct a field belongs to and the path of JSON keys to it (list items and map
  // entries add nothing); the path is spelled out only for the error.
  const fieldPath: string[] = [];
  const walk = (v: unknown, s: Schema, struct: string): string | undefined => {
    const r = resolve(s, defs);
    if (!r) return undefined;
    if (!accepts(s, r, v)) {
      return `json: cannot unmarshal ${jsonKind(v, r.type === 'integer')} into Go struct field ${struct}.${fieldPath.join('.')} of type ${goType(s, defs)}`;
    }
    if (Array.isArray(v) && r.items) {
      for (const item of v) {
        const e = walk(item, r.items, struct);
        if (e) return e;
      }
    } else if (isPlainObject(v)) {
      const inner = r.properties && s.$ref ? structName(s.$ref) : struct;
      const extra = typeof r.additionalProperties === 'object' ? r.additionalProperties : undefined;
      for (const k of Object.keys(v)) {
        const field = r.properties?.[k];
        const cs = field ?? extra;
        if (!cs) continue;
        if (field) fieldPath.push(k);
        const e = walk(v[k], cs, inner);
        if (field) fieldPath.pop();
        if (e) return e;
      }
    }
    return undefined;
  };
  const root = resolve(schema, defs);
  if (!root?.properties || !isPlainObject(obj)) return undefined;
  for (const k of Object.keys(obj)) {
    const cs = root.properties[k];
    if (!cs) continue;
    fieldPath.push(k);
    const e = walk(obj[k], cs, kind);
    fieldPath.pop();
    if (e) return e;
  }
  return undefined;
}

const structNames = new Map<string, string>();

/** The Go struct a definition names: its last dotted segment ("io.k8s.api.core.v1.PodSpec" -> PodSpec). */
function structName(ref: string): string {
  let name = structNames.get(ref);
  if (name === undefined) structNames.set(ref, (name = ref.slice(ref.lastIndexOf('.') + 1)));
  return name;
}

/** reflect.Kind of a decoded JSON value, as Go's unstructured converter names it. */
function reflectKind(v: unknown): string {
  if (Array.isArray(v)) return 'slice';
  if (isPlainObject(v)) return 'map';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return 'string';
}

/** The Go type of a decoded JSON value (what "cannot convert X to Y" names). */
function unstructuredGoType(v: unknown): string {
  if (Array.isArray(v)) return '[]interface {}';
  if (isPlainObject(v)) return 'map[string]interface {}';
  return reflectKind(v);
}

/**
 * The error of Kubernetes' unstructured converter (how a strategic merge patch's result becomes
 * a typed object) for the first value of the wrong type, e.g. `cannot restore map from string`,
 * or undefined. Types that decode themselves (quantities, times, int-or-string) are left to
 * validation.
 */
export function unstructuredConvertError(obj: unknown, schema: Schema, defs: Definitions): string | undefined {
  const walk = (v: unknown, s: Schema): string | undefined => {
    if (v === null || v === undefined) return undefined;
    const r = resolve(s, defs);
    if (!r || r['x-kubernetes-int-or-string'] || r['x-kubernetes-preserve-unknown-fields']) return undefined;
    if (s.$ref && (s.$ref.endsWith('.Quantity') || s.$ref.endsWith('.Time') || s.$ref.endsWith('.MicroTime') || s.$ref.endsWith('.RawExtension'))) return undefined;
    switch (r.type) {
      case 'object': {
        if (!isPlainObject(v)) return r.properties ? `cannot restore struct from: ${reflectKind(v)}` : `cannot restore map from ${reflectKind(v)}`;
        const extra = typeof r.additionalProperties === 'object' ? r.additionalProperties : undefined;
        for (const k of Object.keys(v)) {
          const cs = r.properties?.[k] ?? extra;
          const e = cs && walk(v[k], cs);
          if (e) return e;
        }
        return undefined;
      }
      case 'array': {
        if (r.format === 'byte' && typeof v === 'string') return undefined;
        if (!Array.isArray(v)) return `cannot restore slice from ${reflectKind(v)}`;
        for (const item of v) {
          const e = r.items && walk(item, r.items);
          if (e) return e;
        }
        return undefined;
      }
      default: {
        if (accepts(s, r, v) && !(r.type === 'integer' && !Number.isInteger(v))) return undefined;
        if (r.type === 'string' && r.format === 'byte' && typeof v === 'string') return undefined;
        return `cannot convert ${unstructuredGoType(v)} to ${goType(s, defs)}`;
      }
    }
  };
  return walk(obj, schema);
}
