// local-path storage on real containerd: `k8ts server` with its embedded agent, so the
// provisioner's `<data-dir>/storage` is this node's. A claim of the default class binds only
// once its pod is scheduled, the pod's writes land in the volume's directory on the host and
// outlive the pod, Delete removes the directory (through the helper pod on the node) and the
// volume, Retain keeps both, and a StatefulSet's volumeClaimTemplates give each replica its own
// data across pod restarts and keep the claims on scale-down.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../lib/cluster.js';
import { missingPrerequisites, setupAgentEnv, waitForPod, type AgentEnv } from './agent-harness.js';

const missing = missingPrerequisites();

describe('local-path volumes on the embedded agent', { skip: missing.length ? `needs ${missing.join(', ')}` : false }, () => {
  let env: AgentEnv;
  const storageDir = () => join(env.tmp, 'data', 'storage');
  const claimVolume = async (claim: string) => (await env.k('get', 'pvc', claim, '-o', 'jsonpath={.spec.volumeName}')).trim();
  const volumeDir = async (claim: string) => (await env.k('get', 'pv', await claimVolume(claim), '-o', 'jsonpath={.spec.hostPath.path}')).trim();
  const phase = async (kind: string, name: string) => env.k('get', kind, name, '-o', 'jsonpath={.status.phase}');
  const claim = (name: string, cls = '') => `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}}
spec:
  accessModes: [ReadWriteOnce]
  ${cls ? `storageClassName: ${cls}` : ''}
  resources: {requests: {storage: 16Mi}}
`;
  const pod = (name: string, claimName: string, script: string) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: ${env.image}
    command: [sh, -c, '${script}']
    volumeMounts: [{name: data, mountPath: /data}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: ${claimName}}}]
`;

  before(async () => {
    env = await setupAgentEnv({ embedded: true });
    // The helper pod that removes directories runs busybox from the loopback registry here.
    const cm = JSON.parse(await env.k('-n', 'kube-system', 'get', 'configmap', 'local-path-config', '-o', 'json')) as { data: Record<string, string> };
    const helper = cm.data['helperPod.yaml'].replace(/image: .*/, `image: ${env.image}`);
    await env.k('-n', 'kube-system', 'patch', 'configmap', 'local-path-config', '--type', 'merge', '-p', JSON.stringify({ data: { 'helperPod.yaml': helper } }));
  });

  after(async () => {
    if (env) await env.teardown();
  });

  it('binds a default-class claim only once its pod is scheduled, and the data outlives the pod', async () => {
    await env.apply(claim('notes'));
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await phase('pvc', 'notes'), 'Pending');
    assert.equal(await claimVolume('notes'), '');
    await env.apply(pod('writer', 'notes', 'echo kept > /data/note; ls -ld /data'));
    await waitForPod(env, 'writer', (p) => p.status.phase === 'Succeeded', 90_000);
    assert.equal(await phase('pvc', 'notes'), 'Bound');
    assert.equal((await env.k('get', 'pvc', 'notes', '-o', 'jsonpath={.metadata.annotations.volume\\.kubernetes\\.io/selected-node}')).trim(), env.nodeName);
    const dir = await volumeDir('notes');
    assert.ok(dir.startsWith(storageDir() + '/'), `${dir} under ${storageDir()}`);
    assert.equal(readFileSync(join(dir, 'note'), 'utf8'), 'kept\n');
    await env.k('delete', 'pod', 'writer');
    await env.apply(pod('reader', 'notes', 'cat /data/note'));
    await waitForPod(env, 'reader', (p) => p.status.phase === 'Succeeded', 60_000);
    assert.equal(await env.k('logs', 'reader'), 'kept\n');
    await env.k('delete', 'pod', 'reader');
  });

  it('Delete removes the directory on the node and the volume; Retain keeps both', async () => {
    const dir = await volumeDir('notes');
    const pv = await claimVolume('notes');
    await env.k('delete', 'pvc', 'notes');
    await eventually(async () => (await env.c.kubectl(['get', 'pv', pv])).code === 1, 90_000, 250);
    assert.equal(existsSync(dir), false, `${dir} removed`);

    await env.apply(`
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: local-path-retain}
provisioner: rancher.io/local-path
reclaimPolicy: Retain
volumeBindingMode: WaitForFirstConsumer
`);
    await env.apply(claim('kept', 'local-path-retain'));
    await env.apply(pod('keeper', 'kept', 'echo retained > /data/note'));
    await waitForPod(env, 'keeper', (p) => p.status.phase === 'Succeeded', 90_000);
    const keptDir = await volumeDir('kept');
    const keptPv = await claimVolume('kept');
    await env.k('delete', 'pod', 'keeper');
    await env.k('delete', 'pvc', 'kept');
    await eventually(async () => (await phase('pv', keptPv)) === 'Released', 30_000);
    assert.match(await env.k('get', 'pv', keptPv), new RegExp(`${keptPv}\\s+16Mi\\s+RWO\\s+Retain\\s+Released\\s+default/kept\\s+local-path-retain`));
    assert.equal(readFileSync(join(keptDir, 'note'), 'utf8'), 'retained\n');
    await env.k('delete', 'pv', keptPv);
  });

  it('a StatefulSet keeps each replica\'s data across pod restarts, and its claims on scale-down', async () => {
    await env.apply(`
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 2
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: c
        image: ${env.image}
        command: [sh, -c, '[ -f /data/id ] || echo "$(hostname) $RANDOM" > /data/id; cat /data/id; exec sleep 3600']
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 8Mi}}}
`);
    await eventually(async () => (await env.k('get', 'statefulset', 'db', '-o', 'jsonpath={.status.readyReplicas}')) === '2', 120_000, 250);
    const first = [await env.k('logs', 'db-0'), await env.k('logs', 'db-1')];
    assert.match(first[0], /^db-0 \d+\n$/);
    assert.match(first[1], /^db-1 \d+\n$/);
    await env.k('delete', 'pod', 'db-0', 'db-1');
    await eventually(async () => {
      const uids = await env.k('get', 'pods', '-l', 'app=db', '-o', 'jsonpath={.items[*].status.phase}');
      return uids === 'Running Running' && (await env.k('get', 'statefulset', 'db', '-o', 'jsonpath={.status.readyReplicas}')) === '2';
    }, 120_000, 250);
    assert.deepEqual([await env.k('logs', 'db-0'), await env.k('logs', 'db-1')], first);
    await env.k('scale', 'statefulset', 'db', '--replicas=1');
    await eventually(async () => (await env.c.kubectl(['get', 'pod', 'db-1'])).code === 1, 60_000, 250);
    assert.match(await env.k('get', 'pvc', 'data-db-1'), /data-db-1\s+Bound\s+pvc-/);
    await env.k('delete', 'statefulset', 'db');
    await eventually(async () => (await env.c.kubectl(['get', 'pod', 'db-0'])).code === 1, 60_000, 250);
    await env.k('delete', 'pvc', 'data-db-0', 'data-db-1');
  });
});
