// The protobuf wire format, reading side: splits a message into its fields without knowing
// what they mean. Meaning comes from the schema (see decode.ts).

export const WireType = { Varint: 0, Fixed64: 1, Bytes: 2, StartGroup: 3, EndGroup: 4, Fixed32: 5 } as const;

/** One field occurrence on the wire. A varint is kept as a bigint so no bits are lost. */
export type WireField =
  | { num: number; wireType: typeof WireType.Varint; value: bigint }
  | { num: number; wireType: typeof WireType.Fixed64 | typeof WireType.Bytes | typeof WireType.Fixed32; value: Buffer };

/** A malformed message; messages read like gogo-protobuf's, which Kubernetes clients see. */
export class WireError extends Error {
  override readonly name = 'WireError';
}

/** Reads a varint at `pos`; returns the value and the position after it. */
export function readVarint(buf: Buffer, pos: number): { value: bigint; next: number } {
  // Fast path: up to four bytes fit a 28-bit number, which covers tags, lengths and most values.
  let small = 0;
  for (let i = 0; i < 4; i++) {
    if (pos + i >= buf.length) throw new WireError('unexpected EOF');
    const b = buf[pos + i];
    small |= (b & 0x7f) << (7 * i);
    if (b < 0x80) return { value: BigInt(small), next: pos + i + 1 };
  }
  let value = BigInt(small);
  for (let i = 4; i < 10; i++) {
    if (pos + i >= buf.length) throw new WireError('unexpected EOF');
    const b = buf[pos + i];
    value |= BigInt(b & 0x7f) << BigInt(7 * i);
    if (b < 0x80) return { value: BigInt.asUintN(64, value), next: pos + i + 1 };
  }
  throw new WireError('proto: integer overflow');
}

/** A varint that must fit 32 bits (tags, lengths), read without bigint arithmetic. */
function readSmall(buf: Buffer, pos: number): { value: number; next: number } {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (pos + i >= buf.length) throw new WireError('unexpected EOF');
    const b = buf[pos + i];
    value += (b & 0x7f) * 2 ** (7 * i);
    if (b < 0x80) return { value, next: pos + i + 1 };
  }
  // Longer is a corrupt tag or a length far beyond any body; let the full reader judge.
  const big = readVarint(buf, pos);
  return { value: Number(big.value), next: big.next };
}

/** Splits a message into its fields, in wire order. Groups (long deprecated) are skipped. */
export function readFields(buf: Buffer): WireField[] {
  const fields: WireField[] = [];
  let pos = 0;
  let groupDepth = 0;
  while (pos < buf.length) {
    const key = readSmall(buf, pos);
    pos = key.next;
    const num = Math.floor(key.value / 8);
    const wireType = key.value % 8;
    if (num <= 0) throw new WireError(`proto: illegal tag ${num} (wire type ${wireType})`);
    switch (wireType) {
      case WireType.Varint: {
        const v = readVarint(buf, pos);
        pos = v.next;
        if (groupDepth === 0) fields.push({ num, wireType: WireType.Varint, value: v.value });
        break;
      }
      case WireType.Fixed64:
      case WireType.Fixed32: {
        const size = wireType === WireType.Fixed64 ? 8 : 4;
        if (pos + size > buf.length) throw new WireError('unexpected EOF');
        if (groupDepth === 0) fields.push({ num, wireType: wireType === WireType.Fixed64 ? WireType.Fixed64 : WireType.Fixed32, value: buf.subarray(pos, pos + size) });
        pos += size;
        break;
      }
      case WireType.Bytes: {
        const len = readSmall(buf, pos);
        pos = len.next;
        if (len.value > buf.length - pos) throw new WireError('unexpected EOF');
        const end = pos + len.value;
        if (groupDepth === 0) fields.push({ num, wireType: WireType.Bytes, value: buf.subarray(pos, end) });
        pos = end;
        break;
      }
      case WireType.StartGroup:
        groupDepth++;
        break;
      case WireType.EndGroup:
        if (groupDepth === 0) throw new WireError('proto: unexpected end group');
        groupDepth--;
        break;
      default:
        throw new WireError(`proto: illegal wireType ${wireType}`);
    }
  }
  if (groupDepth !== 0) throw new WireError('unexpected EOF');
  return fields;
}
