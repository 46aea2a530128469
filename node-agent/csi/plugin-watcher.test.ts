// The plugin watcher against real sockets: a registrar (what node-driver-registrar serves) and
// the NFS driver's Identity and Node services; the CSINode writer is replaced by a recorder.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NfsDriver } from '../../csi/nfs/driver.js';
import { startRegistrar } from '../../csi/registrar.js';
import { serveUnix, type RunningServer } from '../../csi/serve.js';
import { services } from '../../csi/grpc-services.js';
import type { CsiNodeDriver } from './csi-resources.js';
import { CsiDrivers } from './drivers.js';
import { PluginWatcher } from './plugin-watcher.js';

const until = async (f: () => boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('plugin watcher', () => {
  let dir: string;
  let driver: RunningServer;
  const updates: Array<[string, CsiNodeDriver | undefined]> = [];
  const drivers = new CsiDrivers();
  const stop = new AbortController();
  let running: Promise<void>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'k8ts-pw-'));
    const nfs = new NfsDriver({ nodeId: 'node-1', workingMountDir: join(dir, 'work'), mounter: { mount: async () => undefined, unmount: async () => undefined, isMountPoint: async () => false } });
    driver = await serveUnix(`unix://${dir}/csi.sock`, nfs.services({ controller: false }), 'test');
    // Long rescans: only inotify can make these tests pass in time.
    running = new PluginWatcher(join(dir, 'registry'), drivers, { update: async (name, d) => { updates.push([name, d]); } }, 60_000).run(stop.signal);
  });
  after(async () => {
    stop.abort();
    await running;
    drivers.closeAll();
    await driver.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('registers a driver whose registration socket appears, and tells it so', async () => {
    let status: [boolean, string] | undefined;
    const reg = await startRegistrar({ registryDir: join(dir, 'registry'), driver: 'nfs.csi.k8s.io', driverSocket: join(dir, 'csi.sock'), onStatus: (ok, err) => { status = [ok, err]; } });
    await until(() => drivers.has('nfs.csi.k8s.io') && status !== undefined);
    assert.deepEqual(status, [true, '']);
    assert.deepEqual(updates.at(-1), ['nfs.csi.k8s.io', { name: 'nfs.csi.k8s.io', nodeID: 'node-1', topologyKeys: null }]);
    assert.equal(drivers.get('nfs.csi.k8s.io').nodeId, 'node-1');
    await reg.stop();
    await until(() => !drivers.has('nfs.csi.k8s.io'));
    assert.deepEqual(updates.at(-1), ['nfs.csi.k8s.io', undefined]);
  });

  it('refuses a plugin of another type, saying why', async () => {
    let status: [boolean, string] | undefined;
    const reg = await serveUnix(`unix://${join(dir, 'registry', 'dp-reg.sock')}`, [{
      definition: services().registration,
      handlers: {
        GetInfo: async () => ({ type: 'DevicePlugin', name: 'example.com/gpu', endpoint: '', supportedVersions: ['v1beta1'] }),
        NotifyRegistrationStatus: async (r: { pluginRegistered: boolean; error: string }) => { status = [r.pluginRegistered, r.error]; return {}; },
      },
    }], 'device plugin');
    await until(() => status !== undefined);
    assert.deepEqual(status, [false, 'RegisterPlugin error -- plugin registration failed with err: no handler registered for plugin type: DevicePlugin']);
    assert.equal(drivers.has('example.com/gpu'), false);
    await reg.stop();
  });
});
