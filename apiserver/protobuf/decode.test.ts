import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinSchema } from './builtin-schema.js';
import { decodeKubeProtobuf, decodeMessage, ProtobufDecodeError } from './decode.js';
import { kubectlCaptures } from './testdata/kubectl-captures.js';
import { bytes, double, entry, envelope, msg, str, varint } from './testdata/wire-builder.js';

const schema = builtinSchema();
const decode = (buf: Buffer, defaults?: { apiVersion: string; kind: string }) => decodeKubeProtobuf(buf, schema, defaults);

/** Equal including key order, since Go writes struct fields in declaration order. */
function assertSameJson(actual: unknown, expected: unknown, message?: string) {
  assert.deepEqual(actual, expected, message);
  assert.equal(JSON.stringify(actual), JSON.stringify(expected), message);
}

for (const c of kubectlCaptures) {
  test(`${c.command}: decodes to the JSON kubectl 1.31 sends`, () => {
    assertSameJson(decode(Buffer.from(c.protobuf, 'base64')), c.json);
  });
}

test('pointers keep zero values, omitempty drops them, structs and non-omitempty nils are written', () => {
  const body = envelope('apps/v1', 'Deployment',
    msg(1, str(1, 'd')),
    msg(2, varint(1, 0), varint(7, false)));
  assertSameJson(decode(body), {
    kind: 'Deployment', apiVersion: 'apps/v1',
    metadata: { name: 'd', creationTimestamp: null },
    spec: { replicas: 0, selector: null, template: { metadata: { creationTimestamp: null }, spec: { containers: null } }, strategy: {} },
    status: {},
  });
});

test('a non-pointer zero without omitempty is written; with omitempty it is not', () => {
  // Scale.spec.replicas is `int32 json:"replicas,omitempty"`; status.replicas has no omitempty.
  const body = envelope('autoscaling/v1', 'Scale', msg(1, str(1, 'web')), msg(2, varint(1, 0)), msg(3, varint(1, 0)));
  assertSameJson(decode(body), { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'web', creationTimestamp: null }, spec: {}, status: { replicas: 0 } });
});

test('an empty non-omitempty list is null, as Go writes a nil slice', () => {
  assertSameJson(decode(envelope('rbac.authorization.k8s.io/v1', 'Role', msg(1, str(1, 'r')))), {
    kind: 'Role', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: 'r', creationTimestamp: null }, rules: null,
  });
});

test('times: seconds in UTC, the empty encoding is null, pointers only when present', () => {
  const ts = (seconds: number, nanos = 0) => Buffer.concat([varint(1, seconds), varint(2, nanos)]);
  const body = envelope('v1', 'ConfigMap', msg(1, str(1, 'c'), msg(8, ts(1_732_242_000, 999_000_000)), msg(9, ts(1_732_242_060))));
  assert.deepEqual(decode(body).metadata, { name: 'c', creationTimestamp: '2024-11-22T02:20:00Z', deletionTimestamp: '2024-11-22T02:21:00Z' });
  const zero = envelope('v1', 'ConfigMap', msg(1, str(1, 'c'), bytes(8, Buffer.alloc(0))));
  assert.deepEqual(decode(zero).metadata, { name: 'c', creationTimestamp: null });
});

test('micro times keep six fraction digits (Lease)', () => {
  const body = envelope('coordination.k8s.io/v1', 'Lease', msg(1, str(1, 'l')),
    msg(2, str(1, 'node-a'), varint(2, 40), msg(4, varint(1, 1_732_242_000), varint(2, 123_456_789)), varint(5, 0)));
  assert.deepEqual(decode(body).spec, { holderIdentity: 'node-a', leaseDurationSeconds: 40, renewTime: '2024-11-22T02:20:00.123456Z', leaseTransitions: 0 });
});

test('durations print as Go durations', () => {
  assert.equal(decodeMessage(varint(1, 5_400_000_000_000), 'meta/v1.Duration', schema), '1h30m0s');
  assert.equal(decodeMessage(Buffer.alloc(0), 'meta/v1.Duration', schema), '0s');
});

