// CSI through the agent, with real containerd and kubectl: drivers register through
// plugins_registry (the built-in csi-nfs, and a hostpath test driver that is a real CSI server
// whose mounts are bind mounts); CSINode and the Node's nodeid annotation follow them; a pod's
// claim bound to a hand-written `csi` PV is staged and published into kubelet's directories,
// an inline CSI volume is published, both are unpublished (and unstaged) when the pods go; an
// NFS volume whose server does not answer gives the pod a FailedMount event with the mount
// error; a driver whose socket goes leaves CSINode.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, mkdir, stat } from 'node:fs/promises';
import { NfsDriver } from '../../csi/nfs/driver.js';
import { startRegistrar } from '../../csi/registrar.js';
import { serveUnix } from '../../csi/serve.js';
import { join } from 'node:path';
import { isMountPoint, mountPointsUnder } from '../../lib/mounts.js';
import { eventually } from '../lib/cluster.js';
import { missingPrerequisites, setupAgentEnv, waitForPod, type AgentEnv } from './agent-harness.js';
import { startHostpathDriver, type HostpathDriver } from './csi-hostpath-driver.js';
import { FAKE_NFS, FakeNfsMounter, fakeNfsClassAndClaim } from './fake-nfs-mounter.js';

const missing = missingPrerequisites();
const DRIVER = 'hostpath.test.k8ts.io';

interface FakeNfs { mounter: FakeNfsMounter; stop(): Promise<void> }

/** The NFS driver under another name, with faked mounts: its controller where the server looks, its node side registered with the agent. */
async function startFakeNfs(env: AgentEnv, dataDir: string): Promise<FakeNfs> {
  const mounter = new FakeNfsMounter(join(env.tmp, 'exports'));
  const dir = join(env.tmp, 'fake-nfs');
  const driver = new NfsDriver({ name: FAKE_NFS, nodeId: env.nodeName, workingMountDir: join(dir, 'work'), mounter });
  const controller = await serveUnix(`unix://${join(env.c.dataDir, 'csi', 'controllers', `${FAKE_NFS}.sock`)}`, driver.services({ node: false }), 'fake nfs controller');
  const node = await serveUnix(`unix://${join(dir, 'csi.sock')}`, driver.services({ controller: false }), 'fake nfs node');
  const registrar = await startRegistrar({ registryDir: join(dataDir, 'agent', 'plugins_registry'), driver: FAKE_NFS, driverSocket: join(dir, 'csi.sock') });
  return {
    mounter,
    async stop() {
      await registrar.stop();
      await node.stop();
      await controller.stop();
    },
  };
}

interface CsiNodeJson { spec: { drivers: Array<{ name: string; nodeID: string; topologyKeys: string[] | null; allocatable?: { count: number } }> } }

