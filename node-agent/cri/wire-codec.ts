// Protocol Buffers (proto3) encoding and decoding driven by a WireSchema, for the CRI messages.
// Decoded messages look as @grpc/proto-loader hands them out with `{keepCase, longs: String,
// enums: String, defaults: true}` (see types.ts): every field present, 64-bit integers as decimal
// strings, enums as names, bytes as Buffers, unset messages as null. Requests are plain objects
// as in types.ts' `In` types; null and undefined fields are left out.
import type { FieldSpec, WireSchema } from './wire-schema.js';

const VARINT = 0;
const FIXED64 = 1;
const LEN = 2;
const FIXED32 = 5;

const wireTypeOf: Record<string, number> = {
  string: LEN, bytes: LEN, bool: VARINT, double: FIXED64, float: FIXED32,
  int32: VARINT, uint32: VARINT, sint32: VARINT, int64: VARINT, uint64: VARINT, sint64: VARINT,
};

const isLong = (t: string): boolean => t === 'int64' || t === 'uint64' || t === 'sint64';

export class WireCodec {
  /** Per message: field number -> spec, for decoding. */
  private readonly byNumber = new Map<string, Map<number, FieldSpec>>();
  private readonly enumNames = new Map<string, Map<number, string>>();

  constructor(readonly schema: WireSchema) {
    for (const [name, fields] of Object.entries(schema.messages)) this.byNumber.set(name, new Map(fields.map((f) => [f[1], f])));
    for (const [name, values] of Object.entries(schema.enums)) {
      const names = new Map<number, string>();
      // The first name of a number wins, as in protobufjs.
      for (const [k, v] of Object.entries(values)) if (!names.has(v)) names.set(v, k);
      this.enumNames.set(name, names);
    }
  }

  encode(type: string, msg: object): Buffer {
    const w = new Writer();
    this.writeMessage(w, type, msg as Record<string, unknown>);
    return w.finish();
  }

  decode(type: string, buf: Uint8Array): Record<string, unknown> {
    return this.readMessage(new Reader(buf), type, buf.length);
  }

  private fields(type: string): FieldSpec[] {
    const f = this.schema.messages[type];
    if (!f) throw new TypeError(`unknown message type ${type}`);
    return f;
  }

  // ---- encoding ----------------------------------------------------------------------------

