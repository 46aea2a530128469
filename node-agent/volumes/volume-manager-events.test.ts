// FailedMount events name the volume as kubelet does: a claim's volume by its PersistentVolume,
// a pod's own volume by its name, and a failed staging as MountDevice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '../kube-types.js';
import type { PodEvents } from '../pods/pod-events.js';
import { VolumeError } from './sources.js';
import { VolumeManager, type VolumeApi } from './volume-manager.js';

const dir = mkdtempSync(join(tmpdir(), 'volume-events-'));
const absent = join(dir, 'absent');

const api: VolumeApi = {
  configMap: async () => undefined,
  secret: async () => undefined,
  token: async () => ({ token: '', expiresAt: 0 }),
  persistentVolumeClaim: async (namespace, name) => ({ metadata: { namespace, name, uid: 'c1' }, spec: { volumeName: 'pv-data' }, status: { phase: 'Bound' } }),
  persistentVolume: async (name) => ({ metadata: { name }, spec: { hostPath: { path: absent, type: 'Directory' }, claimRef: { uid: 'c1' } } }),
};

function manager(): { vm: VolumeManager; seen: string[] } {
  const seen: string[] = [];
  const events = { pod: (_p: Pod, _t: string, reason: string, message: string) => seen.push(`${reason}: ${message}`) } as unknown as PodEvents;
  const vm = new VolumeManager(join(dir, 'pods'), api, events, async () => ({ code: 0, stdout: '', stderr: '' }) as never);
  return { vm, seen };
}

const pod = (volumes: NonNullable<Pod['spec']>['volumes']): Pod => ({ metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { containers: [], volumes } }) as Pod;
const facts = { podIPs: [], hostIPs: [], allocatable: {} };

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('a claim\'s volume is named by its PersistentVolume; a pod\'s own volume by its name', async () => {
  const { vm, seen } = manager();
  await assert.rejects(vm.setUp(pod([{ name: 'data', persistentVolumeClaim: { claimName: 'c' } }]), facts), VolumeError);
  await assert.rejects(vm.setUp(pod([{ name: 'h', hostPath: { path: absent, type: 'Directory' } }]), facts), VolumeError);
  assert.match(seen[0]!, /^FailedMount: MountVolume\.SetUp failed for volume "pv-data" : hostPath type check failed: .*absent is not a directory$/);
  assert.match(seen[1]!, /^FailedMount: MountVolume\.SetUp failed for volume "h" : hostPath type check failed/);
});

test('a failed staging is MountDevice, as kubelet reports it', async () => {
  const { vm, seen } = manager();
  vm.addPlugin({
    name: 'test/staging-fails',
    setUp: async () => { throw new VolumeError('rpc error: code = Internal desc = no', { volume: 'pv-x', operation: 'MountVolume.MountDevice' }); },
  } as never);
  await assert.rejects(vm.setUp(pod([{ name: 'v', csi: { driver: 'd' } }]), facts), VolumeError);
  assert.equal(seen[0], 'FailedMount: MountVolume.MountDevice failed for volume "pv-x" : rpc error: code = Internal desc = no');
});
