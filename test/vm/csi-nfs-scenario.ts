// Issue 17's NFS checks, run on the cluster test/vm/install.test.ts booted and joined (no boots of
// their own): VM 1 runs the k8ts server and a kernel NFS server exporting plain /srv/nfs (no
// fsid=0; the image's /etc/exports), VMs 2 and 3 are agents that mount it through the built-in
// CSI driver nfs.csi.k8s.io. Each step is one `it` of the install test, in this order.
import assert from 'node:assert/strict';
import type { Vm } from './lab.js';

const MIN = 60_000;

export interface NfsCluster {
  server: Vm;
  workers: [Vm, Vm];
  /** kubectl with the admin kubeconfig; rejects with its stderr on failure. */
  kubectl(...args: string[]): Promise<string>;
  apply(yaml: string): Promise<void>;
  eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs: number, intervalMs: number): Promise<T>;
  /** Where the steps record their times (ms). */
  timings: Record<string, number>;
}

export const storageClass = (server: string) => `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: nfs-csi}
provisioner: nfs.csi.k8s.io
parameters: {server: ${server}, share: /srv/nfs, subDir: '\${pvc.metadata.namespace}-\${pvc.metadata.name}', onDelete: archive}
reclaimPolicy: Delete
volumeBindingMode: Immediate
mountOptions: [nfsvers=4.1]
`;

const claim = (name: string, mode = 'ReadWriteMany') => `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}}
spec: {accessModes: [${mode}], storageClassName: nfs-csi, resources: {requests: {storage: 1Gi}}}
`;

/** A pod on `node`; with `claimName`, the claim mounted at /data. */
const pinnedPod = (name: string, node: string, command: string, claimName?: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  nodeName: ${node}
  restartPolicy: Never
  containers:
  - name: main
    image: docker.io/library/busybox:latest
    imagePullPolicy: IfNotPresent
    command: [sh, -c, '${command}']
${claimName ? `    volumeMounts: [{name: data, mountPath: /data}]
  volumes:
  - {name: data, persistentVolumeClaim: {claimName: ${claimName}}}` : ''}
`;

const phase = (c: NfsCluster, kind: string, name: string) => c.kubectl('get', kind, name, '-o', 'jsonpath={.status.phase}');

/** NFS mounts on a node (the pod volumes the agent published). */
const nfsMounts = (vm: Vm) => vm.sh(`awk '$3 == "nfs" || $3 == "nfs4" {print $2}' /proc/mounts`);

async function waitPhase(c: NfsCluster, kind: string, name: string, want: string[], timeoutMs: number): Promise<string> {
  return c.eventually(async () => {
    const p = await phase(c, kind, name);
    if (p === 'Failed') throw new Error(`${kind} ${name} failed:\n${await c.kubectl('describe', kind, name)}`);
    return want.includes(p) && p;
  }, timeoutMs, 1000);
}

/** The class, and a claim the server provisions on the export and the PV controller binds. */
export async function classAndClaimBind(c: NfsCluster): Promise<void> {
  assert.match(await c.server.sh('exportfs -v'), /^\/srv\/nfs\s/m, 'VM 1 exports /srv/nfs');
  for (const vm of c.workers) {
    await c.eventually(async () => (await c.kubectl('get', 'csinode', vm.name, '-o', 'jsonpath={.spec.drivers[*].name}')).includes('nfs.csi.k8s.io'), 5 * MIN, 2000);
  }
  await c.apply(storageClass(c.server.ip));
  const t0 = Date.now();
  await c.apply(claim('shared'));
  await waitPhase(c, 'pvc', 'shared', ['Bound'], 5 * MIN);
  c.timings.nfsClaimBound = Date.now() - t0;
  assert.match(await c.server.sh('ls /srv/nfs'), /^default-shared$/m, 'the volume is a directory on the export');
}

/** Written by a pod on VM 2, read by a pod on VM 3; and pod start times with and without the claim. */
export async function writtenOnOneWorkerReadOnTheOther(c: NfsCluster): Promise<void> {
  const [a, b] = c.workers;
  // The same pod without a volume first: the floor for the NFS pod's start.
  let t0 = Date.now();
  await c.apply(pinnedPod('plain', a.name, 'echo plain'));
  await waitPhase(c, 'pod', 'plain', ['Running', 'Succeeded'], 10 * MIN);
  c.timings.podNoVolumeRunning = Date.now() - t0;
  t0 = Date.now();
  await c.apply(pinnedPod('writer', a.name, 'echo hello-from-$(hostname) > /data/f', 'shared'));
  await waitPhase(c, 'pod', 'writer', ['Running', 'Succeeded'], 10 * MIN);
  c.timings.podNfsRunning = Date.now() - t0;
  await waitPhase(c, 'pod', 'writer', ['Succeeded'], 5 * MIN);
  await c.apply(pinnedPod('reader', b.name, 'cat /data/f', 'shared'));
  await waitPhase(c, 'pod', 'reader', ['Succeeded'], 10 * MIN);
  assert.equal((await c.kubectl('logs', 'reader')).trim(), 'hello-from-writer');
  assert.equal((await c.server.sh('cat /srv/nfs/default-shared/f')).trim(), 'hello-from-writer', 'the file is on the export');
  await c.kubectl('delete', 'pod', 'plain', 'writer', 'reader', '--wait=true', '--timeout=5m');
}

/** A ReadWriteMany Deployment with a replica on each worker, both writing to one file. */
export async function readWriteManyAcrossWorkers(c: NfsCluster): Promise<void> {
  const names = c.workers.map((vm) => vm.name);
  await c.apply(`apiVersion: apps/v1
kind: Deployment
metadata: {name: rwx}
spec:
  replicas: 2
  selector: {matchLabels: {app: rwx}}
  template:
    metadata: {labels: {app: rwx}}
    spec:
      affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [${names.join(', ')}]}]}]}}}
      topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: rwx}}}]
      containers:
      - name: main
        image: docker.io/library/busybox:latest
        imagePullPolicy: IfNotPresent
        command: [sh, -c, 'echo $(hostname) >> /data/hosts; sleep 3600']
        volumeMounts: [{name: data, mountPath: /data}]
      volumes:
      - {name: data, persistentVolumeClaim: {claimName: shared}}
