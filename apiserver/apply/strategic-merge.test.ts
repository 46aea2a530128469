import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinRegistry } from '../api/builtin/index.js';
import { SchemaRegistry } from '../api/schema/schema-registry.js';
import { PatchError, goValue, strategicMergePatch } from './strategic-merge.js';

const schemas = SchemaRegistry.forBuiltins(builtinRegistry());
const defs = schemas.definitions();
const podSchema = schemas.forKind({ group: '', version: 'v1', kind: 'Pod' })!.schema;
const deploySchema = schemas.forKind({ group: 'apps', version: 'v1', kind: 'Deployment' })!.schema;
const pod = (spec: object) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec });
const smp = (orig: object, patch: object, schema = podSchema) => strategicMergePatch(orig as never, patch as never, schema, defs) as Record<string, any>;

test('containers merge by name; untouched ones stay', () => {
  const out = smp(pod({ containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] }), { spec: { containers: [{ name: 'b', image: 'z' }] } });
  assert.deepEqual(out.spec.containers, [{ name: 'a', image: 'x' }, { name: 'b', image: 'z' }]);
});

test('list order: patch order wins, server-only items keep their live place, new ones lead', () => {
  // Kubernetes' ordering: patch items in patch order, interleaved with server-only items where
  // both are in the live list; items the live list lacks cannot be placed and come first.
  const orig = pod({ containers: [{ name: '1' }, { name: '2', image: 'b' }, { name: '3' }] });
  const out = smp(orig, { spec: { containers: [{ name: '3', image: 'c' }, { name: '1', image: 'a' }] } });
  assert.deepEqual(out.spec.containers, [{ name: '2', image: 'b' }, { name: '3', image: 'c' }, { name: '1', image: 'a' }]);
  const added = smp(orig, { spec: { containers: [{ name: '4' }] } });
  assert.deepEqual(added.spec.containers.map((c: { name: string }) => c.name), ['4', '1', '2', '3']);
});

test('$patch: delete removes a list element by merge key', () => {
  const orig = pod({ containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] });
  const removed = smp(orig, { spec: { containers: [{ name: 'a', $patch: 'delete' }] } });
  assert.deepEqual(removed.spec.containers, [{ name: 'b', image: 'y' }]);
});

test('nested lists merge by their own keys (env by name, ports by containerPort)', () => {
  const orig = pod({ containers: [{ name: 'a', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80 }] }] });
  const out = smp(orig, { spec: { containers: [{ name: 'a', env: [{ name: 'B', value: '3' }], ports: [{ containerPort: 443 }] }] } });
  assert.deepEqual(out.spec.containers[0].env, [{ name: 'A', value: '1' }, { name: 'B', value: '3' }]);
  assert.deepEqual(out.spec.containers[0].ports, [{ containerPort: 443 }, { containerPort: 80 }]);
});

test('atomic lists are replaced whole (tolerations, args)', () => {
  const orig = pod({ tolerations: [{ key: 'a' }, { key: 'b' }], containers: [{ name: 'a', args: ['x', 'y'] }] });
  const out = smp(orig, { spec: { tolerations: [{ key: 'c' }], containers: [{ name: 'a', args: ['z'] }] } });
  assert.deepEqual(out.spec.tolerations, [{ key: 'c' }]);
  assert.deepEqual(out.spec.containers[0].args, ['z']);
});

test('null deletes a field; maps merge key by key', () => {
  const orig = { metadata: { name: 'p', labels: { a: '1', b: '2' } }, spec: { nodeName: 'n' } };
  const out = smp(orig, { metadata: { labels: { a: null, c: '3' } }, spec: { nodeName: null } });
  assert.deepEqual(out.metadata.labels, { b: '2', c: '3' });
  assert.deepEqual(out.spec, {});
});

test('finalizers merge as a set of primitives; $deleteFromPrimitiveList removes', () => {
  const orig = { metadata: { name: 'p', finalizers: ['a', 'b'] } };
  assert.deepEqual(smp(orig, { metadata: { finalizers: ['b', 'c'] } }).metadata.finalizers, ['a', 'b', 'c']);
  assert.deepEqual(smp(orig, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }).metadata.finalizers, ['b']);
});

test('$patch: replace on a map replaces it; on a list element replaces the list', () => {
  const orig = pod({ containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: '1' } } }] });
  const out = smp(orig, { spec: { containers: [{ name: 'a', resources: { $patch: 'replace', requests: { cpu: '2' } } }] } });
  assert.deepEqual(out.spec.containers[0].resources, { requests: { cpu: '2' } });
  const list = smp(orig, { spec: { containers: [{ $patch: 'replace' }, { name: 'n', image: 'i' }] } });
  assert.deepEqual(list.spec.containers, [{ name: 'n', image: 'i' }]);
  assert.deepEqual(smp(orig, { spec: { $patch: 'delete' } }).spec, {});
});

test('$setElementOrder orders the merged list, server-only items keep their place', () => {
  const orig = pod({ containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] });
  const out = smp(orig, { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }], containers: [{ name: 'c', image: 'z' }] } });
  assert.deepEqual(out.spec.containers.map((c: { name: string }) => c.name), ['b', 'c', 'a']);
  assert.equal(out.spec.containers[1].image, 'z');
  // kubectl apply lists every element it manages, so its order is kept exactly.
  const all = smp(orig, { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'b' }, { name: 'a' }] } });
  assert.deepEqual(all.spec.containers.map((c: { name: string }) => c.name), ['c', 'b', 'a']);
});

test('$retainKeys clears the fields of a union not listed (deployment strategy)', () => {
  const orig = { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } };
  const out = smp(orig, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }, deploySchema);
  assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
  assert.throws(() => smp(orig, { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } } }, deploySchema),
    (e: PatchError) => e.code === 400 && e.message === 'invalid patch format of retainKeys');
});

test('a list element without its merge key is refused', () => {
  const orig = pod({ containers: [{ name: 'a' }] });
  assert.throws(() => smp(orig, { spec: { containers: [{ image: 'x' }] } }), /does not contain declared merge key: name/);
});

test('the original and the patch are not modified', () => {
  const orig = pod({ containers: [{ name: 'a', image: 'x' }] });
  const patch = { spec: { containers: [{ name: 'a', image: 'y' }] } };
  const before = JSON.stringify([orig, patch]);
  smp(orig, patch);
  assert.equal(JSON.stringify([orig, patch]), before);
});

test('Go formatting of values in messages', () => {
  assert.equal(goValue({ b: [1, 'x'], a: null }), 'map[a:<nil> b:[1 x]]');
});
