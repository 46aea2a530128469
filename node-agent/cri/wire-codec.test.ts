// The wire codec against protobufjs, which @grpc/proto-loader (and so every gRPC CRI client in
// Node) uses: for every CRI message, with every field set, each side decodes what the other
// encodes, and decoded messages look as proto-loader hands them out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { packageRoot } from '../../lib/package-root.js';
import { formatWireSchema, generateWireSchema } from './gen-wire-schema.js';
import { WireCodec } from './wire-codec.js';
import { loadWireSchema, WIRE_SCHEMA_FILE, type WireSchema } from './wire-schema.js';

const schema = loadWireSchema();
const codec = new WireCodec(schema);
const root = new protobuf.Root().loadSync(join(packageRoot(), 'proto', 'cri-api.proto'), { keepCase: true });
// proto-loader's conversion with the options connection.ts used to give it.
const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: String, defaults: true, oneofs: true };
const pbType = (name: string) => root.lookupType(`${schema.package}.${name}`);

const samples: Record<string, unknown> = {
  string: 'añb/c', int64: '-1795311107722450072', uint64: '18446744073709551615', sint64: '-7',
  int32: -3, uint32: 4000000000, sint32: -9, bool: true, double: 1.5, float: 0.25, bytes: Buffer.from('hi\n'),
};

/** A message of `type` with every field set (messages nested up to `depth`). */
function sample(s: WireSchema, type: string, depth = 3): Record<string, unknown> {
  const one = (t: string): unknown => {
    if (t in samples) return samples[t];
    const values = s.enums[t];
    if (values) return Object.keys(values).at(-1);
    return depth > 0 ? sample(s, t, depth - 1) : {};
  };
  return Object.fromEntries((s.messages[type] ?? []).map(([name, , t, label]) => {
    if (label === 'repeated') return [name, [one(t), one(t)]];
    if (label) return [name, { a: one(t), b: one(t) }];
    return [name, one(t)];
  }));
}

test('proto/cri-api.wire.json is what gen-wire-schema.ts makes of proto/cri-api.proto', () => {
  const file = readFileSync(join(packageRoot(), 'proto', WIRE_SCHEMA_FILE), 'utf8');
  assert.equal(file, formatWireSchema(generateWireSchema()), 'run: node dist/node-agent/cri/gen-wire-schema.js');
});

test('every message decodes as protobufjs decodes it, both ways', () => {
  for (const type of Object.keys(schema.messages)) {
    const msg = sample(schema, type);
    const T = pbType(type);
    const theirs = (buf: Uint8Array) => T.toObject(T.decode(buf), TO_OBJECT);
    const ours = codec.encode(type, msg);
    assert.deepEqual(codec.decode(type, ours), theirs(ours), `${type}: our encoding`);
    const theirBytes = T.encode(T.fromObject(msg)).finish();
    assert.deepEqual(codec.decode(type, theirBytes), theirs(theirBytes), `${type}: protobufjs' encoding`);
  }
});

test('an empty message decodes to every default', () => {
  const T = pbType('ContainerStatusResponse');
  assert.deepEqual(codec.decode('ContainerStatusResponse', Buffer.alloc(0)), T.toObject(T.decode(Buffer.alloc(0)), TO_OBJECT));
  const status = codec.decode('ContainerStatus', Buffer.alloc(0));
  assert.equal(status.state, 'CONTAINER_CREATED');
  assert.equal(status.created_at, '0');
  assert.equal(status.metadata, null);
  assert.deepEqual(status.labels, {});
  assert.deepEqual(status.mounts, []);
});

test('requests take int64 as numbers, enums as numbers, and leave out null fields', () => {
  const buf = codec.encode('ContainerStatus', { created_at: 42, state: 1, metadata: null, reason: undefined });
  const got = codec.decode('ContainerStatus', buf);
  assert.equal(got.created_at, '42');
  assert.equal(got.state, 'CONTAINER_RUNNING');
  assert.equal(got.metadata, null);
});

test('unknown enum names are refused; unknown fields are skipped', () => {
  assert.throws(() => codec.encode('ContainerStatus', { state: 'CONTAINER_DANCING' }), /CONTAINER_DANCING/);
  // Field 99 (varint) then id "x": a newer runtime's field must not break decoding.
  const buf = Buffer.concat([Buffer.from([0x98, 0x06, 0x01]), codec.encode('ContainerStatus', { id: 'x' })]);
  assert.equal(codec.decode('ContainerStatus', buf).id, 'x');
});
