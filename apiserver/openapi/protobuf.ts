// Encodes the Swagger 2.0 document as gnostic's openapi.v2.Document protobuf
// (application/com.github.proto-openapi.spec.v2@v1.0+protobuf), which kubectl up to 1.26
// validates with and every kubectl uses for `explain --output=plaintext-openapiv2`.
// Schema values that are free-form JSON (defaults, enums, extensions) travel as YAML text;
// JSON is YAML, and writing it is much cheaper than a YAML serializer.
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { packageRoot } from '../../lib/package-root.js';

type Json = Record<string, unknown>;

let documentType: protobuf.Type | undefined;

function docType(): protobuf.Type {
  if (!documentType) {
    const root = new protobuf.Root();
    root.loadSync(join(packageRoot(), 'proto', 'openapiv2.proto'), { keepCase: true });
    documentType = root.lookupType('openapi.v2.Document');
  }
  return documentType;
}

const anyOf = (v: unknown) => ({ yaml: `${JSON.stringify(v)}\n` });
const named = (entries: [string, unknown][]) => entries.map(([name, value]) => ({ name, value }));

/** x-* keys of an object as gnostic vendor extensions. */
function extensions(o: Json): { name: string; value: { yaml: string } }[] {
  return Object.entries(o).filter(([k]) => k.startsWith('x-')).map(([name, v]) => ({ name, value: anyOf(v) }));
}

function schema(s: Json): Json {
  const out: Json = {};
  const num = (k: string, to: string) => {
    if (typeof s[k] === 'number') out[to] = s[k];
  };
  if (typeof s.$ref === 'string') out._ref = s.$ref;
  for (const k of ['format', 'title', 'description', 'pattern', 'discriminator']) if (typeof s[k] === 'string') out[k] = s[k];
  if (s.default !== undefined) out.default = anyOf(s.default);
  if (s.example !== undefined) out.example = anyOf(s.example);
  num('multipleOf', 'multiple_of');
  num('maximum', 'maximum');
  num('minimum', 'minimum');
  num('maxLength', 'max_length');
  num('minLength', 'min_length');
  num('maxItems', 'max_items');
  num('minItems', 'min_items');
  num('maxProperties', 'max_properties');
  num('minProperties', 'min_properties');
  for (const [k, to] of [['exclusiveMaximum', 'exclusive_maximum'], ['exclusiveMinimum', 'exclusive_minimum'], ['uniqueItems', 'unique_items'], ['readOnly', 'read_only']]) {
    if (typeof s[k] === 'boolean') out[to] = s[k];
  }
  if (Array.isArray(s.required)) out.required = s.required;
  if (Array.isArray(s.enum)) out.enum = s.enum.map(anyOf);
  if (typeof s.additionalProperties === 'boolean') out.additional_properties = { boolean: s.additionalProperties };
  else if (s.additionalProperties) out.additional_properties = { schema: schema(s.additionalProperties as Json) };
  if (typeof s.type === 'string') out.type = { value: [s.type] };
  if (s.items) out.items = { schema: (Array.isArray(s.items) ? s.items : [s.items]).map((i) => schema(i as Json)) };
  if (Array.isArray(s.allOf)) out.all_of = s.allOf.map((x) => schema(x as Json));
  if (s.properties) out.properties = { additional_properties: named(Object.entries(s.properties as Record<string, Json>).map(([k, v]) => [k, schema(v)])) };
  const ext = extensions(s);
  if (ext.length) out.vendor_extension = ext;
  return out;
}

function parameter(p: Json): Json {
  if (typeof p.$ref === 'string') return { json_reference: { _ref: p.$ref } };
  if (p.in === 'body') {
    return { parameter: { body_parameter: { name: p.name, in: 'body', required: !!p.required, description: p.description ?? '', schema: schema(p.schema as Json) } } };
  }
  const sub: Json = { name: p.name, in: p.in, description: p.description ?? '', type: p.type, required: !!p.required };
  if (p.uniqueItems) sub.unique_items = true;
  const key = p.in === 'path' ? 'path_parameter_sub_schema' : 'query_parameter_sub_schema';
  return { parameter: { non_body_parameter: { [key]: sub } } };
}

function operation(op: Json): Json {
  const responses = Object.entries(op.responses as Record<string, Json>).map(([code, r]) => {
    const response: Json = { description: r.description ?? '' };
    if (r.schema) response.schema = { schema: schema(r.schema as Json) };
    return { name: code, value: { response } };
  });
  return {
    tags: op.tags ?? [], description: op.description ?? '', operation_id: op.operationId ?? '',
    consumes: op.consumes ?? [], produces: op.produces ?? [], schemes: op.schemes ?? [],
    parameters: ((op.parameters as Json[]) ?? []).map(parameter),
    responses: { response_code: responses },
    vendor_extension: extensions(op),
  };
}

/** The protobuf bytes of a Swagger 2.0 document. */
export function encodeV2(doc: Json): Uint8Array {
  const paths = Object.entries(doc.paths as Record<string, Json>).map(([path, item]) => {
    const value: Json = { parameters: ((item.parameters as Json[]) ?? []).map(parameter) };
    for (const m of ['get', 'put', 'post', 'delete', 'patch']) if (item[m]) value[m] = operation(item[m] as Json);
    return { name: path, value };
  });
  const definitions = Object.entries(doc.definitions as Record<string, Json>).map(([name, s]) => ({ name, value: schema(s) }));
  const info = doc.info as Json;
  const message = {
    swagger: doc.swagger,
    info: { title: info.title, version: info.version },
    paths: { path: paths },
    definitions: { additional_properties: definitions },
    security_definitions: {
      additional_properties: [{ name: 'BearerToken', value: { api_key_security: { type: 'apiKey', name: 'authorization', in: 'header', description: 'Bearer Token authentication' } } }],
    },
    security: [{ additional_properties: [{ name: 'BearerToken', value: { value: [] } }] }],
  };
  const type = docType();
  // Plain objects already have the message shape; fromObject would only copy them.
  return type.encode(message).finish();
}

/** Decodes the protobuf form back to a plain object (for tests). */
export function decodeV2(bytes: Uint8Array): Json {
  const type = docType();
  return type.toObject(type.decode(bytes), { defaults: false }) as Json;
}
