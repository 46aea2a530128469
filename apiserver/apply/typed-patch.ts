// Server-side apply first turns the applied configuration into a typed value against the kind's
// schema (structured-merge-diff's validation): a value of the wrong shape, such as a string where
// a map belongs, fails the request before anything merges, so it can never reach storage. The
// errors are worded and located as structured-merge-diff words them, e.g.
// `.data: expected map, got &{x}`. Fields the schema does not declare are left to the caller,
// which treats them as fieldValidation asks.
import { isPlainObject } from '../api/object.js';
import { listKind, resolve, type Definitions, type Schema } from '../api/schema/schema.js';

/** The type errors of `config` against `schema`, in document order (empty when it is well typed). */
export function typedPatchErrors(config: unknown, schema: Schema | undefined, defs: Definitions): string[] {
  const errors: string[] = [];
  const walk = (v: unknown, s: Schema | undefined, at: string): void => {
    if (v === null || v === undefined) return;
    const r = resolve(s, defs);
    if (!r || untyped(s!, r)) return;
    if (r.type === 'array' || r.items) {
      if (!Array.isArray(v)) return void errors.push(`${at}: expected list, got ${goV(v)}`);
      const list = listKind(r);
      v.forEach((item, i) => {
        if (list.type === 'map' && !isPlainObject(item)) {
          errors.push(`${at}: element ${i}: associative list with keys may not have ${item === null ? 'a null element' : 'non-map elements'}`);
          return;
        }
        walk(item, r.items, at + itemElement(item, i, list));
      });
      return;
    }
    if (r.type === 'object' || r.properties || r.additionalProperties) {
      if (!isPlainObject(v)) return void errors.push(`${at}: expected map, got ${goV(v)}`);
      const extra = typeof r.additionalProperties === 'object' ? r.additionalProperties : undefined;
      for (const [k, child] of Object.entries(v)) {
        const cs = r.properties?.[k] ?? extra;
        if (cs) walk(child, cs, `${at}.${k}`);
      }
      return;
    }
    const wrong = scalarError(r, v);
    if (wrong) errors.push(`${at}: ${wrong}`);
  };
  walk(config, schema, '');
  return errors;
}

/**
 * Nodes structured-merge-diff accepts any value for: no schema, preserved unknown fields, and
 * strings with a format (int-or-string, date-time, byte), which Kubernetes' schema conversion
 * leaves untyped. Quantities are scalars that parse themselves: strings or numbers.
 */
function untyped(s: Schema, r: Schema): boolean {
  if (r['x-kubernetes-int-or-string']) return true;
  if (r['x-kubernetes-preserve-unknown-fields'] && !r.properties && !r.items) return true;
  if (s.$ref?.endsWith('.Quantity') || s.$ref?.endsWith('.RawExtension')) return true;
  return r.type === 'string' && !!r.format;
}

function scalarError(r: Schema, v: unknown): string | undefined {
  switch (r.type) {
    case 'string':
      return typeof v === 'string' ? undefined : `expected string, got ${goSharpV(v)}`;
    case 'integer':
    case 'number':
      return typeof v === 'number' ? undefined : `expected numeric (int or float), got ${goTypeOf(v)}`;
    case 'boolean':
      return typeof v === 'boolean' ? undefined : `expected boolean, got ${goV(v)}`;
    default:
      return undefined;
  }
}

/** The path element of a list item, as fieldpath prints it: [name="c"], [=x] or [0]. */
function itemElement(item: unknown, i: number, list: ReturnType<typeof listKind>): string {
  if (list.type === 'map' && isPlainObject(item)) {
    return `[${list.keys.filter((k) => item[k] !== undefined).map((k) => `${k}=${JSON.stringify(item[k])}`).join(',')}]`;
  }
  if (list.type === 'set') return `[=${JSON.stringify(item)}]`;
  return `[${i}]`;
}

// structured-merge-diff prints the offending value through a pointer to its wrapper struct,
// with Go's %v (`&{x}`) or %#v (`&value.valueUnstructured{Value:"x"}`); a decoded YAML
// document holds strings, float64 numbers, bools, nil, []interface{} and map[string]interface{}.

/** Go's %v of a decoded value inside that wrapper. */
export function goV(v: unknown): string {
  return `&{${plain(v)}}`;
}

function plain(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(plain).join(' ')}]`;
  if (isPlainObject(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${plain(v[k])}`).join(' ')}]`;
  return String(v);
}

/** Go's %#v of a decoded value inside that wrapper. */
export function goSharpV(v: unknown): string {
  return `&value.valueUnstructured{Value:${sharp(v)}}`;
}

function sharp(v: unknown): string {
  if (v === null || v === undefined) return 'interface {}(nil)';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map(sharp).join(', ')}}`;
  if (isPlainObject(v)) return `map[string]interface {}{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${sharp(v[k])}`).join(', ')}}`;
  return String(v);
}

/** Go's %T of a decoded value. */
function goTypeOf(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  if (isPlainObject(v)) return 'map[string]interface {}';
  if (typeof v === 'number') return 'float64';
  return typeof v === 'boolean' ? 'bool' : 'string';
}
