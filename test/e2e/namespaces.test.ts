// Namespaces through real kubectl: every namespace gets its default ServiceAccount and the root
// CA ConfigMap; a deleted namespace is Terminating until its content is gone, says what holds it
// up in Kubernetes' conditions, refuses new content, and then disappears.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { eventually, startCluster, type TestCluster } from '../lib/cluster.js';
import { startSimulatedNodes, type SimulatedNodes } from '../lib/agent.js';

let c: TestCluster;
let nodes: SimulatedNodes;
before(async () => {
  c = await startCluster();
  nodes = await startSimulatedNodes(c, 'node', ['--count', '2']);
});
after(async () => {
  await nodes.kill();
  await c.destroy();
});

async function apply(ns: string, yaml: string): Promise<void> {
  const r = await c.kubectl(['apply', '-n', ns, '-f', '-'], { stdin: yaml });
  assert.equal(r.code, 0, r.stderr);
}

test('a new namespace gets the default service account and kube-root-ca.crt', async () => {
  await c.k('create', 'namespace', 'fresh');
  await eventually(async () => /^default\s+0\s+\d+s$/m.test(await c.k('get', 'sa', '-n', 'fresh')));
  await eventually(async () => /^kube-root-ca\.crt\s+1\s+\d+s$/m.test(await c.k('get', 'cm', '-n', 'fresh')));
  const ca = await c.k('get', 'cm', 'kube-root-ca.crt', '-n', 'fresh', '-o', 'jsonpath={.data.ca\\.crt}');
  assert.match(ca, /^-----BEGIN CERTIFICATE-----/);
});

test('deleting a namespace deletes its content, then the namespace', async () => {
  await c.k('create', 'namespace', 'doomed');
  await apply('doomed', `
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  terminationGracePeriodSeconds: 0
  containers: [{name: app, image: nginx}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: b}
---
apiVersion: v1
kind: Secret
metadata: {name: token}
stringData: {t: x}
`);
  await eventually(async () => /web\s+1\/1\s+Running/.test(await c.k('get', 'pods', '-n', 'doomed')));
  const r = await c.kubectl(['delete', 'namespace', 'doomed'], { timeoutMs: 90_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'namespace "doomed" deleted');
  assert.equal((await c.kubectl(['get', 'namespace', 'doomed'])).code, 1);
});

test('custom resources in a deleted namespace are deleted too (found through discovery)', async () => {
  const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`;
  assert.equal((await c.kubectl(['apply', '-f', '-'], { stdin: crd })).code, 0);
  await eventually(async () => (await c.kubectl(['get', 'widgets', '-A'])).code === 0);
  await c.k('create', 'namespace', 'custom');
  await apply('custom', '{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1"},"spec":{"size":3}}');
  assert.match(await c.k('get', 'widgets', '-n', 'custom'), /^w1\s/m);
  const r = await c.kubectl(['delete', 'namespace', 'custom'], { timeoutMs: 90_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await c.kubectl(['get', 'namespace', 'custom'])).code, 1);
  assert.equal((await c.k('get', 'widgets', '-A', '-o', 'name')).trim(), '');
});

test('a namespace held up by a finalizer is Terminating, says why, and refuses new content', async () => {
  await c.k('create', 'namespace', 'held');
  await apply('held', '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"keeper","finalizers":["example.com/hold"]}}');
  const del = await c.kubectl(['delete', 'namespace', 'held', '--wait=false']);
  assert.equal(del.code, 0, del.stderr);
  await eventually(async () => /^held\s+Terminating\s+\d+s$/m.test(await c.k('get', 'namespace', 'held')));
  const conditions = await eventually(async () => {
    const ns = JSON.parse(await c.k('get', 'namespace', 'held', '-o', 'json'));
    const conds = ns.status.conditions ?? [];
    return conds.length === 5 && conds;
  });
  const by = (type: string) => conditions.find((x: { type: string }) => x.type === type);
  assert.deepEqual([by('NamespaceContentRemaining').status, by('NamespaceContentRemaining').reason, by('NamespaceContentRemaining').message],
    ['True', 'SomeResourcesRemain', 'Some resources are remaining: configmaps. has 1 resource instances']);
  assert.equal(by('NamespaceFinalizersRemaining').message, 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances');
  assert.equal(by('NamespaceDeletionDiscoveryFailure').message, 'All resources successfully discovered');
  assert.deepEqual(JSON.parse(await c.k('get', 'namespace', 'held', '-o', 'jsonpath={.spec.finalizers}')), ['kubernetes']);
  const refused = await c.kubectl(['create', 'configmap', 'late', '-n', 'held', '--from-literal=a=b']);
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr.trim(), 'error: failed to create configmap: configmaps "late" is forbidden: unable to create new content in namespace held because it is being terminated');
  await c.k('patch', 'cm', 'keeper', '-n', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}');
  await eventually(async () => (await c.kubectl(['get', 'namespace', 'held'])).code === 1, 30_000);
});

test('a stuck namespace can be finalized by hand through /finalize', async () => {
  await c.k('create', 'namespace', 'stuck');
  await apply('stuck', '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"keeper","finalizers":["example.com/hold"]}}');
  assert.equal((await c.kubectl(['delete', 'namespace', 'stuck', '--wait=false'])).code, 0);
  await eventually(async () => /^stuck\s+Terminating/m.test(await c.k('get', 'namespace', 'stuck')));
  const ns = JSON.parse(await c.k('get', 'namespace', 'stuck', '-o', 'json'));
  ns.spec.finalizers = [];
  const r = await c.kubectl(['replace', '--raw', '/api/v1/namespaces/stuck/finalize', '-f', '-'], { stdin: JSON.stringify(ns) });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).metadata.name, 'stuck');
  await eventually(async () => (await c.kubectl(['get', 'namespace', 'stuck'])).code === 1);
  const get = await c.kubectl(['get', '--raw', '/api/v1/namespaces/default/finalize']);
  assert.equal(get.code, 1);
  assert.match(get.stderr, /MethodNotAllowed|not supported/);
});

test('the system namespaces cannot be deleted', async () => {
  const r = await c.kubectl(['delete', 'namespace', 'kube-system']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim(), 'Error from server (Forbidden): namespaces "kube-system" is forbidden: this namespace may not be deleted');
});

test('a pod for a namespace that does not exist is 404 for the namespace, before any other admission', async () => {
  const r = await c.kubectl(['run', 'p', '-n', 'nope', '--image=nginx']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim(), 'Error from server (NotFound): namespaces "nope" not found');
});

test('a deleted namespace stays Terminating through the grace period, so kubectl wait --for=delete sees it go', async () => {
  await c.k('create', 'namespace', 'graceful');
  assert.equal((await c.kubectl(['delete', 'namespace', 'graceful', '--wait=false'])).code, 0);
  assert.match(await c.k('get', 'namespace', 'graceful'), /graceful\s+Terminating/);
  // kubectl 1.20 refuses to wait for what it cannot find ("no matching resources found").
  const old = '/opt/kubectl-1.20/usr/bin/kubectl';
  const wait = await c.kubectl(['wait', '--for=delete', 'namespace/graceful', '--timeout=60s'], existsSync(old) ? { binary: old, timeoutMs: 70_000 } : { timeoutMs: 70_000 });
  assert.equal(wait.code, 0, wait.stderr);
  assert.equal((await c.kubectl(['get', 'namespace', 'graceful'])).code, 1);
});
