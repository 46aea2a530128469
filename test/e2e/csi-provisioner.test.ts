// The server's CSI provisioner against a real `k8ts server` and kubectl, with the NFS driver's
// controller on the server's controller socket (its mounts faked by bind mounts of a local
// "export": this host has no NFS client): CreateVolume makes the templated directory and a PV
// pre-bound to the claim, ControllerExpandVolume grows it, DeleteVolume archives it, a bad
// class parameter leaves the claim Pending with the driver's error. The built-in driver's
// CSIDriver object is there. The PV controller binds and releases the claims.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NfsDriver } from '../../csi/nfs/driver.js';
import { serveUnix, type RunningServer } from '../../csi/serve.js';
import { mountPointsUnder } from '../../lib/mounts.js';
import { eventually, startCluster, type TestCluster } from '../lib/cluster.js';
import { FAKE_NFS, FakeNfsMounter, fakeNfsClassAndClaim } from './fake-nfs-mounter.js';

describe('CSI provisioner in the server', () => {
  let c: TestCluster;
  let tmp: string;
  let controller: RunningServer;
  let mounter: FakeNfsMounter;

  const apply = async (yaml: string) => {
    const f = join(tmp, `m-${Date.now()}.yaml`);
    await writeFile(f, yaml);
    await c.k('apply', '-f', f);
  };
  const events = (name: string) => c.k('get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}');
  const claimUid = async (name: string) => (await c.k('get', 'pvc', name, '-o', 'jsonpath={.metadata.uid}')).trim();

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'k8ts-csi-prov-'));
    c = await startCluster();
    mounter = new FakeNfsMounter(join(tmp, 'exports'));
    await mkdir(mounter.exportPath('nfs.test', '/export'), { recursive: true });
    const driver = new NfsDriver({ name: FAKE_NFS, nodeId: 'controller', workingMountDir: join(tmp, 'work'), mounter });
    controller = await serveUnix(`unix://${join(c.dataDir, 'csi', 'controllers', `${FAKE_NFS}.sock`)}`, driver.services({ node: false }), 'fake nfs controller');
  });

  after(async () => {
    await controller?.stop();
    await c?.stop();
    const left = await mountPointsUnder([tmp]);
    await rm(tmp, { recursive: true, force: true });
    assert.deepEqual(left, [], 'nothing left mounted');
  });

  it('registers the built-in driver\'s CSIDriver as csi-driver-nfs deploys it', async () => {
    const out = await eventually(async () => c.k('get', 'csidriver', 'nfs.csi.k8s.io').catch(() => undefined), 20_000, 200);
    assert.match(out, /^NAME\s+ATTACHREQUIRED\s+PODINFOONMOUNT\s+STORAGECAPACITY\s+TOKENREQUESTS\s+REQUIRESREPUBLISH\s+MODES\s+AGE\n/);
    assert.match(out, /^nfs\.csi\.k8s\.io\s+false\s+false\s+false\s+<unset>\s+false\s+Persistent\s+/m);
    assert.equal(await c.k('get', 'csidriver', 'nfs.csi.k8s.io', '-o', 'jsonpath={.spec.fsGroupPolicy}'), 'File');
  });

  it('CreateVolume makes the templated subdirectory and a PV pre-bound to the claim', async () => {
    await apply(fakeNfsClassAndClaim);
    const uid = await claimUid('shared');
    const pv = JSON.parse(await eventually(async () => c.k('get', 'pv', `pvc-${uid}`, '-o', 'json').catch(() => undefined), 30_000, 200)) as {
      metadata: { annotations: Record<string, string> };
      spec: { capacity: Record<string, string>; mountOptions: string[]; persistentVolumeReclaimPolicy: string; storageClassName: string; accessModes: string[]; claimRef: { uid: string; name: string; namespace: string }; csi: { driver: string; volumeHandle: string; volumeAttributes: Record<string, string> } };
    };
    assert.equal(pv.metadata.annotations['pv.kubernetes.io/provisioned-by'], FAKE_NFS);
    assert.deepEqual(pv.spec.capacity, { storage: '1Gi' });
    assert.deepEqual(pv.spec.accessModes, ['ReadWriteMany']);
    assert.deepEqual(pv.spec.mountOptions, ['nfsvers=4.1']);
    assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Delete');
    assert.equal(pv.spec.storageClassName, 'fake-nfs');
    assert.deepEqual([pv.spec.claimRef.namespace, pv.spec.claimRef.name, pv.spec.claimRef.uid], ['default', 'shared', uid]);
    assert.equal(pv.spec.csi.driver, FAKE_NFS);
    assert.equal(pv.spec.csi.volumeHandle, `nfs.test#export#default-shared#pvc-${uid}#archive`);
    assert.equal(pv.spec.csi.volumeAttributes.subDir, 'default-shared');
    assert.equal((await stat(mounter.exportPath('nfs.test', '/export/default-shared'))).mode & 0o777, 0o770);
    assert.match(await events('shared'), /Provisioning: External provisioner is provisioning volume for claim "default\/shared"\nProvisioningSucceeded: Successfully provisioned volume pvc-/);
    assert.deepEqual(mounter.mounts.map((m) => m.source), ['nfs.test:/export']);
    assert.deepEqual(await mountPointsUnder([tmp]), [], 'the working mount is gone');
  });

  it('a bound claim asking for more is expanded through ControllerExpandVolume', async () => {
    const uid = await claimUid('shared');
    // The PV controller binds the claim to its pre-bound volume.
    await eventually(async () => (await c.k('get', 'pvc', 'shared', '-o', 'jsonpath={.status.phase}')) === 'Bound', 30_000, 200);
    await c.k('patch', 'pvc', 'shared', '--type=merge', '-p', '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}');
    await eventually(async () => (await c.k('get', 'pv', `pvc-${uid}`, '-o', 'jsonpath={.spec.capacity.storage}')) === '2Gi', 30_000, 200);
    await eventually(async () => (await c.k('get', 'pvc', 'shared', '-o', 'jsonpath={.status.capacity.storage}')) === '2Gi', 30_000, 200);
    assert.match(await events('shared'), /Resizing: External resizer is resizing volume pvc-.*\nVolumeResizeSuccessful: Resize volume succeeded/);
  });

  it('a released PV with reclaim policy Delete: DeleteVolume archives the directory and the PV goes', async () => {
    const uid = await claimUid('shared');
    await writeFile(mounter.exportPath('nfs.test', '/export/default-shared/data'), 'kept');
    await c.k('delete', 'pvc', 'shared');
    // The PV controller releases it once the claim is gone; the provisioner then deletes it.
    await eventually(async () => (await c.k('get', 'pv', `pvc-${uid}`, '--ignore-not-found')) === '', 30_000, 200);
    assert.equal(await readFile(mounter.exportPath('nfs.test', '/export/archived-default-shared/data'), 'utf8'), 'kept');
  });

  it('a class parameter the driver refuses leaves the claim Pending with the driver\'s InvalidArgument', async () => {
    await apply(`apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fake-nfs-bad}
provisioner: ${FAKE_NFS}
parameters: {server: nfs.test, share: /export, colour: blue}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: bad, annotations: {volume.kubernetes.io/storage-provisioner: ${FAKE_NFS}}}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}, storageClassName: fake-nfs-bad}
`);
    await eventually(async () => /ProvisioningFailed: failed to provision volume with StorageClass "fake-nfs-bad": rpc error: code = InvalidArgument desc = invalid parameter "colour" in storage class/.test(await events('bad')), 30_000, 300);
    assert.equal(await c.k('get', 'pvc', 'bad', '-o', 'jsonpath={.status.phase}'), 'Pending');
    assert.equal(await c.k('get', 'pv', '-o', 'name'), '');
  });
});