  private writeMessage(w: Writer, type: string, msg: Record<string, unknown>): void {
    for (const [name, id, ftype, label] of this.fields(type)) {
      const v = msg[name];
      if (v === undefined || v === null) continue;
      if (label === 'repeated') {
        if (!Array.isArray(v)) throw new TypeError(`${type}.${name}: array expected`);
        for (const item of v) this.writeField(w, id, ftype, item, `${type}.${name}`);
      } else if (label?.startsWith('map:')) {
        const keyType = label.slice(4);
        for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
          const entry = new Writer();
          this.writeField(entry, 1, keyType, k, `${type}.${name}`);
          this.writeField(entry, 2, ftype, item, `${type}.${name}`);
          w.tag(id, LEN).bytes(entry.finish());
        }
      } else {
        this.writeField(w, id, ftype, v, `${type}.${name}`);
      }
    }
  }

  private writeField(w: Writer, id: number, type: string, v: unknown, where: string): void {
    const wt = wireTypeOf[type];
    if (wt !== undefined) {
      w.tag(id, wt);
      writeScalar(w, type, v);
    } else if (this.schema.enums[type]) {
      w.tag(id, VARINT).int64(BigInt(this.enumNumber(type, v, where)));
    } else {
      const inner = new Writer();
      this.writeMessage(inner, type, v as Record<string, unknown>);
      w.tag(id, LEN).bytes(inner.finish());
    }
  }

  private enumNumber(type: string, v: unknown, where: string): number {
    if (typeof v === 'number') return v;
    const n = this.schema.enums[type]?.[String(v)];
    if (n === undefined) throw new TypeError(`${where}: ${JSON.stringify(v)} is not a ${type}`);
    return n;
  }

  // ---- decoding ----------------------------------------------------------------------------

  private readMessage(r: Reader, type: string, end: number): Record<string, unknown> {
    const msg = this.defaults(type);
    const byNumber = this.byNumber.get(type) as Map<number, FieldSpec>;
    while (r.pos < end) {
      const tag = r.uint32();
      const id = tag >>> 3;
      const wt = tag & 7;
      const f = byNumber.get(id);
      if (!f) {
        r.skip(wt);
        continue;
      }
      const [name, , ftype, label] = f;
      if (label?.startsWith('map:')) {
        const [k, v] = this.readMapEntry(r, label.slice(4), ftype);
        (msg[name] as Record<string, unknown>)[String(k)] = v;
      } else if (label === 'repeated') {
        const list = msg[name] as unknown[];
        // Packed numbers arrive as one length-delimited run.
        if (wt === LEN && ftype !== 'string' && ftype !== 'bytes' && !this.schema.messages[ftype]) {
          const runEnd = r.uint32() + r.pos;
          while (r.pos < runEnd) list.push(this.readValue(r, ftype));
        } else {
          list.push(this.readValue(r, ftype));
        }
      } else {
        msg[name] = this.readValue(r, ftype);
      }
    }
    return msg;
  }

  private readMapEntry(r: Reader, keyType: string, valueType: string): [unknown, unknown] {
    const end = r.uint32() + r.pos;
    let k: unknown = scalarDefault(keyType);
    let v: unknown = this.defaultOf(valueType);
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag >>> 3 === 1) k = this.readValue(r, keyType);
      else if (tag >>> 3 === 2) v = this.readValue(r, valueType);
      else r.skip(tag & 7);
    }
    return [k, v];
  }

  private readValue(r: Reader, type: string): unknown {
    if (wireTypeOf[type] !== undefined) return readScalar(r, type);
    const names = this.enumNames.get(type);
    if (names) {
      const n = r.int32();
      return names.get(n) ?? n;
    }
    const len = r.uint32();
    return this.readMessage(r, type, r.pos + len);
  }

  /** A message with every field at its default, as proto-loader's `defaults: true` gives it. */
  private defaults(type: string): Record<string, unknown> {
    const msg: Record<string, unknown> = {};
    for (const [name, , ftype, label] of this.fields(type)) {
      if (label === 'repeated') msg[name] = [];
      else if (label) msg[name] = {};
      else msg[name] = this.defaultOf(ftype);
    }
    return msg;
  }

  private defaultOf(type: string): unknown {
    if (wireTypeOf[type] !== undefined) return scalarDefault(type);
    return this.enumNames.get(type)?.get(0) ?? (this.schema.enums[type] ? 0 : null);
  }
}

function scalarDefault(type: string): unknown {
  if (type === 'string') return '';
  if (type === 'bool') return false;
  if (type === 'bytes') return Buffer.alloc(0);
  if (isLong(type)) return '0';
  return 0;
}

function writeScalar(w: Writer, type: string, v: unknown): void {
  switch (type) {
    case 'string': w.bytes(Buffer.from(String(v), 'utf8')); return;
    case 'bytes': w.bytes(typeof v === 'string' ? Buffer.from(v, 'base64') : (v as Uint8Array)); return;
    case 'bool': w.byte(v ? 1 : 0); return;
    case 'double': w.double(Number(v)); return;
    case 'float': w.float(Number(v)); return;
    case 'uint32': w.uint32(Number(v) >>> 0); return;
    case 'int32': w.int64(BigInt(Number(v) | 0)); return;
    case 'sint32': { const n = Number(v) | 0; w.uint32(((n << 1) ^ (n >> 31)) >>> 0); return; }
    case 'sint64': { const n = BigInt.asIntN(64, toBigInt(v)); w.int64((n << 1n) ^ (n >> 63n)); return; }
    default: w.int64(toBigInt(v)); // int64, uint64
  }
}