`);
  const nodes = await c.eventually(async () => {
    const out = await c.kubectl('get', 'pods', '-l', 'app=rwx', '-o', 'jsonpath={range .items[*]}{.spec.nodeName}={.status.phase} {end}');
    const running = out.trim().split(' ').filter((p) => p.endsWith('=Running')).map((p) => p.split('=')[0]).sort();
    return running.length === 2 && running;
  }, 10 * MIN, 2000);
  assert.deepEqual(nodes, [...names].sort(), 'one replica on each worker');
  // Both replicas' lines in the one file on the export.
  await c.eventually(async () => (await c.server.sh('wc -l < /srv/nfs/default-shared/hosts')).trim() === '2', 2 * MIN, 2000);
  for (const vm of c.workers) assert.notEqual((await nfsMounts(vm)).trim(), '', `${vm.name} mounted the export for its replica`);
}

/** The pods gone, nothing stays mounted; the claim deleted, its directory is archived on the export. */
export async function cleanAfterPodsAndClaim(c: NfsCluster): Promise<void> {
  await c.kubectl('delete', 'deployment', 'rwx', '--wait=true');
  await c.eventually(async () => (await c.kubectl('get', 'pods', '-l', 'app=rwx', '-o', 'name')).trim() === '', 5 * MIN, 2000);
  for (const vm of c.workers) {
    await c.eventually(async () => (await nfsMounts(vm)).trim() === '', 2 * MIN, 2000)
      .catch(async () => assert.fail(`${vm.name} still has NFS mounts:\n${await nfsMounts(vm)}`));
  }
  await c.kubectl('delete', 'pvc', 'shared', '--wait=true', '--timeout=5m');
  // onDelete: archive: the PV's DeleteVolume renames the directory.
  await c.eventually(async () => /^archived-default-shared$/m.test(await c.server.sh('ls /srv/nfs')), 5 * MIN, 2000);
  assert.doesNotMatch(await c.server.sh('ls /srv/nfs'), /^default-shared$/m);
  await c.eventually(async () => (await c.kubectl('get', 'pv', '-o', 'name')).trim() === '', 5 * MIN, 2000);
}

/** An NFS server that does not answer: the pod gets FailedMount with mount.nfs' own words. */
export async function unreachableServerFailedMount(c: NfsCluster): Promise<void> {
  const [a] = c.workers;
  // A static PV on an address of the private network nobody has (no ARP answer: unreachable).
  await c.apply(`apiVersion: v1
kind: PersistentVolume
metadata: {name: nfs-down}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: ''
  mountOptions: [nfsvers=4.1, soft, timeo=50, retrans=1, retry=0]
  csi: {driver: nfs.csi.k8s.io, volumeHandle: 10.77.0.99#srv/nfs#down##, volumeAttributes: {server: 10.77.0.99, share: /srv/nfs}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: down}
spec: {accessModes: [ReadWriteOnce], storageClassName: '', volumeName: nfs-down, resources: {requests: {storage: 1Gi}}}
`);
  await waitPhase(c, 'pvc', 'down', ['Bound'], 5 * MIN);
  await c.apply(pinnedPod('stuck', a.name, 'true', 'down'));
  const event = await c.eventually(async () => {
    const out = await c.kubectl('get', 'events', '--field-selector', 'involvedObject.name=stuck,reason=FailedMount', '-o', 'jsonpath={.items[*].message}');
    return out.trim() || false;
  }, 10 * MIN, 3000);
  assert.match(event, /MountVolume\.SetUp failed for volume "/);
  assert.match(event, /mount failed: exit status \d+/);
  assert.match(event, /mount\.nfs: /, 'the mount error itself');
  assert.equal(await phase(c, 'pod', 'stuck'), 'Pending');
  await c.kubectl('delete', 'pod', 'stuck', '--wait=true', '--timeout=5m');
  await c.kubectl('delete', 'pvc', 'down', '--wait=true');
  await c.kubectl('delete', 'pv', 'nfs-down', '--wait=true');
  assert.equal((await nfsMounts(a)).trim(), '', 'no mount left by the failed attempts');
}
