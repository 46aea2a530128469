import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeStrategy, nodeTable } from './node.js';
import { created, row, updated } from './strategy-testing.js';
import type { KubeObject } from '../object.js';

const node = (spec: Record<string, unknown>, status: Record<string, unknown> = {}, labels?: Record<string, string>): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', ...(labels ? { labels } : {}) }, spec, status });

test('podCIDR and podCIDRs agree; allocatable defaults to capacity', () => {
  const { obj, errors } = created(nodeStrategy, node({ podCIDR: '10.42.0.0/24' }, { capacity: { cpu: '4', memory: '8192Mi' } }));
  assert.deepEqual(errors, []);
  assert.deepEqual(obj.spec, { podCIDR: '10.42.0.0/24', podCIDRs: ['10.42.0.0/24'] });
  assert.deepEqual((obj.status as { allocatable: unknown }).allocatable, { cpu: '4', memory: '8Gi' });
});

test('taints and CIDRs are validated with Kubernetes paths', () => {
  assert.deepEqual(created(nodeStrategy, node({ taints: [{ key: 'a', effect: 'Bad' }, { key: 'b' }] })).errors, [
    'metadata.taints[0].effect: Unsupported value: "Bad": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    'metadata.taints[1].effect: Required value',
  ]);
  assert.deepEqual(created(nodeStrategy, node({ taints: [{ key: 'a', value: 'x', effect: 'NoSchedule' }, { key: 'a', value: 'y', effect: 'NoSchedule' }] })).errors, [
    'metadata.taints[1]: Duplicate value: core.Taint{Key:"a", Value:"y", Effect:"NoSchedule", TimeAdded:(*v1.Time)(nil)}: taints must be unique by key and effect pair',
  ]);
  assert.deepEqual(created(nodeStrategy, node({ podCIDRs: ['10.42.0.0/33'] })).errors,
    ['spec.podCIDRs[0]: Invalid value: "10.42.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']);
});

test('pod CIDRs and provider ID are set once', () => {
  const old = created(nodeStrategy, node({ podCIDR: '10.42.0.0/24', providerID: 'k8ts://n1' })).obj;
  assert.deepEqual(updated(nodeStrategy, old, node({ podCIDR: '10.42.1.0/24', podCIDRs: ['10.42.1.0/24'], providerID: 'other' })).errors, [
    'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid',
    'spec.providerID: Forbidden: node updates may not change providerID except from "" to valid',
  ]);
  const empty = created(nodeStrategy, node({})).obj;
  assert.deepEqual(updated(nodeStrategy, empty, node({ podCIDR: '10.42.2.0/24' })).errors, []);
});

test('table: status, roles, version; wide addresses and node info', () => {
  const ready = node({ unschedulable: true }, {
    conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '192.168.1.10' }],
    nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0', containerRuntimeVersion: 'containerd://1.7.0' },
  }, { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/master': '' });
  assert.deepEqual(row(nodeTable, ready), ['n1', 'Ready,SchedulingDisabled', 'control-plane,master', '60s', 'v1.32.0', '192.168.1.10', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.1.0', 'containerd://1.7.0']);
  assert.deepEqual(row(nodeTable, node({}, { conditions: [{ type: 'Ready', status: 'Unknown' }] })).slice(1, 3), ['NotReady', '<none>']);
  assert.deepEqual(row(nodeTable, node({})).slice(1, 10), ['Unknown', '<none>', '60s', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
});
