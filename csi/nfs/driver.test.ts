// The NFS driver through its real gRPC socket and the CSI client, on a local directory standing
// in for the export: the mounter is a fake that links the target to the export's directory
// (no NFS client here, and no root needed), so directory management is what is under test.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readdir, readlink, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsiClient } from '../client.js';
import { CsiError } from '../errors.js';
import { serveUnix, type RunningServer } from '../serve.js';
import type { VolumeCapability } from '../types.js';
import { NfsDriver } from './driver.js';
import type { Mounter } from './mounter.js';

/** Fake of the NFS mount: `server:/path` → a symlink from the target to `<exportRoot>/path`. */
class SymlinkMounter implements Mounter {
  readonly mounts: Array<{ source: string; target: string; options: readonly string[] }> = [];
  failWith = '';
  constructor(private readonly exportRoot: string) {}
  async mount(source: string, target: string, options: readonly string[]): Promise<void> {
    if (this.failWith) throw new Error(this.failWith);
    const path = source.slice(source.indexOf(':') + 1);
    await rm(target, { recursive: false, force: true }).catch(() => undefined);
    await rm(target, { recursive: true }).catch(() => undefined);
    await symlink(join(this.exportRoot, path), target);
    this.mounts.push({ source, target, options });
  }
  async unmount(target: string): Promise<void> {
    await unlink(target);
    await mkdir(target);
  }
  async isMountPoint(target: string): Promise<boolean> {
    return (await lstat(target).catch(() => undefined))?.isSymbolicLink() ?? false;
  }
}

const rwx: VolumeCapability = { mount: { fsType: '', mountFlags: ['nfsvers=4.1'] }, accessMode: { mode: 'MULTI_NODE_MULTI_WRITER' } };

