// Decodes Kubernetes' protobuf encoding (application/vnd.kubernetes.protobuf) into the JSON the
// Go API server would print for the same object: the Go struct a client marshalled, written back
// with encoding/json. That means nil pointers and lists become absent or null, zero values of
// non-pointer fields are written unless `omitempty`, and structs are always written.
import type { Json } from '../api/object.js';
import { formatDuration, formatMicroTime, formatTime } from './go-format.js';
import type { FieldSchema, KindMessage, KubeSchema, MessageSchema, Scalar, Special, ValueType } from './schema.js';
import { readFields, readVarint, WireError, WireType, type WireField } from './wire.js';

/** Every protobuf body starts with these four bytes ("k8s\0"). */
export const protobufMagic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export interface GroupVersionKind {
  apiVersion: string;
  kind: string;
}

/** A body that cannot be decoded; `gvk` is set once the envelope named a kind. */
export class ProtobufDecodeError extends Error {
  override readonly name = 'ProtobufDecodeError';
  constructor(message: string, readonly gvk?: GroupVersionKind) {
    super(message);
  }
}

type JsonObject = { [k: string]: Json };

/** The encoding of an absent message: every field at its zero value. */
const noBytes = Buffer.alloc(0);

/** The result of a field: a JSON value, or nothing when Go's JSON would leave it out. */
const omit = Symbol('omit');
type FieldValue = Json | typeof omit;

/** Far deeper than any real object (CRD schemas nest deepest); guards the stack against hostile bodies. */
const maxDepth = 1000;

function groupByNumber(fields: WireField[]): Map<number, WireField[]> {
  const byNum = new Map<number, WireField[]>();
  for (const f of fields) {
    const list = byNum.get(f.num);
    if (list) list.push(f);
    else byNum.set(f.num, [f]);
  }
  return byNum;
}

function bytesOf(f: WireField, name: string): Buffer {
  if (f.wireType !== WireType.Bytes) throw new WireError(`proto: wrong wireType = ${f.wireType} for field ${name}`);
  return f.value;
}

/** Occurrences of a message field merge, as in protobuf: their encodings concatenate. */
function mergedBytes(occurrences: WireField[], name: string): Buffer {
  return occurrences.length === 1 ? bytesOf(occurrences[0], name) : Buffer.concat(occurrences.map((o) => bytesOf(o, name)));
}

function zeroScalar(t: Scalar): Json {
  if (t === 'string') return '';
  if (t === 'bool') return false;
  if (t === 'bytes') return null;
  return 0;
}

function isZero(v: Json): boolean {
  return v === '' || v === false || v === 0 || v === null;
}

/** A scalar from one varint / fixed value. */
function numericScalar(t: Scalar, f: WireField, name: string): Json {
  const wrong = () => new WireError(`proto: wrong wireType = ${f.wireType} for field ${name}`);
  if (f.wireType === WireType.Varint) {
    const v = f.value;
    switch (t) {
      case 'bool': return v !== 0n;
      case 'int32': return Number(BigInt.asIntN(32, v));
      case 'int64': return Number(BigInt.asIntN(64, v));
      case 'uint32': return Number(BigInt.asUintN(32, v));
      case 'uint64': return Number(v);
      case 'sint32': case 'sint64': return Number((v >> 1n) ^ -(v & 1n));
      default: throw wrong();
    }
  }
  if (f.wireType === WireType.Fixed64) {
    if (t === 'double') return f.value.readDoubleLE(0);
    if (t === 'fixed64') return Number(f.value.readBigUInt64LE(0));
    throw wrong();
  }
  if (f.wireType === WireType.Fixed32) {
    if (t === 'float') return f.value.readFloatLE(0);
    if (t === 'fixed32') return f.value.readUInt32LE(0);
    throw wrong();
  }
  throw wrong();
}

