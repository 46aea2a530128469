// Writes our schemas as OpenAPI v2 (Swagger) or v3 JSON: references get the document's prefix,
// v3 wraps a described reference in allOf (as Kubernetes does), and v2 drops what Swagger 2.0
// cannot say.
import type { Definitions, Schema } from '../api/schema/schema.js';

export type OpenApiStyle = 'v2' | 'v3';

const refPrefix: Record<OpenApiStyle, string> = { v2: '#/definitions/', v3: '#/components/schemas/' };

/** Keys Swagger 2.0 has no place for. */
const v3Only = new Set(['nullable', 'anyOf', 'oneOf', 'not']);

export function renderSchema(s: Schema, style: OpenApiStyle): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (v === undefined || k === '$ref') continue;
    if (style === 'v2' && v3Only.has(k)) continue;
    if (k === 'description' && v === '') continue;
    if (k === 'properties') {
      out.properties = Object.fromEntries(Object.entries(v as Record<string, Schema>).map(([n, p]) => [n, renderSchema(p, style)]));
    } else if (k === 'items' || k === 'not' || (k === 'additionalProperties' && typeof v === 'object')) {
      out[k] = renderSchema(v as Schema, style);
    } else if (k === 'allOf' || k === 'anyOf' || k === 'oneOf') {
      out[k] = (v as Schema[]).map((x) => renderSchema(x, style));
    } else {
      out[k] = v;
    }
  }
  if (!s.$ref) return out;
  const ref = { $ref: refPrefix[style] + s.$ref };
  if (Object.keys(out).length === 0 || style === 'v2') return { ...ref, ...out };
  return { allOf: [ref], ...out };
}

/** Every definition reachable from `roots` (definition names), roots included. */
export function reachable(roots: Iterable<string>, defs: Definitions): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  const walk = (s: Schema | undefined): void => {
    if (!s) return;
    if (s.$ref && !seen.has(s.$ref)) stack.push(s.$ref);
    for (const p of Object.values(s.properties ?? {})) walk(p);
    if (typeof s.additionalProperties === 'object') walk(s.additionalProperties);
    walk(s.items);
    walk(s.not);
    for (const x of [...(s.allOf ?? []), ...(s.anyOf ?? []), ...(s.oneOf ?? [])]) walk(x);
  };
  while (stack.length) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    const def = defs.get(name);
    if (!def) continue;
    seen.add(name);
    walk(def);
  }
  return seen;
}

/** Definitions in name order, rendered. */
export function renderDefinitions(names: Iterable<string>, defs: Definitions, style: OpenApiStyle): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of [...names].sort()) out[n] = renderSchema(defs.get(n)!, style);
  return out;
}
