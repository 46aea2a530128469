// DaemonSets and StatefulSets end to end with real kubectl and two simulated nodes: one daemon
// pod per eligible node (taints, tolerations, node selectors), rolling updates of both, stable
// StatefulSet names and storage, ordered start (and parallel start when asked), and scale-down
// from the highest ordinal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../lib/cluster.js';
import { useCluster, withManifest } from '../lib/fixture.js';

const { cluster: c } = useCluster({ nodes: [{ name: 'node-a' }, { name: 'node-b' }] });
const apply = (yaml: string): Promise<string> => withManifest(c, 'apply', yaml);

/** pod name -> node, for pods with a label. */
async function podNodes(selector: string): Promise<Record<string, string>> {
  const out = await c.k('get', 'pods', '-l', selector, '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.nodeName}={.metadata.deletionTimestamp}{"\\n"}{end}');
  return Object.fromEntries(out.trim().split('\n').filter(Boolean).map((l) => l.split('=')).filter((f) => !f[2]).map(([n, node]) => [n, node]));
}

const daemonSet = (name: string, extra = '') => `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ${name}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
${extra}
      containers: [{name: agent, image: "busybox:1"}]
`;

test('a DaemonSet runs one pod on each node, pinned there by node affinity, with the daemon tolerations', async () => {
  await apply(daemonSet('logs'));
  const r = await c.kubectl(['rollout', 'status', 'daemonset/logs', '--timeout=60s'], { timeoutMs: 70_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /daemon set "logs" successfully rolled out/);
  assert.deepEqual(Object.values(await podNodes('app=logs')).sort(), ['node-a', 'node-b']);
  const line = (await c.k('get', 'ds', 'logs', '--no-headers')).trim().split(/\s+/);
  assert.deepEqual(line.slice(0, 7), ['logs', '2', '2', '2', '2', '2', '<none>']);
  const pod = JSON.parse(await c.k('get', 'pods', '-l', 'app=logs', '-o', 'json')).items[0];
  assert.deepEqual(pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms,
    [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [pod.spec.nodeName] }] }]);
  const tolerations = pod.spec.tolerations.map((t: { key: string; effect: string }) => `${t.key}:${t.effect}`);
  for (const t of ['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unschedulable:NoSchedule', 'node.kubernetes.io/disk-pressure:NoSchedule']) {
    assert.ok(tolerations.includes(t), t);
  }
  assert.equal(pod.metadata.ownerReferences[0].kind, 'DaemonSet');
  assert.ok(pod.metadata.labels['controller-revision-hash']);
});

test('taints keep daemon pods off a node unless tolerated; NoExecute removes them', async () => {
  await c.k('taint', 'node', 'node-b', 'dedicated=db:NoSchedule');
  try {
    await apply(daemonSet('picky'));
    await apply(daemonSet('tolerant', '      tolerations: [{key: dedicated, operator: Exists}]'));
    await eventually(async () => Object.keys(await podNodes('app=picky')).length === 1 && Object.keys(await podNodes('app=tolerant')).length === 2);
    assert.deepEqual(Object.values(await podNodes('app=picky')), ['node-a']);
    assert.equal((await c.k('get', 'ds', 'picky', '-o', 'jsonpath={.status.desiredNumberScheduled}')), '1');
    // A NoSchedule taint does not evict: logs (no toleration) stays on node-b.
    assert.deepEqual(Object.values(await podNodes('app=logs')).sort(), ['node-a', 'node-b']);
    await c.k('taint', 'node', 'node-a', 'evict=now:NoExecute');
    await eventually(async () => Object.keys(await podNodes('app=picky')).length === 0, 30_000);
    assert.equal((await c.k('get', 'ds', 'picky', '-o', 'jsonpath={.status.desiredNumberScheduled}')), '0');
    await c.k('taint', 'node', 'node-a', 'evict=now:NoExecute-');
  } finally {
    await c.k('taint', 'node', 'node-b', 'dedicated=db:NoSchedule-');
  }
  await eventually(async () => Object.values(await podNodes('app=picky')).sort().join() === 'node-a,node-b', 30_000);
});

test('node selectors choose the nodes; a rolling update replaces daemon pods node by node', async () => {
  await c.k('label', 'node', 'node-a', 'disk=ssd');
  await apply(daemonSet('ssd', '      nodeSelector: {disk: ssd}'));
  await eventually(async () => Object.values(await podNodes('app=ssd')).join() === 'node-a');
  assert.match((await c.k('get', 'ds', 'ssd', '--no-headers')), /disk=ssd/);
  const before = Object.keys(await podNodes('app=logs'));
  await c.k('set', 'image', 'daemonset/logs', 'agent=busybox:2');
  const r = await c.kubectl(['rollout', 'status', 'daemonset/logs', '--timeout=60s'], { timeoutMs: 70_000 });
  assert.equal(r.code, 0, r.stderr);
  const now = await podNodes('app=logs');
  assert.equal(Object.keys(now).length, 2);
  assert.ok(Object.keys(now).every((n) => !before.includes(n)));
  const history = (await c.k('rollout', 'history', 'daemonset/logs')).trim().split('\n').slice(2).map((l) => l.trim().split(/\s+/)[0]);
  assert.deepEqual(history, ['1', '2']);
  assert.equal((await c.k('get', 'controllerrevisions', '-l', 'app=logs', '--no-headers')).trim().split('\n').length, 2);
});

