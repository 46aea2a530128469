import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitErrorMessage } from './fit-error.js';
import { preempt } from './preemption.js';
import { defaultPlugins, findFeasibleNodes, preFilter } from './profile.js';
import { cluster, node, nodeInfo, pod } from './test-fixtures.js';
import type { PodInfo } from './types.js';
import type { NodeInfo } from './node-info.js';

function attempt(p: PodInfo, ...nodes: NodeInfo[]) {
  const view = cluster(...nodes);
  const r = findFeasibleNodes(defaultPlugins, p, view, preFilter(defaultPlugins, p, view), 0);
  const outcome = preempt(defaultPlugins, p, view, nodes, r.statuses);
  return { outcome, message: fitErrorMessage(nodes.length, r.statuses.values(), outcome.message) };
}

test('equal-priority pods are never victims', () => {
  const n1 = nodeInfo(node('n1', { cpu: '1' }), pod('a', { cpu: '800m' }));
  const n2 = nodeInfo(node('n2', { cpu: '1' }), pod('b', { cpu: '800m' }));
  const { outcome, message } = attempt(pod('p', { cpu: '500m' }), n1, n2);
  assert.equal(outcome.candidate, undefined);
  assert.equal(message, '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod..');
});

test('nodes that fail for reasons preemption cannot fix are not helpful', () => {
  const tainted = nodeInfo(node('t', { taints: [{ key: 'k', effect: 'NoSchedule' }] }));
  const full = nodeInfo(node('f', { cpu: '1' }), pod('a', { cpu: '1', priority: 10 }));
  const { message } = attempt(pod('p', { cpu: '500m', priority: 10 }), tainted, full);
  assert.equal(message, '0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {k: }. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling..');
});

test('preemption picks the fewest, least important victims', () => {
  const n1 = nodeInfo(node('n1', { cpu: '2' }), pod('a1', { cpu: '1', priority: 5 }), pod('a2', { cpu: '1', priority: 1 }));
  const n2 = nodeInfo(node('n2', { cpu: '2' }), pod('b1', { cpu: '1', priority: 50 }), pod('b2', { cpu: '1', priority: 50 }));
  const { outcome, message } = attempt(pod('p', { cpu: '1', priority: 100 }), n1, n2);
  assert.equal(outcome.candidate?.node, 'n1');
  assert.deepEqual(outcome.candidate?.victims.map((v) => v.name), ['a2']);
  assert.equal(message, '0/2 nodes are available: 2 Insufficient cpu.');
});

test('preemptionPolicy Never does not preempt', () => {
  const n1 = nodeInfo(node('n1', { cpu: '1' }), pod('a', { cpu: '1', priority: 0 }));
  const { message } = attempt(pod('p', { cpu: '1', priority: 10, spec: { preemptionPolicy: 'Never' } }), n1);
  assert.equal(message, '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never..');
});
