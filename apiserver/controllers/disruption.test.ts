import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../api/errors.js';
import type { Pod } from '../../lib/client/types.js';
import { takeDisruption } from '../registry/pods/eviction.js';
import { countHealthy, expectedAndDesired, pendingDisruptions, withCondition, type ScaleLookup } from './disruption.js';
import type { PodDisruptionBudget } from './workload-types.js';

const now = Date.UTC(2025, 0, 1, 12);
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const pod = (name: string, ready = true, owner = 'rs-uid', deleting = false): Pod => ({
  metadata: { name, ownerReferences: owner ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: owner, controller: true }] : [], ...(deleting ? { deletionTimestamp: iso(now) } : {}) },
  spec: { containers: [] },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

const lookup: ScaleLookup = { replicasFor: (_ns, ref) => (ref.uid === 'rs-uid' ? 4 : undefined) };
const pdb = (spec: NonNullable<PodDisruptionBudget['spec']>): PodDisruptionBudget => ({ metadata: { name: 'web', generation: 1 }, spec });

test('expected and desired healthy: integer minAvailable counts pods, percentages and maxUnavailable count controllers', () => {
  const pods = [pod('a'), pod('b'), pod('c')];
  assert.deepEqual(expectedAndDesired(pdb({ minAvailable: 2 }), pods, lookup), { expected: 3, desired: 2, unmanaged: [] });
  assert.deepEqual(expectedAndDesired(pdb({ minAvailable: '50%' }), pods, lookup), { expected: 4, desired: 2, unmanaged: [] });
  assert.deepEqual(expectedAndDesired(pdb({ maxUnavailable: 1 }), pods, lookup), { expected: 4, desired: 3, unmanaged: [] });
  assert.deepEqual(expectedAndDesired(pdb({ maxUnavailable: 1 }), [...pods, pod('bare', true, '')], lookup).unmanaged, ['bare']);
  assert.throws(() => expectedAndDesired(pdb({ maxUnavailable: 1 }), [pod('x', true, 'gone')], lookup), /found no controllers for pod "x"/);
});

test('healthy pods: ready, not being deleted, not evicted in the last two minutes', () => {
  const budget = { ...pdb({ minAvailable: 1 }), status: { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0, disruptedPods: { a: iso(now - 10_000), b: iso(now - 200_000) } } };
  const pods = [pod('a'), pod('b'), pod('c', false), pod('d', true, 'rs-uid', true)];
  const pending = pendingDisruptions(budget, pods, now);
  assert.deepEqual(pending.map, { a: iso(now - 10_000) });
  assert.equal(pending.recheckAt, now - 10_000 + 120_000);
  assert.equal(countHealthy(pods, pending.map, now), 1, 'only b');
  const status = { currentHealthy: 1, desiredHealthy: 1, disruptionsAllowed: 0, expectedPods: 2 };
  withCondition(status, { status: 'False', reason: 'InsufficientPods', message: '' }, now);
  assert.deepEqual((status as { conditions?: unknown }).conditions, [{ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: undefined, lastTransitionTime: iso(now) }]);
});

test('eviction: a budget with room is taken down by one; none left is a 429 naming the budget', () => {
  const budget = { metadata: { name: 'web', generation: 1 }, status: { observedGeneration: 1, disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 } };
  const taken = takeDisruption(budget, 'web-1', '2025-01-01T12:00:00Z');
  assert.equal(taken.status?.disruptionsAllowed, 0);
  assert.deepEqual(taken.status?.disruptedPods, { 'web-1': '2025-01-01T12:00:00Z' });
  assert.equal(taken.status?.conditions?.[0].reason, 'InsufficientPods');
  try {
    takeDisruption(taken, 'web-2', '2025-01-01T12:00:01Z');
    assert.fail('expected a refusal');
  } catch (err) {
    assert.ok(err instanceof StatusError);
    assert.equal(err.code, 429);
    assert.equal(err.status.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.deepEqual(err.status.details, { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 2 healthy pods and has 3 currently' }] });
  }
  assert.throws(() => takeDisruption({ ...budget, metadata: { name: 'web', generation: 2 } }, 'x', ''), /Cannot evict/, 'a budget the controller has not caught up with');
});
