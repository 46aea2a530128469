// How a custom resource's schema is published in OpenAPI v2 (Swagger), as Kubernetes publishes
// it. kubectl's client-side validation (the default in 1.20-1.25) reads v2 and treats every
// property list as closed, so what would make it reject valid objects is left out: a kind that
// keeps unknown fields at its root is a bare object, nested nodes that keep unknown fields or
// are nullable lose their properties and items, and v3-only junctors go. /openapi/v3 keeps the
// whole schema.
import type { Schema } from '../api/schema/schema.js';

const gvkExtension = 'x-kubernetes-group-version-kind';
const preserveUnknown = 'x-kubernetes-preserve-unknown-fields';

/** The v2 definition of a custom kind, from the object schema the v3 document publishes. */
export function customKindSchemaForV2(s: Schema): Schema {
  const ext = s as Record<string, unknown>;
  if (ext[preserveUnknown]) return { type: 'object', [gvkExtension]: ext[gvkExtension] } as Schema;
  return structuralForV2(s);
}

function structuralForV2(s: Schema): Schema {
  const out: Schema = { ...s };
  delete out.allOf;
  delete out.anyOf;
  delete out.oneOf;
  delete out.not;
  if (out.nullable) {
    // An untyped value with properties or items breaks kubectl.
    delete out.type;
    delete out.nullable;
    delete out.items;
    delete out.properties;
  }
  if ((out as Record<string, unknown>)[preserveUnknown]) {
    delete out.items;
    delete out.properties;
  }
  if (out.type === 'array' && !out.items) delete out.type;
  // A nullable field may be sent as null: v2 cannot say so, so it is no longer required.
  if (out.required && out.properties) {
    const nullable = new Set(Object.entries(out.properties).filter(([, p]) => p.nullable).map(([n]) => n));
    out.required = out.required.filter((n) => !nullable.has(n));
  }
  if (typeof out.additionalProperties === 'object' && out.additionalProperties.nullable) delete out.required;
  if (out.required?.length === 0) delete out.required;
  if (out.properties) out.properties = Object.fromEntries(Object.entries(out.properties).map(([n, p]) => [n, structuralForV2(p)]));
  if (out.items) out.items = structuralForV2(out.items);
  if (typeof out.additionalProperties === 'object') out.additionalProperties = structuralForV2(out.additionalProperties);
  return out;
}
