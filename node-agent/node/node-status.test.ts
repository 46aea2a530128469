import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocatable, capacity, nextConditions, nodeObject, statusChanged, wantedConditions, type NodeFacts } from './node-status.js';
import { goArch, meminfoBytes, osImageFrom, type HostInfo } from './host-info.js';

const host: HostInfo = {
  cpus: 2, memoryTotal: 24_685_616 * 1024, memoryAvailable: 20e9, diskTotal: 100 * 2 ** 30, diskAvailable: 50 * 2 ** 30,
  pidMax: 4_194_304, pidsInUse: 200, kernelVersion: '6.18.44', osImage: 'Debian GNU/Linux 12 (bookworm)', architecture: 'amd64',
  machineID: 'abc', systemUUID: 'u', bootID: 'b', hostname: 'vm', internalIP: '192.0.2.2',
};
const facts: NodeFacts = { name: 'vm', host, kubeletVersion: 'v1.32.4-k8ts', containerRuntimeVersion: 'containerd://1.6.20', kubeletPort: 10250, labels: {}, images: [] };

test('host facts parse as kubelet reads them', () => {
  assert.equal(meminfoBytes('MemTotal:       24685616 kB\nMemAvailable: 10 kB\n', 'MemAvailable'), 10240);
  assert.equal(osImageFrom('NAME="Debian"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'), 'Debian GNU/Linux 12 (bookworm)');
  assert.equal(goArch('x64'), 'amd64');
});

test('capacity in Ki, allocatable less the eviction thresholds', () => {
  assert.deepEqual(capacity(host), { cpu: '2', 'ephemeral-storage': '104857600Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '24685616Ki', pods: '110' });
  const a = allocatable(host);
  assert.equal(a.memory, '24583216Ki');
  assert.equal(a['ephemeral-storage'], String(Math.floor(100 * 2 ** 30 * 0.9)));
});

test('healthy conditions with kubelet reasons; transitions kept while unchanged', () => {
  const want = wantedConditions(host, { runtimeReady: true });
  assert.deepEqual(want.map((c) => [c.type, c.status, c.reason]), [
    ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
    ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
    ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
    ['Ready', 'True', 'KubeletReady'],
  ]);
  const first = nextConditions(undefined, want, Date.UTC(2025, 0, 1));
  const later = nextConditions(first, want, Date.UTC(2025, 0, 2));
  assert.equal(later[3]?.lastTransitionTime, '2025-01-01T00:00:00Z');
  assert.equal(later[3]?.lastHeartbeatTime, '2025-01-02T00:00:00Z');
  const notReady = nextConditions(later, wantedConditions(host, { runtimeReady: false, notReadyMessage: 'x' }), Date.UTC(2025, 0, 3));
  assert.equal(notReady[3]?.lastTransitionTime, '2025-01-03T00:00:00Z');
  assert.equal(notReady[3]?.reason, 'KubeletNotReady');
});

test('node object and change detection ignore heartbeats', () => {
  const n = nodeObject(facts, nextConditions(undefined, wantedConditions(host, { runtimeReady: true }), 0));
  assert.equal(n.metadata?.labels?.['kubernetes.io/hostname'], 'vm');
  assert.deepEqual(n.status?.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
  const again = { ...n.status, conditions: nextConditions(n.status?.conditions, wantedConditions(host, { runtimeReady: true }), 99_000) };
  assert.equal(statusChanged(n.status, again), false);
  assert.equal(statusChanged(n.status, { ...again, capacity: { cpu: '4' } }), true);
});
