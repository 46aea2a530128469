import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../api/errors.js';
import { applyJsonPatch, mergePatch } from './json-patch.js';

test('merge patch: objects merge, null deletes, arrays replace', () => {
  const out = mergePatch({ a: { b: 1, c: 2 }, l: [1, 2], k: 1 }, { a: { b: null, d: 3 }, l: [3], k: null });
  assert.deepEqual(out, { a: { c: 2, d: 3 }, l: [3] });
});

test('json patch applies operations in order on a copy', () => {
  const doc = { spec: { replicas: 1, list: ['a'] } };
  const out = applyJsonPatch(doc, [
    { op: 'test', path: '/spec/replicas', value: 1 },
    { op: 'replace', path: '/spec/replicas', value: 3 },
    { op: 'add', path: '/spec/list/-', value: 'b' },
    { op: 'copy', from: '/spec/replicas', path: '/spec/copy' },
    { op: 'remove', path: '/spec/list/0' },
  ]);
  assert.deepEqual(out, { spec: { replicas: 3, list: ['b'], copy: 3 } });
  assert.deepEqual(doc, { spec: { replicas: 1, list: ['a'] } });
});

test('a failed test is a 422 with the reason as its cause', () => {
  assert.throws(() => applyJsonPatch({ spec: { replicas: 1 } }, [{ op: 'test', path: '/spec/replicas', value: 2 }]), (e: StatusError) =>
    e.code === 422 && e.status.message === 'the server rejected our request due to an error in our request'
    && e.status.details?.causes?.[0].message === 'testing value /spec/replicas failed: test failed');
});

test('operations on missing paths are refused as Kubernetes words it', () => {
  assert.throws(() => applyJsonPatch({ spec: {} }, [{ op: 'replace', path: '/spec/x', value: 1 }]), (e: StatusError) =>
    e.status.details?.causes?.[0].message === 'replace operation does not apply: doc is missing key: /spec/x: missing value');
  assert.throws(() => applyJsonPatch({ spec: {} }, [{ op: 'remove', path: '/spec/x' }]), (e: StatusError) =>
    e.status.details?.causes?.[0].message === 'remove operation does not apply: doc is missing path: "/spec/x": missing value');
});

test('a patch that is not a list of operations is a 400', () => {
  assert.throws(() => applyJsonPatch({}, { op: 'add' }), (e: StatusError) => e.code === 400 && /cannot unmarshal object into Go value of type jsonpatch.Patch/.test(e.message));
});
