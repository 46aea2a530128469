// kubectl 1.32 sends typed objects as application/vnd.kubernetes.protobuf. Objects created that way
// must be the objects the JSON path creates: each command runs once with kubectl 1.32 (protobuf)
// and once with kubectl 1.31 (JSON) in its own namespace, and the stored objects are compared.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type TestCluster } from '../lib/cluster.js';

const protobufKubectl = '/usr/bin/kubectl';
const jsonKubectl = '/usr/lib/google-cloud-sdk/bin/kubectl.1.31';

let c: TestCluster;
let dir: string;
const binary = Buffer.from([0, 1, 2, 0x7f, 0x80, 0xfe, 0xff, 0x0a, 0x6b, 0x38, 0x73, 0x00]);

before(async () => {
  c = await startCluster();
  dir = mkdtempSync(join(tmpdir(), 'k8ts-pb-'));
  writeFileSync(join(dir, 'blob'), binary);
});
after(async () => {
  await c.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** Namespaced objects made by typed generators, as [resource/name, create args]. */
const generated = (): Array<[string, string[]]> => [
  ['configmap/cfg', ['create', 'configmap', 'cfg', '--from-literal=a=b', '--from-literal=empty=']],
  ['secret/sec', ['create', 'secret', 'generic', 'sec', `--from-file=blob=${join(dir, 'blob')}`, '--from-literal=k=v']],
  ['deployment/web', ['create', 'deployment', 'web', '--image=nginx', '--replicas=0']],
  ['service/svc', ['create', 'service', 'clusterip', 'svc', '--tcp=80:8080', '--tcp=443:https']],
  ['job/once', ['create', 'job', 'once', '--image=busybox', '--', 'echo', 'hi']],
  ['cronjob/tick', ['create', 'cronjob', 'tick', '--image=busybox', '--schedule=*/5 * * * *', '--', 'echo', 'hi']],
  ['resourcequota/quota', ['create', 'quota', 'quota', '--hard=cpu=1,memory=1Gi,pods=10', '--scopes=NotBestEffort']],
  ['serviceaccount/robot', ['create', 'serviceaccount', 'robot']],
  ['role/reader', ['create', 'role', 'reader', '--verb=get,list', '--resource=pods,deployments.apps']],
  ['rolebinding/reader', ['create', 'rolebinding', 'reader', '--role=reader', '--user=alice', '--serviceaccount=default:robot']],
  ['poddisruptionbudget/half', ['create', 'pdb', 'half', '--selector=app=web', '--min-available=50%']],
  ['poddisruptionbudget/none', ['create', 'pdb', 'none', '--selector=app=web', '--max-unavailable=0']],
  ['ingress/web', ['create', 'ingress', 'web', '--rule=foo.example/bar=svc:8080']],
];

/** What two creations of the same object may differ in: identity, clocks, allocations, status. */
function comparable(obj: Record<string, unknown>, namespace: string): unknown {
  const meta = obj.metadata as Record<string, unknown>;
  const text = JSON.stringify(obj).replaceAll(String(meta.uid), 'UID').replaceAll(`"${namespace}"`, '"NS"');
  const o = JSON.parse(text) as { metadata: Record<string, unknown>; spec?: Record<string, unknown>; status?: unknown };
  for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'namespace', 'managedFields']) delete o.metadata[k];
  delete o.status;
  if (o.spec) {
    delete o.spec.clusterIP;
    delete o.spec.clusterIPs;
  }
  return o;
}

async function getJson(ref: string, namespace: string): Promise<Record<string, unknown>> {
  return JSON.parse(await c.k('get', ref, '-n', namespace, '-o', 'json')) as Record<string, unknown>;
}

