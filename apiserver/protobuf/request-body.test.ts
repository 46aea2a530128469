import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../api/errors.js';
import { decodeProtobufBody } from './request-body.js';
import { envelope, msg, str } from './testdata/wire-builder.js';

const configMap = { apiVersion: 'v1', kind: 'ConfigMap' };

function statusOf(fn: () => unknown): { code: number; reason?: string; message?: string } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof StatusError);
    return err.status;
  }
  assert.fail('expected a StatusError');
}

test('a body that is not protobuf is a 400 naming the expected type and showing its start', () => {
  const s = statusOf(() => decodeProtobufBody(Buffer.from('{"kind":"ConfigMap","apiVersion":"v1","metadata":{}}'), configMap));
  assert.equal(s.code, 400);
  assert.equal(s.reason, 'BadRequest');
  assert.equal(s.message, 'the object provided is unrecognized (must be of type ConfigMap): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0] ({"kind":"ConfigMap","apiVersio ...)');
  const hex = statusOf(() => decodeProtobufBody(Buffer.from([1, 2, 3, 4, 5]), configMap));
  assert.match(hex.message ?? '', /\(0102030405\)$/);
});

test('an object that fails to decode names the kind it claimed to be', () => {
  const s = statusOf(() => decodeProtobufBody(envelope('apps/v1', 'Deployment', msg(2, str(1, 'x'))), { apiVersion: 'apps/v1', kind: 'Deployment' }));
  assert.equal(s.code, 400);
  assert.equal(s.message, 'Deployment in version "v1" cannot be handled as a Deployment: proto: wrong wireType = 2 for field Replicas');
  const unknown = statusOf(() => decodeProtobufBody(envelope('v1', 'Widget'), configMap));
  assert.equal(unknown.message, 'Widget in version "v1" cannot be handled as a ConfigMap: no kind "Widget" is registered for version "v1" in scheme "pkg/api/legacyscheme/scheme.go:30"');
});

test('a good body decodes to JSON', () => {
  assert.deepEqual(decodeProtobufBody(envelope('v1', 'ConfigMap', msg(1, str(1, 'c'))), configMap), {
    kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c', creationTimestamp: null },
  });
});
