import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podRequests } from './pod-info.js';
import { numFeasibleNodesToFind, selectHost } from './profile.js';
import { node, nodeInfo } from './test-fixtures.js';

const c = (cpu: string, extra: Record<string, unknown> = {}) => ({ name: 'c', resources: { requests: { cpu } }, ...extra });

test('requests: containers add up, init containers run alone, sidecars run alongside', () => {
  assert.equal(podRequests({ spec: { containers: [c('1'), c('500m')] } }).milliCPU, 1500);
  assert.equal(podRequests({ spec: { containers: [c('1')], initContainers: [c('3'), c('2')] } }).milliCPU, 3000);
  assert.equal(podRequests({ spec: { containers: [c('1')], initContainers: [c('200m', { restartPolicy: 'Always' }), c('2')] } }).milliCPU, 2200);
  assert.equal(podRequests({ spec: { containers: [c('1')], overhead: { cpu: '100m' } } }).milliCPU, 1100);
  assert.deepEqual(podRequests({ spec: { containers: [{ name: 'c' }] } }, true), { milliCPU: 100, memory: 200 * 1024 * 1024, ephemeralStorage: 0, scalar: {} });
});

test('how many feasible nodes to look for: all up to 100, then an adaptive share', () => {
  assert.equal(numFeasibleNodesToFind(50), 50);
  assert.equal(numFeasibleNodesToFind(100), 100);
  assert.equal(numFeasibleNodesToFind(500), 230);
  assert.equal(numFeasibleNodesToFind(5000), 500);
  assert.equal(numFeasibleNodesToFind(20000), 1000);
});

test('selectHost takes the best score and breaks ties at random', () => {
  const nodes = ['a', 'b', 'c'].map((n) => nodeInfo(node(n)));
  assert.equal(selectHost(nodes, [1, 5, 3]).name, 'b');
  const seen = new Set<string>();
  for (let i = 0; i < 50; i++) seen.add(selectHost(nodes, [5, 5, 1]).name);
  assert.deepEqual([...seen].sort(), ['a', 'b']);
});