test('IntOrString is a number or a string by its type; quantities are their string', () => {
  const pdb = envelope('policy/v1', 'PodDisruptionBudget', msg(1, str(1, 'p')),
    msg(2, msg(1, varint(1, 1), varint(2, 0), str(3, '50%')), msg(3, varint(1, 0), varint(2, 0), str(3, ''))));
  assert.deepEqual(decode(pdb).spec, { minAvailable: '50%', maxUnavailable: 0 });
  const quota = envelope('v1', 'ResourceQuota', msg(1, str(1, 'q')), msg(2, entry(1, 'cpu', msg(2, str(1, '500m'))), entry(1, 'pods', Buffer.alloc(0))));
  assert.deepEqual(decode(quota).spec, { hard: { cpu: '500m', pods: '0' } });
});

test('bytes are base64, maps are written with sorted keys and the last duplicate wins', () => {
  const body = envelope('v1', 'Secret', msg(1, str(1, 's')),
    entry(2, 'z', bytes(2, Buffer.from([0, 1, 254, 255]))), entry(2, 'a', bytes(2, Buffer.from('one'))), entry(2, 'a', bytes(2, Buffer.from('two'))),
    entry(2, 'empty', bytes(2, Buffer.alloc(0))), str(3, 'Opaque'));
  const secret = decode(body);
  assert.deepEqual(secret.data, { a: 'dHdv', empty: '', z: 'AAH+/w==' });
  assert.deepEqual(Object.keys(secret.data as object), ['a', 'empty', 'z']);
  assert.equal(secret.type, 'Opaque');
});

test('named slices in maps (user extra) are lists, null when empty', () => {
  const body = envelope('authentication.k8s.io/v1', 'TokenReview', msg(2, str(1, 'tok')),
    msg(3, varint(1, true), msg(2, str(1, 'alice'), entry(4, 'scopes', msg(2, str(1, 'a'), str(1, 'b'))), entry(4, 'none', msg(2)))));
  assertSameJson(decode(body), {
    kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, spec: { token: 'tok' },
    status: { authenticated: true, user: { username: 'alice', extra: { none: null, scopes: ['a', 'b'] } } },
  });
});

test('raw JSON (RawExtension, FieldsV1) is embedded as JSON', () => {
  const fields = Buffer.from('{"f:data":{".":{}}}');
  const body = envelope('apps/v1', 'ControllerRevision',
    msg(1, str(1, 'rev'), msg(17, str(1, 'kubectl'), str(2, 'Update'), str(3, 'apps/v1'), str(6, 'FieldsV1'), msg(7, bytes(1, fields)))),
    msg(2, bytes(1, Buffer.from('{"spec":{"template":{"x":1}}}'))), varint(3, 2));
  assertSameJson(decode(body), {
    kind: 'ControllerRevision', apiVersion: 'apps/v1',
    metadata: { name: 'rev', creationTimestamp: null, managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { '.': {} } } }] },
    data: { spec: { template: { x: 1 } } }, revision: 2,
  });
});

test('a RawExtension may hold a whole protobuf object', () => {
  const inner = envelope('v1', 'ConfigMap', msg(1, str(1, 'inner')));
  const body = envelope('apps/v1', 'ControllerRevision', msg(1, str(1, 'rev')), msg(2, bytes(1, inner)), varint(3, 1));
  assert.deepEqual(decode(body).data, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'inner', creationTimestamp: null } });
});

test('CRD schemas: schema-or-bool, schema-or-array, raw defaults and doubles', () => {
  const props = (...f: Buffer[]) => Buffer.concat(f);
  const schemaProps = props(
    str(5, 'object'),
    entry(29, 'size', msg(2, str(5, 'integer'), double(9, 10.5), msg(8, bytes(1, Buffer.from('3'))))),
    entry(29, 'tags', msg(2, str(5, 'array'), msg(24, msg(1, str(5, 'string'))))),
    msg(30, varint(1, true)),
  );
  assertSameJson(decodeMessage(schemaProps, 'apiextensions/v1.JSONSchemaProps', schema), {
    type: 'object',
    properties: { size: { type: 'integer', default: 3, maximum: 10.5 }, tags: { type: 'array', items: { type: 'string' } } },
    additionalProperties: true,
  });
  assert.deepEqual(decodeMessage(msg(2, str(5, 'string')), 'apiextensions/v1.JSONSchemaPropsOrBool', schema), { type: 'string' });
  assert.equal(decodeMessage(Buffer.alloc(0), 'apiextensions/v1.JSONSchemaPropsOrBool', schema), false);
  assert.deepEqual(decodeMessage(Buffer.concat([str(2, 'a'), str(2, 'b')]), 'apiextensions/v1.JSONSchemaPropsOrStringArray', schema), ['a', 'b']);
});

