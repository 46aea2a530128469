// Fields a schema does not know. Kubernetes drops them when it decodes a body into its Go types
// (built-in kinds) or prunes them by the structural schema (custom resources), and reports them
// as `unknown field "spec.foo"` under fieldValidation=Strict or Warn.
import { isPlainObject } from '../object.js';
import { preservesUnknown, resolve, type Definitions, type Schema } from './schema.js';

/**
 * Paths of the fields of `value` its schema does not describe, in document order, written as
 * Kubernetes writes them: "spec.foo", "spec.containers[0].bar". With `prune`, also removes them.
 */
export function unknownFields(value: unknown, schema: Schema | undefined, defs: Definitions, prune = false): string[] {
  const found: string[] = [];
  walk(value, schema, defs, '', found, prune);
  return found;
}

function walk(value: unknown, schema: Schema | undefined, defs: Definitions, at: string, found: string[], prune: boolean): void {
  const s = resolve(schema, defs);
  if (!s || preservesUnknown(s) && !s.properties) return;
  if (Array.isArray(value)) {
    if (s.items) value.forEach((v, i) => walk(v, s.items, defs, `${at}[${i}]`, found, prune));
    return;
  }
  if (!isPlainObject(value)) return;
  if (s.properties) {
    for (const key of Object.keys(value)) {
      const child = at ? `${at}.${key}` : key;
      const p = s.properties[key];
      if (p) walk(value[key], p, defs, child, found, prune);
      else if (typeof s.additionalProperties === 'object') walk(value[key], s.additionalProperties, defs, child, found, prune);
      else if (s.additionalProperties !== true && !preservesUnknown(s)) {
        found.push(child);
        if (prune) delete value[key];
      }
    }
    return;
  }
  if (typeof s.additionalProperties === 'object') {
    for (const key of Object.keys(value)) walk(value[key], s.additionalProperties, defs, at ? `${at}.${key}` : key, found, prune);
    return;
  }
  // A structural object with neither properties nor additionalProperties keeps no fields.
  if (s.type === 'object' && s.additionalProperties === undefined) {
    for (const key of Object.keys(value)) {
      found.push(at ? `${at}.${key}` : key);
      if (prune) delete value[key];
    }
  }
}