/** Numeric scalars in a repeated field may come packed into one length-delimited field. */
function unpack(t: Scalar, f: WireField): WireField[] {
  if (f.wireType !== WireType.Bytes || t === 'string' || t === 'bytes') return [f];
  const buf = f.value;
  const out: WireField[] = [];
  const size = t === 'double' || t === 'fixed64' ? 8 : t === 'float' || t === 'fixed32' ? 4 : 0;
  for (let pos = 0; pos < buf.length;) {
    if (size === 0) {
      const v = readVarint(buf, pos);
      out.push({ num: f.num, wireType: WireType.Varint, value: v.value });
      pos = v.next;
    } else {
      if (pos + size > buf.length) throw new WireError('unexpected EOF');
      out.push({ num: f.num, wireType: size === 8 ? WireType.Fixed64 : WireType.Fixed32, value: buf.subarray(pos, pos + size) });
      pos += size;
    }
  }
  return out;
}

class Decoder {
  constructor(private readonly schema: KubeSchema) {}

  /** One value of a field's type from one wire occurrence (or, for messages, merged bytes). */
  private value(type: ValueType, f: WireField, name: string, depth: number): Json {
    if ('message' in type) return this.message(type.message, bytesOf(f, name), depth + 1);
    if (type.scalar === 'string') return bytesOf(f, name).toString('utf8');
    if (type.scalar === 'bytes') return bytesOf(f, name).toString('base64');
    return numericScalar(type.scalar, f, name);
  }

  /** The JSON value of a message given its (possibly empty) encoding. */
  message(id: string, data: Buffer, depth: number): Json {
    if (depth > maxDepth) throw new WireError('proto: exceeded maximum nesting depth');
    const m = this.schema.message(id);
    switch (m.kind) {
      case 'struct': return this.struct(m, data, depth);
      case 'array': return this.array(m, data, depth);
      case 'special': return this.special(m.special, data, depth);
    }
  }

  private struct(m: Extract<MessageSchema, { kind: 'struct' }>, data: Buffer, depth: number): JsonObject {
    const byNum = groupByNumber(readFields(data));
    const out: JsonObject = {};
    for (const f of m.fields) {
      const v = this.field(f, byNum.get(f.num) ?? [], depth);
      if (v === omit) continue;
      if (f.inline) Object.assign(out, v);
      else out[f.json] = v;
    }
    return out;
  }

  private array(m: Extract<MessageSchema, { kind: 'array' }>, data: Buffer, depth: number): Json {
    const items = groupByNumber(readFields(data)).get(1) ?? [];
    const list = this.repeated(m.item, items, 'Items', depth);
    return list.length ? list : null;
  }

  private repeated(type: ValueType, occurrences: WireField[], name: string, depth: number): Json[] {
    const flat = 'scalar' in type ? occurrences.flatMap((o) => unpack(type.scalar, o)) : occurrences;
    return flat.map((o) => this.value(type, o, name, depth));
  }

  private map(f: FieldSchema, occurrences: WireField[], depth: number): JsonObject {
    const entries: Array<[string, Json]> = [];
    for (const o of occurrences) {
      const parts = groupByNumber(readFields(bytesOf(o, f.goName)));
      const k = parts.get(1)?.at(-1);
      const key = k ? this.value({ scalar: f.mapKey ?? 'string' }, k, f.goName, depth) : zeroScalar(f.mapKey ?? 'string');
      const v = parts.get(2);
      let value: Json;
      if ('message' in f.type) value = this.message(f.type.message, v ? mergedBytes(v, f.goName) : noBytes, depth + 1);
      else value = v ? this.value(f.type, v[v.length - 1], f.goName, depth) : f.type.scalar === 'bytes' ? '' : zeroScalar(f.type.scalar);
      entries.push([String(key), value]);
    }
    // Later entries replace earlier ones; Go's JSON writes map keys sorted.
    const unique = new Map(entries);
    const out: JsonObject = {};
    for (const key of [...unique.keys()].sort()) out[key] = unique.get(key) as Json;
    return out;
  }

