import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/client/types.js';
import { decideGarbage, OwnershipGraph } from './gc-graph.js';

const cm = { apiVersion: 'v1', kind: 'ConfigMap' };
const obj = (uid: string, owners: Array<{ uid: string; block?: boolean }> = [], meta: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name: uid, namespace: 'ns', uid, ownerReferences: owners.map((o) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: o.uid, uid: o.uid, blockOwnerDeletion: o.block })), ...meta },
});
const uids = (nodes: Array<{ identity: { uid: string } }>) => nodes.map((n) => n.identity.uid).sort();

test('an unseen owner is virtual and checked; when it is seen it becomes real', () => {
  const g = new OwnershipGraph();
  const work = g.observe(obj('child', [{ uid: 'parent' }]), cm);
  assert.deepEqual(uids(work.attemptToDelete), ['parent']);
  assert.equal(g.get('parent')?.virtual, true);
  g.observe(obj('parent'), cm);
  assert.equal(g.get('parent')?.virtual, false);
  assert.deepEqual(uids([...g.get('parent')!.dependents]), ['child']);
});

test('a deleted owner sends its dependents to attemptToDelete', () => {
  const g = new OwnershipGraph();
  g.observe(obj('parent'), cm);
  g.observe(obj('a', [{ uid: 'parent' }]), cm);
  g.observe(obj('b', [{ uid: 'parent' }]), cm);
  assert.deepEqual(uids(g.remove('parent').attemptToDelete), ['a', 'b']);
});

test('foreground deletion: the owner and its dependents are processed; blockers are tracked', () => {
  const g = new OwnershipGraph();
  g.observe(obj('parent'), cm);
  g.observe(obj('a', [{ uid: 'parent', block: true }]), cm);
  g.observe(obj('b', [{ uid: 'parent' }]), cm);
  const work = g.observe(obj('parent', [], { deletionTimestamp: 'now', finalizers: ['foregroundDeletion'] }), cm);
  assert.deepEqual(uids(work.attemptToDelete), ['a', 'b', 'parent']);
  assert.deepEqual(uids(g.blockingDependents(g.get('parent')!)), ['a']);
  assert.deepEqual(uids(g.remove('a').attemptToDelete), ['parent'], 'the owner is rechecked when a blocker goes');
});

test('orphan deletion goes to attemptToOrphan', () => {
  const g = new OwnershipGraph();
  g.observe(obj('parent'), cm);
  assert.deepEqual(uids(g.observe(obj('parent', [], { deletionTimestamp: 'now', finalizers: ['orphan'] }), cm).attemptToOrphan), ['parent']);
});

test('garbage decisions', () => {
  assert.deepEqual(decideGarbage([], [], false), { action: 'none' });
  assert.deepEqual(decideGarbage([{ uid: 'a', state: 'solid' }], [], false), { action: 'none' });
  assert.deepEqual(decideGarbage([{ uid: 'a', state: 'solid' }, { uid: 'b', state: 'dangling' }], [], false), { action: 'removeOwnerReferences', uids: ['b'] });
  assert.deepEqual(decideGarbage([{ uid: 'a', state: 'dangling' }], [], false), { action: 'delete', policy: 'Background', unblockDependents: false });
  assert.deepEqual(decideGarbage([{ uid: 'a', state: 'dangling' }], ['orphan'], true), { action: 'delete', policy: 'Orphan', unblockDependents: false });
  assert.deepEqual(decideGarbage([{ uid: 'a', state: 'waitingForDependentsDeletion' }], [], true), { action: 'delete', policy: 'Foreground', unblockDependents: true });
  assert.deepEqual(decideGarbage([{ uid: 'a', state: 'waitingForDependentsDeletion' }], [], false), { action: 'delete', policy: 'Background', unblockDependents: false });
});
