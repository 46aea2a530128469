// Builds protobuf messages field by field, for tests that need bodies kubectl does not send.

function varintBytes(v: bigint): Buffer {
  let u = BigInt.asUintN(64, v);
  const out: number[] = [];
  do {
    const low = Number(u & 0x7fn);
    u >>= 7n;
    out.push(u ? low | 0x80 : low);
  } while (u);
  return Buffer.from(out);
}

const tag = (num: number, wireType: number) => varintBytes(BigInt((num << 3) | wireType));

export const varint = (num: number, v: number | bigint | boolean): Buffer =>
  Buffer.concat([tag(num, 0), varintBytes(BigInt(typeof v === 'boolean' ? Number(v) : v))]);

export const bytes = (num: number, b: Buffer): Buffer => Buffer.concat([tag(num, 2), varintBytes(BigInt(b.length)), b]);

export const str = (num: number, s: string): Buffer => bytes(num, Buffer.from(s, 'utf8'));

/** A nested message field made of the given encoded fields. */
export const msg = (num: number, ...fields: Buffer[]): Buffer => bytes(num, Buffer.concat(fields));

export function double(num: number, v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return Buffer.concat([tag(num, 1), b]);
}

/** A map entry (maps are repeated messages of key = 1, value = 2). */
export const entry = (num: number, key: string, value: Buffer): Buffer => msg(num, str(1, key), value);

/** The "k8s\0" envelope: runtime.Unknown{typeMeta, raw} around an encoded object. */
export function envelope(apiVersion: string, kind: string, ...fields: Buffer[]): Buffer {
  const typeMeta = Buffer.concat([apiVersion ? str(1, apiVersion) : Buffer.alloc(0), kind ? str(2, kind) : Buffer.alloc(0)]);
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), msg(1, typeMeta), bytes(2, Buffer.concat(fields)), str(3, ''), str(4, '')]);
}
