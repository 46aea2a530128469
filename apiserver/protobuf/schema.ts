// What Kubernetes' protobuf messages mean in JSON: for each message, its fields by number with
// the JSON name and the Go facts (pointer, omitempty, inline) that decide how a decoded value is
// written. The data comes from proto/kubernetes/schema.json (see its README).

export const scalarTypes = ['string', 'bool', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'double', 'float', 'bytes'] as const;
export type Scalar = typeof scalarTypes[number];

/** Messages whose JSON form Go writes by hand (MarshalJSON) rather than field by field. */
export const specialTypes = ['time', 'microtime', 'duration', 'quantity', 'intorstring', 'rawjson', 'unknown', 'schemaorbool', 'schemaorarray', 'schemaorstringarray'] as const;
export type Special = typeof specialTypes[number];

/** The type of a value: a scalar, or the id of a message such as `apps/v1.DeploymentSpec`. */
export type ValueType = { scalar: Scalar } | { message: string };

export interface FieldSchema {
  num: number;
  /** JSON name; empty for an inline (embedded) struct whose fields join the parent's. */
  json: string;
  /** The element type of a repeated field, the value type of a map. */
  type: ValueType;
  mapKey?: Scalar;
  repeated: boolean;
  /** A Go pointer: absent means nil, and a zero value that is present is kept. */
  pointer: boolean;
  /** `omitempty`: Go's JSON drops false, 0, "", nil and empty lists/maps (never structs). */
  omitEmpty: boolean;
  inline: boolean;
  /** A Go-like field name for error messages: the JSON name capitalised. */
  goName: string;
}

export type MessageSchema =
  | { kind: 'struct'; id: string; fields: readonly FieldSchema[]; byNumber: ReadonlyMap<number, FieldSchema> }
  | { kind: 'special'; id: string; special: Special }
  /** A named Go slice (ExtraValue, Verbs) wrapped as `message { repeated T items = 1; }`. */
  | { kind: 'array'; id: string; item: ValueType };

/** A message id and the JSON TypeMeta to print for it. */
export interface KindMessage {
  id: string;
  apiVersion: string;
  kind: string;
}

export interface KubeSchema {
  message(id: string): MessageSchema;
  /** The message of a top-level kind, or undefined when the scheme does not know it. */
  kindMessage(apiVersion: string, kind: string): KindMessage | undefined;
}

/** Option kinds every group version registers (metav1.AddToGroupVersion). */
const optionKinds = new Set(['ListOptions', 'GetOptions', 'DeleteOptions', 'CreateOptions', 'UpdateOptions', 'PatchOptions']);
/** Kinds registered as unversioned in v1. */
const unversionedKinds = new Set(['Status', 'APIVersions', 'APIGroupList', 'APIGroup', 'APIResourceList']);

/** The schema file's layout: rows are [number, jsonName, type, flags?]. */
interface SchemaFile {
  format: number;
  groupVersions: Record<string, string>;
  kinds: Record<string, string[]>;
  messages: Record<string, Array<[number, string, string, string?]> | string>;
}

function isSchemaFile(v: unknown): v is SchemaFile {
  const f = v as Partial<SchemaFile> | null;
  return typeof f === 'object' && f !== null && f.format === 1 && typeof f.groupVersions === 'object' && typeof f.kinds === 'object' && typeof f.messages === 'object';
}

function valueType(t: string): ValueType {
  return (scalarTypes as readonly string[]).includes(t) ? { scalar: t as Scalar } : { message: t };
}

function parseRow(id: string, row: [number, string, string, string?]): FieldSchema {
  const [num, json, type, flags = ''] = row;
  const field: FieldSchema = {
    num, json, type: valueType(type), repeated: flags.includes('r'), pointer: flags.includes('p'),
    omitEmpty: flags.includes('o'), inline: flags.includes('i'), goName: json ? json[0].toUpperCase() + json.slice(1) : 'Inline',
  };
  if (type.startsWith('map:')) {
    const [, key, value] = type.split(':');
    if (!(scalarTypes as readonly string[]).includes(key)) throw new Error(`schema: ${id}.${json}: map key ${key} is not a scalar`);
    field.mapKey = key as Scalar;
    field.type = valueType(value);
  }
  return field;
}

function parseMessage(id: string, raw: SchemaFile['messages'][string]): MessageSchema {
  if (typeof raw === 'string') {
    if (raw.startsWith('array:')) return { kind: 'array', id, item: valueType(raw.slice('array:'.length)) };
    if (!(specialTypes as readonly string[]).includes(raw)) throw new Error(`schema: ${id}: unknown special type ${raw}`);
    return { kind: 'special', id, special: raw as Special };
  }
  const fields = raw.map((row) => parseRow(id, row));
  return { kind: 'struct', id, fields, byNumber: new Map(fields.map((f) => [f.num, f])) };
}

/** Builds a schema from the parsed contents of schema.json. Messages are parsed on first use. */
export function parseSchema(raw: unknown): KubeSchema {
  if (!isSchemaFile(raw)) throw new Error('schema: not a k8ts protobuf schema (format 1)');
  const parsed = new Map<string, MessageSchema>();
  return {
    message(id) {
      let m = parsed.get(id);
      if (!m) {
        const entry = raw.messages[id];
        if (entry === undefined) throw new Error(`schema: no message ${id}`);
        m = parseMessage(id, entry);
        parsed.set(id, m);
      }
      return m;
    },
    kindMessage(apiVersion, kind) {
      const pkg = raw.groupVersions[apiVersion];
      if (pkg === undefined) return undefined;
      if (raw.kinds[apiVersion]?.includes(kind)) return { id: `${pkg}.${kind}`, apiVersion, kind };
      if (optionKinds.has(kind) || (apiVersion === 'v1' && unversionedKinds.has(kind))) return { id: `meta/v1.${kind}`, apiVersion, kind };
      return undefined;
    },
  };
}
