// Fields a schema does not know. Kubernetes drops them when it decodes a body into its Go types
// (built-in kinds) or prunes them by the structural schema (custom resources), and reports them
// as `unknown field "spec.foo"` under fieldValidation=Strict or Warn.
import { isPlainObject } from '../object.js';
import { dottedPath, type PathStack } from './json-path.js';
import { preservesUnknown, resolve, type Definitions, type Schema } from './schema.js';

/**
 * Paths of the fields of `value` its schema does not describe, in document order, written as
 * Kubernetes writes them: "spec.foo", "spec.containers[0].bar". With `prune`, also removes them.
 */
export function unknownFields(value: unknown, schema: Schema | undefined, defs: Definitions, prune = false): string[] {
  const found: string[] = [];
  walk(value, schema, defs, [], found, prune);
  return found;
}

function walk(value: unknown, schema: Schema | undefined, defs: Definitions, at: PathStack, found: string[], prune: boolean): void {
  const s = resolve(schema, defs);
  if (!s || preservesUnknown(s) && !s.properties) return;
  if (Array.isArray(value)) {
    if (!s.items) return;
    for (let i = 0; i < value.length; i++) {
      at.push(i);
      walk(value[i], s.items, defs, at, found, prune);
      at.pop();
    }
    return;
  }
  if (!isPlainObject(value)) return;
  const extra = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  // Without properties or additionalProperties, a structural object keeps no fields, and any
  // other schema says nothing about them.
  if (!s.properties && !extra && !(s.type === 'object' && s.additionalProperties === undefined)) return;
  for (const key of Object.keys(value)) {
    at.push(key);
    const p = s.properties?.[key] ?? extra;
    if (p) walk(value[key], p, defs, at, found, prune);
    else if (s.additionalProperties !== true && !preservesUnknown(s)) {
      found.push(dottedPath(at));
      if (prune) delete value[key];
    }
    at.pop();
  }
}