describe('csi-nfs driver over its gRPC socket', () => {
  let dir: string;
  let exportRoot: string;
  let mounter: SymlinkMounter;
  let server: RunningServer;
  let client: CsiClient;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'csi-nfs-'));
    exportRoot = join(dir, 'server');
    await mkdir(join(exportRoot, 'srv/nfs'), { recursive: true });
    mounter = new SymlinkMounter(exportRoot);
    const driver = new NfsDriver({ nodeId: 'node-a', workingMountDir: join(dir, 'work'), mounter });
    server = await serveUnix(`unix://${dir}/csi.sock`, driver.services(), 'test');
    client = new CsiClient(`unix://${dir}/csi.sock`, 5000);
  });
  after(async () => {
    client.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers Identity and Node info', async () => {
    assert.deepEqual(await client.getPluginInfo(), { name: 'nfs.csi.k8s.io', vendorVersion: 'k8ts', manifest: {} });
    assert.deepEqual((await client.nodeGetInfo()).nodeId, 'node-a');
    assert.deepEqual(await client.controllerCapabilities(), ['CREATE_DELETE_VOLUME', 'SINGLE_NODE_MULTI_WRITER', 'EXPAND_VOLUME']);
    assert.deepEqual(await client.nodeCapabilities(), ['SINGLE_NODE_MULTI_WRITER']);
  });

  it('CreateVolume makes the templated subdirectory with its permissions, DeleteVolume removes it', async () => {
    const vol = await client.createVolume({
      name: 'pvc-11', volumeCapabilities: [rwx], capacityRange: { requiredBytes: 1 << 20 },
      parameters: { server: 'nfs', share: '/srv/nfs', subDir: '${pvc.metadata.namespace}-${pvc.metadata.name}', mountPermissions: '0751', 'csi.storage.k8s.io/pvc/name': 'data', 'csi.storage.k8s.io/pvc/namespace': 'db' },
    });
    assert.equal(vol.volumeId, 'nfs#srv/nfs#db-data#pvc-11');
    assert.deepEqual(vol.volumeContext, { server: 'nfs', share: '/srv/nfs', mountPermissions: '0751', subDir: 'db-data' });
    const st = await stat(join(exportRoot, 'srv/nfs/db-data'));
    assert.ok(st.isDirectory());
    assert.equal(st.mode & 0o777, 0o751);
    assert.deepEqual(mounter.mounts.at(-1), { source: 'nfs:/srv/nfs', target: join(dir, 'work/pvc-11'), options: ['nfsvers=4.1'] });
    assert.deepEqual(await readdir(join(dir, 'work')), [], 'the working mount is gone');
    await client.deleteVolume({ volumeId: vol.volumeId });
    assert.deepEqual(await readdir(join(exportRoot, 'srv/nfs')), []);
  });

  it('onDelete archive renames the directory, retain keeps it', async () => {
    const a = await client.createVolume({ name: 'pvc-a', volumeCapabilities: [rwx], parameters: { server: 'nfs', share: '/srv/nfs', onDelete: 'archive' } });
    await writeFile(join(exportRoot, 'srv/nfs/pvc-a/data'), 'kept');
    await client.deleteVolume({ volumeId: a.volumeId });
    assert.deepEqual((await readdir(join(exportRoot, 'srv/nfs'))).sort(), ['archived-pvc-a']);
    const r = await client.createVolume({ name: 'pvc-r', volumeCapabilities: [rwx], parameters: { server: 'nfs', share: '/srv/nfs', onDelete: 'retain' } });
    await client.deleteVolume({ volumeId: r.volumeId });
    assert.deepEqual((await readdir(join(exportRoot, 'srv/nfs'))).sort(), ['archived-pvc-a', 'pvc-r']);
  });

  it('returns errors as CSI gRPC codes', async () => {
    await assert.rejects(client.createVolume({ name: 'v', volumeCapabilities: [rwx], parameters: { share: '/x' } }),
      (e: unknown) => e instanceof CsiError && e.code === 'INVALID_ARGUMENT' && e.message === 'server is a required parameter');
    await assert.rejects(client.createVolume({ name: 'v', volumeCapabilities: [{ block: {}, accessMode: { mode: 'SINGLE_NODE_WRITER' } }], parameters: { server: 's' } }),
      (e: unknown) => e instanceof CsiError && e.code === 'INVALID_ARGUMENT' && /Block Volume not supported/.test(e.message));
    await assert.rejects(client.nodeStageVolume({ volumeId: 'x', stagingTargetPath: '/x', volumeCapability: rwx }),
      (e: unknown) => e instanceof CsiError && e.code === 'UNIMPLEMENTED');
    mounter.failWith = 'mount.nfs: Connection timed out';
    await assert.rejects(client.createVolume({ name: 'v', volumeCapabilities: [rwx], parameters: { server: 'gone', share: '/x' } }),
      (e: unknown) => e instanceof CsiError && e.code === 'INTERNAL' && e.message === 'failed to mount nfs server: mount.nfs: Connection timed out');
    await assert.rejects(client.nodePublishVolume({ volumeId: 'gone#x#y#', targetPath: join(dir, 'pod/mount'), volumeCapability: rwx, volumeContext: { server: 'gone', share: '/x' } }),
      (e: unknown) => e instanceof CsiError && e.code === 'INTERNAL' && /Connection timed out/.test(String(e)));
    mounter.failWith = '';
  });

  it('NodePublishVolume mounts server:/share/subDir with the flags and ro; unpublish removes the target', async () => {
    await mkdir(join(exportRoot, 'srv/nfs/vol1'), { recursive: true });
    const target = join(dir, 'pods/uid/volumes/kubernetes.io~csi/pv1/mount');
    const req = { volumeId: 'nfs#srv/nfs#vol1#', targetPath: target, volumeCapability: rwx, readonly: true, volumeContext: { server: 'nfs', share: '/srv/nfs', subDir: 'vol1' } };
    await client.nodePublishVolume(req);
    await client.nodePublishVolume(req); // idempotent
    assert.equal(await readlink(target), join(exportRoot, '/srv/nfs/vol1'));
    assert.deepEqual(mounter.mounts.at(-1)?.options, ['nfsvers=4.1', 'ro']);
    await client.nodeUnpublishVolume({ volumeId: req.volumeId, targetPath: target });
    await assert.rejects(lstat(target));
  });
});