  /** A field's JSON value following encoding/json's rules for its Go type. */
  private field(f: FieldSchema, occurrences: WireField[], depth: number): FieldValue {
    const name = f.goName;
    const absent = occurrences.length === 0;
    const nil = () => (f.omitEmpty ? omit : null);
    if (f.mapKey !== undefined) {
      const m = this.map(f, occurrences, depth);
      return Object.keys(m).length ? m : nil();
    }
    if (f.repeated) {
      const list = this.repeated(f.type, occurrences, name, depth);
      return list.length ? list : nil();
    }
    if ('scalar' in f.type) {
      if (absent) return f.pointer ? nil() : f.omitEmpty ? omit : zeroScalar(f.type.scalar);
      // A scalar set twice keeps the last value, as in protobuf.
      const v = this.value(f.type, occurrences[occurrences.length - 1], name, depth);
      return f.omitEmpty && !f.pointer && isZero(v) ? omit : v;
    }
    const target = this.schema.message(f.type.message);
    if (target.kind === 'array') {
      // A named slice: nil when absent, and empty counts as empty for omitempty.
      if (absent) return nil();
      const v = this.message(target.id, mergedBytes(occurrences, name), depth + 1);
      return v === null ? nil() : v;
    }
    if (absent && f.pointer) return nil();
    return this.message(target.id, absent ? noBytes : mergedBytes(occurrences, name), depth + 1);
  }

  private special(kind: Special, data: Buffer, depth: number): Json {
    const fields = groupByNumber(readFields(data));
    const last = (num: number) => fields.get(num)?.at(-1);
    const scalar = (num: number, t: Scalar): Json => {
      const f = last(num);
      return f ? this.value({ scalar: t }, f, `field ${num}`, depth) : zeroScalar(t);
    };
    const sub = (num: number, id: string): Json | undefined => {
      const occ = fields.get(num);
      return occ ? this.message(id, mergedBytes(occ, `field ${num}`), depth + 1) : undefined;
    };
    const schemaProps = 'apiextensions/v1.JSONSchemaProps';
    switch (kind) {
      case 'time':
      case 'microtime': {
        // An empty encoding is the zero time, which Go writes as null.
        if (data.length === 0) return null;
        const seconds = last(1);
        const secs = seconds?.wireType === WireType.Varint ? BigInt.asIntN(64, seconds.value) : 0n;
        return kind === 'time' ? formatTime(secs) : formatMicroTime(secs, scalar(2, 'int32') as number);
      }
      case 'duration': {
        const ns = last(1);
        return formatDuration(ns?.wireType === WireType.Varint ? BigInt.asIntN(64, ns.value) : 0n);
      }
      // The string as sent (clients send the canonical form); parsing it is the JSON path's job.
      case 'quantity': return last(1) ? scalar(1, 'string') : '0';
      case 'intorstring': {
        const type = scalar(1, 'int64');
        if (type === 0) return scalar(2, 'int32');
        if (type === 1) return scalar(3, 'string');
        throw new WireError('impossible IntOrString.Type');
      }
      case 'rawjson': {
        const raw = last(1);
        return raw ? this.rawJson(bytesOf(raw, 'Raw'), depth) : null;
      }
      case 'unknown': return this.nestedUnknown(fields, depth);
      case 'schemaorbool': return sub(2, schemaProps) ?? (scalar(1, 'bool') as boolean);
      case 'schemaorarray': {
        const list = this.repeated({ message: schemaProps }, fields.get(2) ?? [], 'JSONSchemas', depth);
        return list.length ? list : sub(1, schemaProps) ?? null;
      }
      case 'schemaorstringarray': {
        const list = this.repeated({ scalar: 'string' }, fields.get(2) ?? [], 'Property', depth);
        return list.length ? list : sub(1, schemaProps) ?? null;
      }
    }
  }

  /** Raw bytes holding JSON (RawExtension, FieldsV1, apiextensions JSON), or a nested protobuf object. */
  private rawJson(raw: Buffer, depth: number): Json {
    if (raw.length === 0) return null;
    if (raw.subarray(0, 4).equals(protobufMagic)) return this.object(raw, undefined, depth + 1);
    try {
      return JSON.parse(raw.toString('utf8')) as Json;
    } catch (err) {
      throw new WireError(`invalid embedded JSON: ${(err as Error).message}`);
    }
  }