async function createAll(binary: string, namespace: string): Promise<void> {
  await c.k('create', 'namespace', namespace);
  for (const [ref, args] of generated()) {
    const r = await c.kubectl(['-n', namespace, ...args], { binary });
    assert.equal(r.code, 0, `${binary} ${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout.trim().split(' ').at(-1), 'created', `${ref}: ${r.stdout}`);
  }
}

test('typed create commands sent as protobuf store what kubectl asked for', async () => {
  await createAll(protobufKubectl, 'pb');
  const web = await getJson('deployment/web', 'pb');
  assert.equal((web.spec as { replicas: number }).replicas, 0, 'an explicit --replicas=0 is kept, not defaulted to 1');
  const svc = await getJson('service/svc', 'pb');
  assert.deepEqual((svc.spec as { ports: unknown[] }).ports, [
    { name: '80-8080', port: 80, protocol: 'TCP', targetPort: 8080 },
    { name: '443-https', port: 443, protocol: 'TCP', targetPort: 'https' },
  ]);
  const sec = await getJson('secret/sec', 'pb');
  assert.deepEqual(sec.data, { blob: binary.toString('base64'), k: Buffer.from('v').toString('base64') });
  const cfg = await getJson('configmap/cfg', 'pb');
  assert.deepEqual(cfg.data, { a: 'b', empty: '' });
  assert.deepEqual((await getJson('pdb/half', 'pb')).spec, { minAvailable: '50%', selector: { matchLabels: { app: 'web' } } });
  assert.deepEqual((await getJson('pdb/none', 'pb')).spec, { maxUnavailable: 0, selector: { matchLabels: { app: 'web' } } });
  assert.deepEqual(((await getJson('quota/quota', 'pb')).spec as { hard: unknown }).hard, { cpu: '1', memory: '1Gi', pods: '10' });
  const cron = await getJson('cronjob/tick', 'pb');
  assert.equal((cron.spec as { schedule: string }).schedule, '*/5 * * * *');
});

test('objects created through protobuf equal the ones created through JSON', { skip: !existsSync(jsonKubectl) && `${jsonKubectl} is not installed` }, async () => {
  if ((await c.kubectl(['get', 'ns', 'pb'])).code !== 0) await createAll(protobufKubectl, 'pb');
  await createAll(jsonKubectl, 'js');
  for (const [ref] of generated()) {
    assert.deepEqual(comparable(await getJson(ref, 'pb'), 'pb'), comparable(await getJson(ref, 'js'), 'js'), ref);
  }
});

test('cluster-scoped typed creates: namespace, priority class, cluster role and binding', async () => {
  await c.k('create', 'namespace', 'made-by-protobuf');
  await c.k('create', 'priorityclass', 'zero', '--value=0', '--description=nothing');
  await c.k('create', 'clusterrole', 'node-reader', '--verb=get', '--resource=nodes');
  await c.k('create', 'clusterrolebinding', 'node-reader', '--clusterrole=node-reader', '--user=bob');
  const pc = JSON.parse(await c.k('get', 'priorityclass', 'zero', '-o', 'json')) as Record<string, unknown>;
  assert.equal(pc.value, 0);
  assert.equal(pc.description, 'nothing');
  const crb = JSON.parse(await c.k('get', 'clusterrolebinding', 'node-reader', '-o', 'json')) as { subjects: unknown[]; roleRef: unknown };
  assert.deepEqual(crb.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'bob' }]);
  assert.deepEqual(crb.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'node-reader' });
  assert.match(await c.k('get', 'ns', 'made-by-protobuf', '-o', 'name'), /namespace\/made-by-protobuf/);
});

test('auth can-i and whoami post their reviews as protobuf', async () => {
  assert.equal((await c.k('auth', 'can-i', 'get', 'pods')).trim(), 'yes');
  assert.equal((await c.k('auth', 'can-i', 'create', 'deployments.apps', '--subresource=scale', '-n', 'pb')).trim(), 'yes');
  assert.match(await c.k('auth', 'whoami'), /system:masters/);
});

test('drain deletes pods with a protobuf DeleteOptions body', async () => {
  await c.kubectl(['create', '-f', '-', '--validate=false'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker' } }) });
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'victim', namespace: 'default' }, spec: { nodeName: 'worker', containers: [{ name: 'c', image: 'busybox' }] } };
  await c.kubectl(['create', '-f', '-', '--validate=false'], { stdin: JSON.stringify(pod) });
  // --disable-eviction: drain deletes (a DeleteOptions body) instead of posting an Eviction.
  const r = await c.kubectl(['drain', 'worker', '--force', '--grace-period=0', '--disable-eviction', '--timeout=20s']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /pod\/victim deleted/);
  assert.equal((await c.kubectl(['get', 'pod', 'victim'])).code, 1);
});

test('drain evicts pods with a protobuf Eviction body', async () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'evictee', namespace: 'default' }, spec: { nodeName: 'worker', containers: [{ name: 'c', image: 'busybox' }] } };
  await c.kubectl(['uncordon', 'worker']);
  await c.kubectl(['create', '-f', '-', '--validate=false'], { stdin: JSON.stringify(pod) });
  const r = await c.kubectl(['drain', 'worker', '--force', '--grace-period=0', '--timeout=20s']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /pod\/evictee evicted/);
  assert.equal((await c.kubectl(['get', 'pod', 'evictee'])).code, 1);
});

test('a body that is not protobuf is refused as Kubernetes refuses it', async () => {
  const r = await c.http('POST', '/api/v1/namespaces/default/configmaps', '{"kind":"ConfigMap"}', { 'Content-Type': 'application/vnd.kubernetes.protobuf' });
  assert.equal(r.status, 400);
  const status = r.json<{ reason: string; message: string }>();
  assert.equal(status.reason, 'BadRequest');
  assert.equal(status.message, 'the object provided is unrecognized (must be of type ConfigMap): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0] ({"kind":"ConfigMap"})');
});