const statefulSet = (name: string, replicas: number, extra = '') => `
apiVersion: v1
kind: Service
metadata: {name: ${name}}
spec: {clusterIP: None, selector: {app: ${name}}, ports: [{port: 5432}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ${name}}
spec:
  serviceName: ${name}
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
${extra}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      nodeSelector: {role: db}
      containers: [{name: db, image: "postgres:16"}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`;

test('StatefulSet: stable names, hostname and subdomain, claims, and ordered start', async () => {
  // No node has role=db yet: db-0 stays Pending, and db-1 must not be created before it runs.
  await apply(statefulSet('db', 3));
  await eventually(async () => Object.keys(await podNodes('app=db')).includes('db-0'));
  await new Promise((r) => setTimeout(r, 2000));
  assert.deepEqual(Object.keys(await podNodes('app=db')), ['db-0']);
  await c.k('label', 'node', 'node-a', 'role=db');
  const r = await c.kubectl(['rollout', 'status', 'statefulset/db', '--timeout=60s'], { timeoutMs: 70_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(Object.keys(await podNodes('app=db')).sort(), ['db-0', 'db-1', 'db-2']);
  const created = (await c.k('get', 'events', '--field-selector', 'involvedObject.name=db,reason=SuccessfulCreate', '--sort-by=.metadata.creationTimestamp',
    '-o', 'jsonpath={range .items[*]}{.message}{"\\n"}{end}')).trim().split('\n').filter((m) => m.startsWith('create Pod'));
  assert.deepEqual(created, ['create Pod db-0 in StatefulSet db successful', 'create Pod db-1 in StatefulSet db successful', 'create Pod db-2 in StatefulSet db successful']);
  const pod = JSON.parse(await c.k('get', 'pod', 'db-1', '-o', 'json'));
  assert.equal(pod.spec.hostname, 'db-1');
  assert.equal(pod.spec.subdomain, 'db');
  assert.equal(pod.metadata.labels['statefulset.kubernetes.io/pod-name'], 'db-1');
  assert.equal(pod.metadata.labels['apps.kubernetes.io/pod-index'], '1');
  assert.match(pod.metadata.labels['controller-revision-hash'], /^db-\w+$/);
  assert.deepEqual(pod.spec.volumes.find((v: { name: string }) => v.name === 'data'), { name: 'data', persistentVolumeClaim: { claimName: 'data-db-1' } });
  assert.deepEqual((await c.k('get', 'pvc', '-o', 'jsonpath={.items[*].metadata.name}')).split(' ').sort(), ['data-db-0', 'data-db-1', 'data-db-2']);
  assert.match(await c.k('get', 'sts', 'db', '--no-headers'), /^db\s+3\/3\s/);
});

test('StatefulSet: rolling update from the highest ordinal, partition respected; scale-down keeps claims', async () => {
  await c.k('patch', 'sts', 'db', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":1}}}}');
  await c.k('set', 'image', 'statefulset/db', 'db=postgres:17');
  const r = await c.kubectl(['rollout', 'status', 'statefulset/db', '--timeout=60s'], { timeoutMs: 70_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /partitioned roll out complete: 2 new pods have been updated/);
  const images = await c.k('get', 'pods', '-l', 'app=db', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.containers[0].image}{"\\n"}{end}');
  assert.deepEqual(images.trim().split('\n').sort(), ['db-0=postgres:16', 'db-1=postgres:17', 'db-2=postgres:17']);
  const status = JSON.parse(await c.k('get', 'sts', 'db', '-o', 'jsonpath={.status}'));
  assert.notEqual(status.currentRevision, status.updateRevision);
  assert.equal(status.updatedReplicas, 2);
  await c.k('scale', 'sts', 'db', '--replicas=1');
  await eventually(async () => Object.keys(await podNodes('app=db')).join() === 'db-0', 30_000);
  assert.equal((await c.k('get', 'pvc', '--no-headers')).trim().split('\n').length, 3, 'claims are kept (whenScaled: Retain)');
});

test('StatefulSet with podManagementPolicy Parallel starts every pod at once', async () => {
  await apply(statefulSet('cache', 3, '  podManagementPolicy: Parallel').replace('role: db', 'role: cache'));
  await eventually(async () => Object.keys(await podNodes('app=cache')).length === 3);
  assert.equal((await c.k('get', 'pods', '-l', 'app=cache', '-o', 'jsonpath={.items[*].status.phase}')), 'Pending Pending Pending');
});