  /** runtime.Unknown inside a message: JSON raw bytes as they are, protobuf raw bytes decoded. */
  private nestedUnknown(fields: Map<number, WireField[]>, depth: number): Json {
    const contentType = fields.get(4)?.at(-1);
    const type = contentType ? bytesOf(contentType, 'ContentType').toString('utf8') : '';
    const raw = fields.get(2)?.at(-1);
    if (!raw) return null;
    const bytes = bytesOf(raw, 'Raw');
    if (type === '' || type === 'application/json') return this.rawJson(bytes, depth);
    if (type !== 'application/vnd.kubernetes.protobuf') throw new WireError('runtime.Unknown: MarshalJSON on non-json data');
    const meta = fields.get(1);
    const gvk = meta ? typeMetaOf(readFields(mergedBytes(meta, 'TypeMeta'))) : { apiVersion: '', kind: '' };
    return this.body(gvk, bytes, undefined, depth + 1);
  }

  /** A whole envelope: magic, then runtime.Unknown naming the kind, with the object in `raw`. */
  object(buf: Buffer, defaults: Partial<GroupVersionKind> | undefined, depth: number): JsonObject {
    if (buf.length === 0) throw new ProtobufDecodeError('empty data');
    if (buf.length < 4 || !buf.subarray(0, 4).equals(protobufMagic)) {
      throw new ProtobufDecodeError(`provided data does not appear to be a protobuf message, expected prefix [${[...protobufMagic].join(' ')}]`);
    }
    if (buf.length === 4) throw new ProtobufDecodeError('empty body');
    const fields = groupByNumber(readFields(buf.subarray(4)));
    const meta = fields.get(1);
    const gvk = meta ? typeMetaOf(readFields(mergedBytes(meta, 'TypeMeta'))) : { apiVersion: '', kind: '' };
    const raw = fields.get(2)?.at(-1);
    try {
      return this.body(gvk, raw ? bytesOf(raw, 'Raw') : noBytes, defaults, depth);
    } catch (err) {
      // Errors inside the object name the kind the envelope announced.
      if (err instanceof WireError || err instanceof RangeError) throw new ProtobufDecodeError(err.message, gvk);
      throw err;
    }
  }

  private body(found: GroupVersionKind, raw: Buffer, defaults: Partial<GroupVersionKind> | undefined, depth: number): JsonObject {
    const gvk = { apiVersion: found.apiVersion || defaults?.apiVersion || '', kind: found.kind || defaults?.kind || '' };
    const typeMeta = `runtime.TypeMeta{APIVersion:${JSON.stringify(found.apiVersion)}, Kind:${JSON.stringify(found.kind)}}`;
    if (!gvk.kind) throw new ProtobufDecodeError(`Object 'Kind' is missing in '${typeMeta}'`, gvk);
    if (!gvk.apiVersion) throw new ProtobufDecodeError(`Object 'apiVersion' is missing in '${typeMeta}'`, gvk);
    const target: KindMessage | undefined = this.schema.kindMessage(gvk.apiVersion, gvk.kind);
    if (!target) throw new ProtobufDecodeError(`no kind "${gvk.kind}" is registered for version "${gvk.apiVersion}" in scheme "pkg/api/legacyscheme/scheme.go:30"`, gvk);
    const fields = this.message(target.id, raw, depth + 1) as JsonObject;
    return { kind: target.kind, apiVersion: target.apiVersion, ...fields };
  }
}

function typeMetaOf(fields: WireField[]): GroupVersionKind {
  const text = (num: number) => {
    const f = fields.filter((x) => x.num === num).at(-1);
    return f ? bytesOf(f, num === 1 ? 'APIVersion' : 'Kind').toString('utf8') : '';
  };
  return { apiVersion: text(1), kind: text(2) };
}

/**
 * Decodes a protobuf request body into the object's JSON. `defaults` fill an envelope that does
 * not name its version or kind (the endpoint's own), as Kubernetes does.
 */
export function decodeKubeProtobuf(buf: Buffer, schema: KubeSchema, defaults?: Partial<GroupVersionKind>): Record<string, Json> {
  try {
    return new Decoder(schema).object(buf, defaults, 0);
  } catch (err) {
    // A broken envelope, before any kind is known.
    if (err instanceof WireError) throw new ProtobufDecodeError(err.message);
    throw err;
  }
}

/** Decodes one message (without envelope) by id, e.g. `meta/v1.DeleteOptions`; for tests and tools. */
export function decodeMessage(buf: Buffer, id: string, schema: KubeSchema): Json {
  return new Decoder(schema).message(id, buf, 0);
}
