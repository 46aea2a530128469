// Garbage collection through real kubectl: dependents of a deleted owner go with it
// (background), before it (--cascade=foreground), or stay behind without the reference
// (--cascade=orphan); objects whose owner never existed are collected.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startCluster, type TestCluster } from '../lib/cluster.js';

let c: TestCluster;
before(async () => {
  c = await startCluster();
});
after(async () => {
  await c.destroy();
});

async function apply(yaml: string): Promise<void> {
  const r = await c.kubectl(['apply', '-f', '-'], { stdin: yaml });
  assert.equal(r.code, 0, r.stderr);
}

/** An owner ConfigMap and dependents referring to it. */
async function family(owner: string, dependents: string[], block = false): Promise<string> {
  await apply(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${owner}"}}`);
  const uid = await c.k('get', 'cm', owner, '-o', 'jsonpath={.metadata.uid}');
  for (const d of dependents) {
    await apply(JSON.stringify({
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { name: d, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: owner, uid, blockOwnerDeletion: block }] },
    }));
  }
  return uid;
}

const exists = async (name: string) => (await c.kubectl(['get', 'cm', name])).code === 0;

test('background (the default): dependents are deleted after their owner', async () => {
  await family('bg-owner', ['bg-1', 'bg-2']);
  assert.equal((await c.k('delete', 'cm', 'bg-owner')).trim(), 'configmap "bg-owner" deleted');
  await eventually(async () => !(await exists('bg-1')) && !(await exists('bg-2')));
});

test('foreground: the owner waits, with the foregroundDeletion finalizer, until its dependents are gone', async () => {
  await family('fg-owner', ['fg-1', 'fg-2'], true);
  // A finalizer of our own holds one dependent, so the owner visibly waits for it.
  await c.k('patch', 'cm', 'fg-1', '--type=merge', '-p', '{"metadata":{"finalizers":["example.com/hold"]}}');
  const r = await c.kubectl(['delete', 'cm', 'fg-owner', '--cascade=foreground', '--wait=false']);
  assert.equal(r.code, 0, r.stderr);
  await eventually(async () => !(await exists('fg-2')));
  const owner = JSON.parse(await c.k('get', 'cm', 'fg-owner', '-o', 'json'));
  assert.deepEqual(owner.metadata.finalizers, ['foregroundDeletion']);
  assert.ok(owner.metadata.deletionTimestamp);
  assert.ok(JSON.parse(await c.k('get', 'cm', 'fg-1', '-o', 'json')).metadata.deletionTimestamp);
  await c.k('patch', 'cm', 'fg-1', '--type=merge', '-p', '{"metadata":{"finalizers":null}}');
  await eventually(async () => !(await exists('fg-owner')) && !(await exists('fg-1')));
});

test('orphan: dependents stay, without the owner reference', async () => {
  await family('or-owner', ['or-1', 'or-2']);
  assert.equal((await c.k('delete', 'cm', 'or-owner', '--cascade=orphan')).trim(), 'configmap "or-owner" deleted');
  await eventually(async () => !(await exists('or-owner')));
  for (const d of ['or-1', 'or-2']) {
    assert.equal(await c.k('get', 'cm', d, '-o', 'jsonpath={.metadata.ownerReferences}'), '');
  }
});

test('an object whose owner does not exist is collected', async () => {
  await apply(JSON.stringify({
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: 'stray', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost', uid: '00000000-0000-0000-0000-000000000000' }] },
  }));
  await eventually(async () => !(await exists('stray')));
});

test('owners of another kind count too: pods go with their owner', async () => {
  const uid = await family('pod-owner', []);
  await apply(JSON.stringify({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'owned', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'pod-owner', uid }] },
    spec: { containers: [{ name: 'c', image: 'nginx' }] },
  }));
  await c.k('delete', 'cm', 'pod-owner');
  // No node runs it, so the pod goes at once (a pod that never ran has no grace period).
  await eventually(async () => (await c.kubectl(['get', 'pod', 'owned'])).code === 1);
});
