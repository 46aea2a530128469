import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Binding, Role } from '../../api/kinds/rbac.js';
import { reconcileBinding, reconcileRole } from './reconcile.js';
import { allow, clusterBinding, clusterRole, group, user } from './policy/build.js';

const stored = <T extends Role | Binding>(o: T): T => ({ ...structuredClone(o), metadata: { ...structuredClone(o.metadata), uid: 'u1', resourceVersion: '7' } });

test('a missing default is created; one as it should be is left alone', () => {
  const want = clusterRole('reader', [allow(['get', 'list'], '', ['pods'])]);
  assert.deepEqual(reconcileRole(undefined, want), { op: 'create', object: want });
  assert.deepEqual(reconcileRole(stored(want), want), { op: 'none' });
});

test('lost rules come back as the missing atoms, after what the owner has and added', () => {
  const want = clusterRole('reader', [allow(['get', 'list'], '', ['pods'])]);
  const have = stored(want);
  have.rules = [allow(['get'], '', ['pods']), allow(['get'], '', ['secrets'])];
  const r = reconcileRole(have, want);
  assert.equal(r.op, 'update');
  assert.deepEqual(r.op === 'update' && r.object.rules, [
    allow(['get'], '', ['pods']), allow(['get'], '', ['secrets']), { verbs: ['list'], apiGroups: [''], resources: ['pods'] },
  ]);
  assert.equal(r.op === 'update' && r.object.metadata.uid, 'u1', 'the stored object is updated, not replaced');
});

test('labels, annotations and aggregation selectors are added, the owner\'s values kept', () => {
  const want = clusterRole('view', [], { aggregateFrom: 'example.com/agg', labels: { tier: 'default' } });
  const have = stored(want);
  have.metadata.labels = { tier: 'mine' };
  have.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { other: 'true' } }] };
  have.rules = [allow(['get'], 'example.com', ['widgets'])];
  const r = reconcileRole(have, want);
  assert.equal(r.op, 'update');
  if (r.op !== 'update') return;
  assert.deepEqual(r.object.metadata.labels, { tier: 'mine', 'kubernetes.io/bootstrapping': 'rbac-defaults' });
  assert.deepEqual(r.object.aggregationRule?.clusterRoleSelectors, [{ matchLabels: { other: 'true' } }, { matchLabels: { 'example.com/agg': 'true' } }]);
  assert.deepEqual(r.object.rules, have.rules, 'an aggregated role\'s rules are the controller\'s business');
});

test('autoupdate=false keeps a default as its owner left it', () => {
  const want = clusterRole('reader', [allow(['get'], '', ['pods'])]);
  const have = stored(want);
  have.rules = [];
  have.metadata.annotations = { 'rbac.authorization.kubernetes.io/autoupdate': 'false' };
  assert.deepEqual(reconcileRole(have, want), { op: 'protected' });
});

test('bindings: missing subjects added after the owner\'s; another roleRef means recreating', () => {
  const want = clusterBinding('cluster-admin', [group('system:masters')]);
  assert.deepEqual(reconcileBinding(stored(want), want), { op: 'none' });
  const have = stored(want);
  have.subjects = [user('alice')];
  const r = reconcileBinding(have, want);
  assert.deepEqual(r.op === 'update' && r.object.subjects, [user('alice'), group('system:masters')]);
  const moved = stored(want);
  moved.roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' };
  assert.deepEqual(reconcileBinding(moved, want), { op: 'recreate', object: want });
});