describe('CSI in the agent: registration, CSINode, stage and publish', { skip: missing.length ? `needs ${missing.join(', ')}` : false }, () => {
  let env: AgentEnv;
  let driver: HostpathDriver | undefined;
  let dataDir: string;
  let fakeNfs: FakeNfs | undefined;

  before(async () => {
    env = await setupAgentEnv();
    dataDir = join(env.tmp, 'data');
  });

  after(async () => {
    await driver?.stop();
    await fakeNfs?.stop();
    if (env) await env.teardown();
  });

  const csiNode = async (): Promise<CsiNodeJson | undefined> =>
    JSON.parse(await env.k('get', 'csinode', env.nodeName, '-o', 'json').catch(() => 'null')) as CsiNodeJson | undefined;
  const events = (pod: string) => env.k('get', 'events', '--field-selector', `involvedObject.name=${pod}`, '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}');

  it('the built-in csi-nfs registers: CSINode lists nfs.csi.k8s.io with the node name as its node ID', async () => {
    const n = await eventually(async () => (await csiNode())?.spec.drivers.find((d) => d.name === 'nfs.csi.k8s.io'), 30_000, 200);
    assert.deepEqual(n, { name: 'nfs.csi.k8s.io', nodeID: env.nodeName, topologyKeys: null });
    const ann = await env.k('get', 'node', env.nodeName, '-o', 'jsonpath={.metadata.annotations.csi\\.volume\\.kubernetes\\.io/nodeid}');
    assert.deepEqual(JSON.parse(ann), { 'nfs.csi.k8s.io': env.nodeName });
    const owner = await env.k('get', 'csinode', env.nodeName, '-o', 'jsonpath={.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}');
    assert.equal(owner, `Node/${env.nodeName}`);
    // The server registered the driver as csi-driver-nfs deploys it.
    const spec = JSON.parse(await env.k('get', 'csidriver', 'nfs.csi.k8s.io', '-o', 'jsonpath={.spec}')) as Record<string, unknown>;
    assert.equal(spec.attachRequired, false);
    assert.equal(spec.fsGroupPolicy, 'File');
    assert.deepEqual(spec.volumeLifecycleModes, ['Persistent']);
  });

  it('an external driver registers through its registration socket, with its own node ID', async () => {
    await mkdir(join(env.tmp, 'hostpath'), { recursive: true });
    driver = await startHostpathDriver({ name: DRIVER, nodeId: 'hp-node-7', dir: join(env.tmp, 'hostpath'), registryDir: join(dataDir, 'agent', 'plugins_registry') });
    const d = await eventually(async () => (await csiNode())?.spec.drivers.find((x) => x.name === DRIVER), 20_000, 100);
    assert.deepEqual(d, { name: DRIVER, nodeID: 'hp-node-7', topologyKeys: null, allocatable: { count: 8 } });
    const out = await env.k('get', 'csinode', env.nodeName);
    assert.match(out, /^NAME\s+DRIVERS\s+AGE\n/);
    assert.match(out, new RegExp(`^${env.nodeName}\\s+2\\s+`, 'm'));
  });

  it('a claim bound to a csi PV is staged into globalmount and published into the pod\'s kubernetes.io~csi dir', async () => {
    assert.ok(driver);
    await env.apply(`apiVersion: v1
kind: PersistentVolume
metadata: {name: hp-pv}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  claimRef: {namespace: default, name: hp-claim}
  csi: {driver: ${DRIVER}, volumeHandle: vol-1, volumeAttributes: {flavour: plain}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: hp-claim}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
  volumeName: hp-pv
  storageClassName: ""
`);
    await eventually(async () => (await env.k('get', 'pvc', 'hp-claim', '-o', 'jsonpath={.status.phase}')) === 'Bound', 30_000, 200);
    await env.apply(`apiVersion: v1
kind: Pod
metadata: {name: csi-pv}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: ${env.image}
    command: [sh, -c, 'echo written-by-pod > /data/hello; sleep 3600']
    volumeMounts: [{name: data, mountPath: /data}]
  volumes:
  - name: data
    persistentVolumeClaim: {claimName: hp-claim}
`);
    const pod = await waitForPod(env, 'csi-pv', (p) => p.status.phase === 'Running', 90_000);
    const uid = pod.metadata.uid;
    const staging = join(dataDir, 'agent/plugins/kubernetes.io/csi', DRIVER, createHash('sha256').update('vol-1').digest('hex'), 'globalmount');
    const target = join(dataDir, 'agent/pods', uid, 'volumes/kubernetes.io~csi/hp-pv/mount');
    assert.equal(await eventually(async () => (await readFile(join(driver!.volumeDir('vol-1'), 'hello'), 'utf8').catch(() => '')) || undefined), 'written-by-pod\n');
    assert.ok(await isMountPoint(staging), 'globalmount is mounted');
    assert.ok(await isMountPoint(target), 'the pod\'s target is mounted');
    const vd = JSON.parse(await readFile(join(target, '..', 'vol_data.json'), 'utf8')) as Record<string, string>;
    assert.equal(vd.driverName, DRIVER);
    assert.equal(vd.volumeHandle, 'vol-1');
    const stage = driver.calls.find((c) => c.method === 'NodeStageVolume');
    const publish = driver.calls.find((c) => c.method === 'NodePublishVolume' && c.req.targetPath === target);
    assert.equal(stage?.req.stagingTargetPath, staging);
    assert.equal(publish?.req.stagingTargetPath, staging);
    assert.deepEqual(publish?.req.volumeContext, { flavour: 'plain' });
    assert.equal((publish?.req.volumeCapability as { accessMode: { mode: string } }).accessMode.mode, 'SINGLE_NODE_WRITER');
    assert.ok(driver.calls.indexOf(stage!) < driver.calls.indexOf(publish!), 'staged before published');

    await env.k('delete', 'pod', 'csi-pv', '--wait=true', '--timeout=60s');
    await eventually(() => driver!.calls.some((c) => c.method === 'NodeUnstageVolume'), 30_000, 200);
    const unpublish = driver.calls.find((c) => c.method === 'NodeUnpublishVolume');
    assert.equal(unpublish?.req.targetPath, target);
    assert.ok(driver.calls.indexOf(unpublish!) < driver.calls.findIndex((c) => c.method === 'NodeUnstageVolume'), 'unpublished before unstaged');
    assert.deepEqual(await mountPointsUnder([join(dataDir, 'agent')]), [], 'nothing is left mounted');
    assert.equal(await readFile(join(driver.volumeDir('vol-1'), 'hello'), 'utf8'), 'written-by-pod\n', 'the data outlives the pod');
  });

  it('an inline CSI volume is published without staging and unpublished when the pod goes', async () => {
    assert.ok(driver);
    await env.apply(`apiVersion: storage.k8s.io/v1
kind: CSIDriver
metadata: {name: ${DRIVER}}
spec: {attachRequired: false, podInfoOnMount: true, volumeLifecycleModes: [Persistent, Ephemeral]}
---
apiVersion: v1
kind: Pod
metadata: {name: csi-inline}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: ${env.image}
    command: [sh, -c, 'echo inline > /scratch/f; sleep 3600']
    volumeMounts: [{name: scratch, mountPath: /scratch}]
  volumes:
  - name: scratch
    csi: {driver: ${DRIVER}, volumeAttributes: {size: small}}
`);
    const pod = await waitForPod(env, 'csi-inline', (p) => p.status.phase === 'Running', 90_000);
    const target = join(dataDir, 'agent/pods', pod.metadata.uid, 'volumes/kubernetes.io~csi/scratch/mount');
    const publish = driver.calls.find((c) => c.method === 'NodePublishVolume' && c.req.targetPath === target);
    assert.ok(publish, 'published into the pod\'s dir');
    assert.equal(publish.req.stagingTargetPath, '');
    const handle = 'csi-' + createHash('sha256').update(pod.metadata.uid + 'scratch').digest('hex');
    assert.equal(publish.req.volumeId, handle);
    assert.deepEqual(publish.req.volumeContext, {
      size: 'small', 'csi.storage.k8s.io/pod.name': 'csi-inline', 'csi.storage.k8s.io/pod.namespace': 'default',
      'csi.storage.k8s.io/pod.uid': pod.metadata.uid, 'csi.storage.k8s.io/serviceAccount.name': 'default', 'csi.storage.k8s.io/ephemeral': 'true',
    });
    assert.equal(await eventually(async () => (await readFile(join(driver!.volumeDir(handle), 'f'), 'utf8').catch(() => '')) || undefined), 'inline\n');
    await env.k('delete', 'pod', 'csi-inline', '--wait=true', '--timeout=60s');
    await eventually(() => driver!.calls.some((c) => c.method === 'NodeUnpublishVolume' && c.req.targetPath === target), 30_000, 200);
    assert.deepEqual(await mountPointsUnder([join(dataDir, 'agent')]), []);
  });

  it('an unreachable NFS server gives the pod a FailedMount event with the mount error, and nothing stays mounted', async () => {
    // 127.0.0.1: the mount attempt stays on loopback (nothing listens for NFS there, or the kernel has no NFS client).
    await env.apply(`apiVersion: v1
kind: PersistentVolume
metadata: {name: nfs-pv}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteMany]
  mountOptions: [nfsvers=4.1, soft, timeo=10, retrans=1]
  claimRef: {namespace: default, name: nfs-claim}
  csi: {driver: nfs.csi.k8s.io, volumeHandle: 127.0.0.1#srv/nfs#x#, volumeAttributes: {server: 127.0.0.1, share: /srv/nfs, subDir: x}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: nfs-claim}
spec:
  accessModes: [ReadWriteMany]
  resources: {requests: {storage: 1Gi}}
  volumeName: nfs-pv
  storageClassName: ""
---
apiVersion: v1
kind: Pod
metadata: {name: nfs-unreachable}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: main, image: ${env.image}, command: [sleep, '3600'], volumeMounts: [{name: data, mountPath: /data}]}
  volumes:
  - {name: data, persistentVolumeClaim: {claimName: nfs-claim}}
`);
    await env.k('patch', 'pvc', 'nfs-claim', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Bound"}}');
    const ev = await eventually(async () => {
      const e = await events('nfs-unreachable');
      return /FailedMount: MountVolume.SetUp failed for volume "nfs-pv" : rpc error: code = Internal desc = mount failed: exit status \d+\nMounting command: mount\nMounting arguments: -t nfs -o nfsvers=4.1,soft,timeo=10,retrans=1 127.0.0.1:\/srv\/nfs\/x \S+\/volumes\/kubernetes.io~csi\/nfs-pv\/mount\nOutput: .+/.test(e) ? e : undefined;
    }, 120_000, 500).catch(async (err: unknown) => { throw new Error(`${(err as Error).message}\nevents: ${await events('nfs-unreachable')}`); });
    assert.match(ev, /FailedMount/);
    assert.equal((await env.pod('nfs-unreachable')).status.phase, 'Pending');
    await env.k('delete', 'pod', 'nfs-unreachable', '--wait=true', '--timeout=60s');
    assert.deepEqual(await mountPointsUnder([join(dataDir, 'agent')]), []);
  });

  it('a driver whose registration socket goes is removed from CSINode and the node annotation', async () => {
    assert.ok(driver);
    await driver.stop();
    driver = undefined;
    await eventually(async () => !(await csiNode())?.spec.drivers.some((d) => d.name === DRIVER), 20_000, 100);
    const ann = await env.k('get', 'node', env.nodeName, '-o', 'jsonpath={.metadata.annotations.csi\\.volume\\.kubernetes\\.io/nodeid}');
    assert.deepEqual(JSON.parse(ann), { 'nfs.csi.k8s.io': env.nodeName });
  });

  it('the server provisions a claim through the driver registered with the agent (details: csi-provisioner.test.ts)', async () => {
    // The NFS driver itself, its mounts faked by bind mounts of a local "export".
    fakeNfs = await startFakeNfs(env, dataDir);
    await mkdir(fakeNfs.mounter.exportPath('nfs.test', '/export'), { recursive: true });
    await env.apply(fakeNfsClassAndClaim);
    const uid = (await env.k('get', 'pvc', 'shared', '-o', 'jsonpath={.metadata.uid}')).trim();
    await eventually(async () => env.k('get', 'pv', `pvc-${uid}`, '-o', 'name').catch(() => undefined), 30_000, 200);
    assert.ok((await stat(fakeNfs.mounter.exportPath('nfs.test', '/export/default-shared'))).isDirectory());
  });

  it('a pod mounts the provisioned NFS volume through the node side, with the class mount options', async () => {
    assert.ok(fakeNfs);
    const uid = (await env.k('get', 'pvc', 'shared', '-o', 'jsonpath={.metadata.uid}')).trim();
    // The PV controller binds the claim to the volume provisioned for it.
    await eventually(async () => (await env.k('get', 'pvc', 'shared', '-o', 'jsonpath={.status.phase}')) === 'Bound', 30_000, 200);
    await env.apply(`apiVersion: v1
kind: Pod
metadata: {name: nfs-writer}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: main, image: ${env.image}, command: [sh, -c, 'echo from-pod > /data/f; sleep 3600'], volumeMounts: [{name: data, mountPath: /data}]}
  volumes:
  - {name: data, persistentVolumeClaim: {claimName: shared}}
`);
    const pod = await waitForPod(env, 'nfs-writer', (p) => p.status.phase === 'Running', 90_000);
    assert.equal(await eventually(async () => (await readFile(fakeNfs!.mounter.exportPath('nfs.test', '/export/default-shared/f'), 'utf8').catch(() => '')) || undefined), 'from-pod\n');
    const target = join(dataDir, 'agent/pods', pod.metadata.uid, `volumes/kubernetes.io~csi/pvc-${uid}/mount`);
    assert.deepEqual(fakeNfs.mounter.mounts.find((m) => m.target === target), { source: 'nfs.test:/export/default-shared', target, options: ['nfsvers=4.1'] });
    await env.k('delete', 'pod', 'nfs-writer', '--wait=true', '--timeout=60s');
    assert.deepEqual(await mountPointsUnder([join(dataDir, 'agent')]), []);
  });

  it('a released PV with reclaim policy Delete: DeleteVolume archives the directory, the PV goes', async () => {
    const uid = (await env.k('get', 'pvc', 'shared', '-o', 'jsonpath={.metadata.uid}')).trim();
    await env.k('delete', 'pvc', 'shared', '--wait=false');
    // The PV controller releases it once the claim is gone; the provisioner then deletes it.
    await eventually(async () => (await env.k('get', 'pv', `pvc-${uid}`, '--ignore-not-found')) === '', 30_000, 200);
    assert.equal(await readFile(fakeNfs!.mounter.exportPath('nfs.test', '/export/archived-default-shared/f'), 'utf8'), 'from-pod\n');
  });

  it('cleans up: nothing of the cluster is left on the host', async () => {
    await env.k('delete', 'pvc', '--all', '--wait=false');
    await env.k('delete', 'pv', '--all', '--wait=false');
    const problems = await env.teardown();
    assert.deepEqual(problems, []);
    assert.deepEqual(await env.leftovers(), []);
  });
});
