import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFields, readVarint, WireError, WireType } from './wire.js';
import { bytes, double, str, varint } from './testdata/wire-builder.js';

test('varints of one to ten bytes, including negative int32 written as 64 bits', () => {
  assert.deepEqual(readVarint(Buffer.from([0x01]), 0), { value: 1n, next: 1 });
  assert.deepEqual(readVarint(Buffer.from([0xac, 0x02]), 0), { value: 300n, next: 2 });
  assert.equal(readVarint(varint(1, 2n ** 40n), 1).value, 2n ** 40n);
  const minusOne = varint(1, -1);
  assert.equal(minusOne.length, 11);
  assert.equal(readVarint(minusOne, 1).value, 2n ** 64n - 1n);
});

test('fields of every wire type come back in wire order', () => {
  const fields = readFields(Buffer.concat([varint(1, 7), str(2, 'hi'), double(3, 1.5), varint(1, 8)]));
  assert.deepEqual(fields.map((f) => [f.num, f.wireType]), [[1, WireType.Varint], [2, WireType.Bytes], [3, WireType.Fixed64], [1, WireType.Varint]]);
  assert.equal(fields[0].value, 7n);
  assert.equal((fields[1].value as Buffer).toString(), 'hi');
});

test('an empty message has no fields', () => {
  assert.deepEqual(readFields(Buffer.alloc(0)), []);
});

test('deprecated groups are skipped with everything inside them', () => {
  const group = Buffer.concat([Buffer.from([(5 << 3) | 3]), varint(6, 1), Buffer.from([(5 << 3) | 4])]);
  assert.deepEqual(readFields(Buffer.concat([group, varint(1, 2)])).map((f) => f.num), [1]);
});

test('truncated input is unexpected EOF', () => {
  const whole = str(1, 'hello');
  assert.throws(() => readFields(whole.subarray(0, 4)), new WireError('unexpected EOF'));
  assert.throws(() => readFields(Buffer.from([0x08, 0x80])), new WireError('unexpected EOF'));
  assert.throws(() => readFields(bytes(1, Buffer.alloc(3)).subarray(0, 3)), new WireError('unexpected EOF'));
});

test('field number zero and unknown wire types are refused', () => {
  assert.throws(() => readFields(Buffer.from([0x00, 0x01])), /illegal tag 0/);
  assert.throws(() => readFields(Buffer.from([(1 << 3) | 7])), /illegal wireType 7/);
});

test('a varint longer than ten bytes overflows', () => {
  assert.throws(() => readVarint(Buffer.alloc(11, 0xff), 0), /integer overflow/);
});
