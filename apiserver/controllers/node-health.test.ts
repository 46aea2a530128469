import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '../../lib/client/types.js';
import { observeHealth, reconcileNoScheduleTaints, staleConditions, withNoExecuteTaint, zoneState } from './node-health.js';

const t0 = Date.UTC(2025, 0, 1);
const node = (ready: string, extra: Partial<Node> = {}): Node => ({
  metadata: { name: 'n', creationTimestamp: '2025-01-01T00:00:00Z' },
  status: { conditions: [{ type: 'Ready', status: ready, lastHeartbeatTime: '2025-01-01T00:00:00Z', lastTransitionTime: '2025-01-01T00:00:00Z' }] },
  ...extra,
});

test('a lease renewal or a new heartbeat counts as a fresh signal; silence does not', () => {
  let rec = observeHealth(undefined, node('True'), '2025-01-01T00:00:00.000000Z', t0);
  rec = observeHealth(rec, node('True'), '2025-01-01T00:00:00.000000Z', t0 + 30_000);
  assert.equal(rec.probeTimestamp, t0);
  rec = observeHealth(rec, node('True'), '2025-01-01T00:00:10.000000Z', t0 + 40_000);
  assert.equal(rec.probeTimestamp, t0 + 40_000);
});

test('a silent node turns Unknown with the kubelet-stopped message; missing conditions are added', () => {
  const conds = staleConditions(node('True'), t0)!;
  const ready = conds.find((c) => c.type === 'Ready')!;
  assert.equal(ready.status, 'Unknown');
  assert.equal(ready.reason, 'NodeStatusUnknown');
  assert.equal(ready.message, 'Kubelet stopped posting node status.');
  assert.equal(conds.find((c) => c.type === 'MemoryPressure')?.reason, 'NodeStatusNeverUpdated');
  assert.equal(staleConditions({ ...node('True'), status: { conditions: conds } }, t0 + 1000), undefined, 'already Unknown: nothing to write');
});

test('NoSchedule taints follow conditions and cordoning; other taints stay', () => {
  const n = node('Unknown', { spec: { unschedulable: true, taints: [{ key: 'mine', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] } });
  const taints = reconcileNoScheduleTaints(n, t0)!;
  assert.deepEqual(taints.map((t) => `${t.key}:${t.effect}`), ['mine:NoSchedule', 'node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule']);
  assert.equal(reconcileNoScheduleTaints({ ...n, spec: { ...n.spec, taints } }, t0), undefined);
});

test('the NoExecute taint is unreachable for Unknown, not-ready for False, none for True', () => {
  const unreachable = withNoExecuteTaint(node('Unknown'), 'Unknown', t0)!;
  assert.deepEqual(unreachable.map((t) => t.key), ['node.kubernetes.io/unreachable']);
  const swapped = withNoExecuteTaint(node('False', { spec: { taints: unreachable } }), 'False', t0)!;
  assert.deepEqual(swapped.map((t) => t.key), ['node.kubernetes.io/not-ready']);
  assert.deepEqual(withNoExecuteTaint(node('True', { spec: { taints: swapped } }), 'True', t0), []);
  assert.equal(withNoExecuteTaint(node('True'), 'True', t0), undefined);
});

test('zone state: all down is full disruption; a few down is normal', () => {
  assert.equal(zoneState(['Unknown', 'False']), 'FullDisruption');
  assert.equal(zoneState(['True', 'Unknown']), 'Normal');
  assert.equal(zoneState(['True', 'Unknown', 'Unknown', 'Unknown']), 'PartialDisruption');
});
