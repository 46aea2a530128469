import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeImage } from '../../lib/image-name.js';
import { IpPool } from './ip-pool.js';
import { needsStatusUpdate, nextConditions, nodeObject } from './node-object.js';
import { finishedStatus, qosClass, runningStatus } from './pod-status.js';

const t0 = Date.UTC(2025, 0, 1);

test('image names as containerd reports them', () => {
  assert.equal(normalizeImage('nginx'), 'docker.io/library/nginx:latest');
  assert.equal(normalizeImage('nginx:1.25'), 'docker.io/library/nginx:1.25');
  assert.equal(normalizeImage('me/app'), 'docker.io/me/app:latest');
  assert.equal(normalizeImage('registry.k8s.io/pause:3.10'), 'registry.k8s.io/pause:3.10');
  assert.equal(normalizeImage('localhost:5000/x'), 'localhost:5000/x:latest');
});

test('pod IPs come from the node range after the gateway, and are reused last', () => {
  const pool = new IpPool('10.42.3.0/24');
  assert.deepEqual([pool.allocate(), pool.allocate()], ['10.42.3.2', '10.42.3.3']);
  pool.release('10.42.3.2');
  assert.equal(pool.allocate(), '10.42.3.4');
  assert.equal(pool.claim('10.42.3.9'), true);
  assert.equal(pool.claim('10.42.4.9'), false);
  const tiny = new IpPool('10.0.0.0/30');
  assert.deepEqual([tiny.allocate(), tiny.allocate()], ['10.0.0.2', undefined]);
});

test('a registered node reports capacity, Ready and addresses', () => {
  const n = nodeObject('n1', { cpu: '8', memory: '32Gi', pods: '110', internalIP: '10.240.0.5', kubeletVersion: 'v1.32.4' }, t0);
  assert.equal(n.status?.allocatable?.pods, '110');
  assert.equal(n.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'KubeletReady');
  assert.deepEqual(n.status?.addresses, [{ type: 'InternalIP', address: '10.240.0.5' }, { type: 'Hostname', address: 'n1' }]);
  assert.equal(n.metadata?.labels?.['kubernetes.io/hostname'], 'n1');
  assert.equal(needsStatusUpdate(n.status?.conditions), false);
  const unknown = n.status!.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: 'Unknown' } : c));
  assert.equal(needsStatusUpdate(unknown), true);
  const next = nextConditions(unknown, t0 + 60_000);
  assert.equal(next.find((c) => c.type === 'Ready')?.lastTransitionTime, '2025-01-01T00:01:00Z');
  assert.equal(next.find((c) => c.type === 'MemoryPressure')?.lastTransitionTime, '2025-01-01T00:00:00Z');
});

test('running and finished pod statuses', () => {
  const pod = { metadata: { uid: 'u' }, spec: { containers: [{ name: 'web', image: 'nginx' }] }, status: { conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2024-12-31T00:00:00Z' }] } };
  const running = runningStatus(pod, { hostIP: '10.0.0.1', podIP: '10.42.0.2', now: t0 });
  assert.equal(running.phase, 'Running');
  assert.deepEqual(running.conditions?.map((c) => `${c.type}=${c.status}`), ['PodReadyToStartContainers=True', 'Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
  assert.equal(running.conditions?.[4].lastTransitionTime, '2024-12-31T00:00:00Z');
  assert.equal(running.containerStatuses?.[0].image, 'docker.io/library/nginx:latest');
  assert.equal(running.qosClass, 'BestEffort');
  const done = finishedStatus({ ...pod, status: running }, 0, t0 + 5000);
  assert.equal(done.phase, 'Succeeded');
  assert.equal(done.containerStatuses?.[0].state?.terminated?.reason, 'Completed');
  assert.equal(done.conditions?.find((c) => c.type === 'Ready')?.reason, 'PodCompleted');
  assert.equal(finishedStatus(pod, 1, t0).phase, 'Failed');
});

test('QoS classes', () => {
  const c = (requests: Record<string, string>, limits: Record<string, string>) => ({ spec: { containers: [{ name: 'c', resources: { requests, limits } }] } });
  assert.equal(qosClass(c({ cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' })), 'Guaranteed');
  assert.equal(qosClass(c({}, { cpu: '1', memory: '1Gi' })), 'Guaranteed');
  assert.equal(qosClass(c({ cpu: '1' }, {})), 'Burstable');
});