test('repeated numbers decode the same packed or not', () => {
  const packed = bytes(4, Buffer.concat([Buffer.from([1]), Buffer.from([0xe8, 0x07])]));
  const unpacked = Buffer.concat([varint(4, 1), varint(4, 1000)]);
  assert.deepEqual(decodeMessage(packed, 'core/v1.PodSecurityContext', schema), { supplementalGroups: [1, 1000] });
  assert.deepEqual(decodeMessage(unpacked, 'core/v1.PodSecurityContext', schema), { supplementalGroups: [1, 1000] });
});

test('negative numbers written as 64-bit varints', () => {
  assert.deepEqual(decodeMessage(varint(2, -1), 'core/v1.PodSecurityContext', schema), { runAsUser: -1 });
});

test('a message sent in two parts merges; unknown fields are skipped', () => {
  const body = envelope('v1', 'ConfigMap', msg(1, str(1, 'c')), varint(99, 7), msg(1, str(3, 'ns')), entry(2, 'k', str(2, 'v')));
  assertSameJson(decode(body), { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c', namespace: 'ns', creationTimestamp: null }, data: { k: 'v' } });
});

test('option kinds decode in any group version (DeleteOptions inside an Eviction and alone)', () => {
  const opts = Buffer.concat([varint(1, 0), msg(2, str(1, 'uid-1')), varint(3, false), str(5, 'All')]);
  assertSameJson(decode(envelope('apps/v1', 'DeleteOptions', opts)), {
    kind: 'DeleteOptions', apiVersion: 'apps/v1', gracePeriodSeconds: 0, preconditions: { uid: 'uid-1' }, orphanDependents: false, dryRun: ['All'],
  });
  const eviction = envelope('policy/v1', 'Eviction', msg(1, str(1, 'p'), str(3, 'default')), msg(2, str(4, 'Foreground')));
  assertSameJson(decode(eviction), {
    kind: 'Eviction', apiVersion: 'policy/v1', metadata: { name: 'p', namespace: 'default', creationTimestamp: null }, deleteOptions: { propagationPolicy: 'Foreground' },
  });
});

test("the endpoint's kind fills an envelope that leaves it out", () => {
  const body = envelope('', '', msg(1, str(1, 'c')));
  assert.deepEqual(decode(body, { apiVersion: 'v1', kind: 'ConfigMap' }), { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c', creationTimestamp: null } });
});

test('bodies that are not protobuf, or name unknown kinds, are refused', () => {
  assert.throws(() => decode(Buffer.from('{"kind":"ConfigMap"}')), {
    name: 'ProtobufDecodeError', message: 'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]',
  });
  assert.throws(() => decode(Buffer.alloc(0)), { message: 'empty data' });
  assert.throws(() => decode(Buffer.from('k8s\0')), { message: 'empty body' });
  assert.throws(() => decode(envelope('v1', 'Widget', msg(1, str(1, 'w')))), (err: unknown) => {
    assert.ok(err instanceof ProtobufDecodeError);
    assert.equal(err.message, 'no kind "Widget" is registered for version "v1" in scheme "pkg/api/legacyscheme/scheme.go:30"');
    assert.deepEqual(err.gvk, { apiVersion: 'v1', kind: 'Widget' });
    return true;
  });
  assert.throws(() => decode(envelope('v1', '', msg(1))), { message: `Object 'Kind' is missing in 'runtime.TypeMeta{APIVersion:"v1", Kind:""}'` });
});

test('malformed objects fail with the kind the envelope named', () => {
  assert.throws(() => decode(envelope('apps/v1', 'Deployment', msg(2, str(1, 'three')))), (err: unknown) => {
    assert.ok(err instanceof ProtobufDecodeError);
    assert.equal(err.message, 'proto: wrong wireType = 2 for field Replicas');
    assert.deepEqual(err.gvk, { apiVersion: 'apps/v1', kind: 'Deployment' });
    return true;
  });
  const truncated = envelope('v1', 'ConfigMap', msg(1, str(1, 'c')));
  assert.throws(() => decode(Buffer.concat([truncated, Buffer.from([0x12, 0x05, 0x01])])), { name: 'ProtobufDecodeError' });
});

test('hostile nesting is refused rather than exhausting the stack', () => {
  let nested = str(5, 'string');
  for (let i = 0; i < 2000; i++) nested = msg(24, msg(1, nested));
  assert.throws(() => decodeMessage(nested, 'apiextensions/v1.JSONSchemaProps', schema), /nesting depth/);
});