function readScalar(r: Reader, type: string): unknown {
  switch (type) {
    case 'string': return r.string();
    case 'bytes': return r.bytes();
    case 'bool': return r.uint32() !== 0;
    case 'double': return r.double();
    case 'float': return r.float();
    case 'uint32': return r.int32() >>> 0;
    case 'int32': return r.int32();
    case 'sint32': { const n = r.int32() >>> 0; return (n >>> 1) ^ -(n & 1); }
    case 'int64': return BigInt.asIntN(64, r.varint()).toString();
    case 'uint64': return r.varint().toString();
    case 'sint64': { const n = r.varint(); return ((n >> 1n) ^ -(n & 1n)).toString(); }
    default: throw new TypeError(`unsupported scalar type ${type}`);
  }
}

function toBigInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  return BigInt(String(v));
}

class Writer {
  private readonly chunks: Buffer[] = [];
  private readonly scratch: number[] = [];

  tag(id: number, wireType: number): this {
    return this.uint32(((id << 3) | wireType) >>> 0);
  }

  /** A varint of a number in 0 .. 2^32-1 (tags, lengths), without BigInt. */
  uint32(n: number): this {
    while (n > 0x7f) {
      this.scratch.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    this.scratch.push(n);
    return this;
  }

  byte(b: number): this {
    this.scratch.push(b);
    return this;
  }

  /** A varint; negative numbers as their 64-bit two's complement (10 bytes). */
  int64(v: bigint): this {
    let n = BigInt.asUintN(64, v);
    while (n > 0x7fn) {
      this.scratch.push(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    this.scratch.push(Number(n));
    return this;
  }

  double(v: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    return this.raw(b);
  }

  float(v: number): this {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    return this.raw(b);
  }

  /** Length-delimited. */
  bytes(b: Uint8Array): this {
    this.uint32(b.length);
    return this.raw(b);
  }

  private raw(b: Uint8Array): this {
    this.flush();
    this.chunks.push(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    return this;
  }

  private flush(): void {
    if (this.scratch.length) this.chunks.push(Buffer.from(this.scratch.splice(0)));
  }

  finish(): Buffer {
    this.flush();
    return Buffer.concat(this.chunks);
  }
}

class Reader {
  pos = 0;
  private readonly buf: Buffer;

  constructor(buf: Uint8Array) {
    this.buf = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  varint(): bigint {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new RangeError('truncated varint');
      const b = this.buf[this.pos++] as number;
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return BigInt.asUintN(64, v);
      shift += 7n;
    }
  }

  /** A varint of at most 32 significant bits (tags, lengths, int32 and enums) without BigInt. */
  uint32(): number {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      if (this.pos >= this.buf.length) throw new RangeError('truncated varint');
      const b = this.buf[this.pos++] as number;
      if (shift < 32) v |= (b & 0x7f) << shift;
      if (!(b & 0x80)) return v >>> 0;
    }
  }

  int32(): number {
    return this.uint32() | 0;
  }

  double(): number {
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  float(): number {
    const v = this.buf.readFloatLE(this.pos);
    this.pos += 4;
    return v;
  }

  bytes(): Buffer {
    const len = this.uint32();
    if (this.pos + len > this.buf.length) throw new RangeError('truncated message');
    // A copy: a view would keep the whole response alive.
    const b = Buffer.from(this.buf.subarray(this.pos, this.pos + len));
    this.pos += len;
    return b;
  }

  string(): string {
    const len = this.uint32();
    if (this.pos + len > this.buf.length) throw new RangeError('truncated message');
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  skip(wireType: number): void {
    if (wireType === VARINT) this.uint32();
    else if (wireType === FIXED64) this.pos += 8;
    else if (wireType === LEN) this.pos += this.uint32();
    else if (wireType === FIXED32) this.pos += 4;
    else throw new RangeError(`unsupported wire type ${wireType}`);
  }
}
