// The NFS scenario of issue 17 for the VM harness (branch install builds it: Debian VMs under
// QEMU, see ../shared/notes/vms-on-this-machine.md). Written against the few things it needs
// from that harness (VmCluster below), so wiring it in is a matter of an adapter and a
// `test/vm/csi-nfs.test.ts` calling runNfsScenario. Not a test by itself: nothing runs it yet.
//
// VM 1: kernel NFS server (nfs-kernel-server) exporting /srv/nfs, and the k8ts server.
// VM 2, VM 3: k8ts agents (nfs-common installed), joined with a token.
import assert from 'node:assert/strict';

export interface VmCluster {
  /** The address VM `n` has on the harness' private network. */
  address(n: 1 | 2 | 3): string;
  /** Runs a shell command as root on VM `n`; rejects with its stderr on a non-zero exit. */
  sh(n: 1 | 2 | 3, command: string): Promise<string>;
  /** kubectl against the cluster (admin kubeconfig); rejects with stderr on failure. */
  kubectl(...args: string[]): Promise<string>;
  /** The nodes' names for VM 2 and VM 3. */
  nodeName(n: 2 | 3): string;
  eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs?: number): Promise<T>;
}

const storageClass = (server: string) => `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: nfs-csi}
provisioner: nfs.csi.k8s.io
parameters: {server: ${server}, share: /srv/nfs, subDir: '\${pvc.metadata.namespace}-\${pvc.metadata.name}', onDelete: archive}
reclaimPolicy: Delete
volumeBindingMode: Immediate
mountOptions: [nfsvers=4.1]
`;

const pinnedPod = (name: string, node: string, command: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  nodeName: ${node}
  restartPolicy: Never
  containers:
  - {name: main, image: busybox, command: [sh, -c, '${command}'], volumeMounts: [{name: data, mountPath: /data}]}
  volumes:
  - {name: data, persistentVolumeClaim: {claimName: shared}}
`;

export async function runNfsScenario(vm: VmCluster, apply: (yaml: string) => Promise<void>): Promise<void> {
  // 1. The export on VM 1.
  await vm.sh(1, 'mkdir -p /srv/nfs && echo "/srv/nfs *(rw,sync,no_subtree_check,no_root_squash)" > /etc/exports && exportfs -ra');
  // 2. Both agents registered the built-in driver.
  for (const n of [2, 3] as const) {
    await vm.eventually(async () => (await vm.kubectl('get', 'csinode', vm.nodeName(n), '-o', 'jsonpath={.spec.drivers[*].name}')).includes('nfs.csi.k8s.io'), 60_000);
  }
  // 3. A class and a ReadWriteMany claim: provisioned by the server, bound by the PV controller.
  await apply(storageClass(vm.address(1)));
  await apply(`apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: shared}
spec: {accessModes: [ReadWriteMany], storageClassName: nfs-csi, resources: {requests: {storage: 1Gi}}}
`);
  await vm.eventually(async () => (await vm.kubectl('get', 'pvc', 'shared', '-o', 'jsonpath={.status.phase}')) === 'Bound', 120_000);
  assert.match(await vm.sh(1, 'ls /srv/nfs'), /default-shared/);
  // 4. Written by a pod on VM 2, read by a pod on VM 3.
  await apply(pinnedPod('writer', vm.nodeName(2), 'echo hello-from-vm2 > /data/f'));
  await vm.eventually(async () => (await vm.kubectl('get', 'pod', 'writer', '-o', 'jsonpath={.status.phase}')) === 'Succeeded', 180_000);
  await apply(pinnedPod('reader', vm.nodeName(3), 'cat /data/f'));
  await vm.eventually(async () => (await vm.kubectl('get', 'pod', 'reader', '-o', 'jsonpath={.status.phase}')) === 'Succeeded', 180_000);
  assert.equal((await vm.kubectl('logs', 'reader')).trim(), 'hello-from-vm2');
  // 5. A ReadWriteMany Deployment across both workers, each replica appending to one file.
  await apply(`apiVersion: apps/v1
kind: Deployment
metadata: {name: rwx}
spec:
  replicas: 2
  selector: {matchLabels: {app: rwx}}
  template:
    metadata: {labels: {app: rwx}}
    spec:
      topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: rwx}}}]
      containers:
      - {name: main, image: busybox, command: [sh, -c, 'hostname >> /data/hosts; sleep 3600'], volumeMounts: [{name: data, mountPath: /data}]}
      volumes:
      - {name: data, persistentVolumeClaim: {claimName: shared}}
`);
  await vm.eventually(async () => (await vm.sh(1, 'wc -l < /srv/nfs/default-shared/hosts').catch(() => '0')).trim() === '2', 180_000);
  // 6. Nothing stays mounted on a node after its pods go; deleting the claim archives the directory.
  await vm.kubectl('delete', 'deployment', 'rwx', '--wait=true');
  await vm.kubectl('delete', 'pod', 'writer', 'reader', '--wait=true');
  for (const n of [2, 3] as const) assert.equal((await vm.sh(n, 'grep -c " nfs4\\? " /proc/mounts || true')).trim(), '0');
  await vm.kubectl('delete', 'pvc', 'shared', '--wait=true');
  await vm.eventually(async () => /archived-default-shared/.test(await vm.sh(1, 'ls /srv/nfs')), 120_000);
  // 7. An unreachable server: FailedMount with mount.nfs' own words.
  await vm.sh(1, 'systemctl stop nfs-server');
  await apply(`apiVersion: v1
kind: PersistentVolume
metadata: {name: down}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  mountOptions: [nfsvers=4.1, soft, timeo=20, retrans=1]
  csi: {driver: nfs.csi.k8s.io, volumeHandle: down, volumeAttributes: {server: ${vm.address(1)}, share: /srv/nfs}}
`);
  // ... a claim bound to it and a pod using it: its events show
  //   FailedMount ... rpc error: code = Internal desc = mount failed: exit status 32 ... Output: mount.nfs: ...
  await vm.sh(1, 'systemctl start nfs-server');
}
