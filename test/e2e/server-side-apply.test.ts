// Server-side apply, managedFields on every write, and server dry-run, through kubectl.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type TestCluster } from '../lib/cluster.js';

const deployment = (name: string, replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: c
        image: nginx
`;

let c: TestCluster;
before(async () => {
  c = await startCluster();
});
after(async () => {
  await c.destroy();
});

interface Entry { manager: string; operation: string; subresource?: string; fieldsV1: Record<string, any> }
/** The managers of a Deployment that are kubectl (the deployment controller has its own entries). */
const managed = async (name: string): Promise<Entry[]> =>
  (JSON.parse(await c.k('get', 'deploy', name, '-o', 'json', '--show-managed-fields')).metadata.managedFields as Entry[])
    .filter((e) => e.manager.startsWith('kubectl'));

test('apply --server-side creates and records the applier', async () => {
  const r = await c.kubectl(['apply', '--server-side', '-f', '-'], { stdin: deployment('ssa', 1) });
  assert.equal(r.stdout.trim(), 'deployment.apps/ssa serverside-applied', r.stderr);
  const m = await managed('ssa');
  assert.deepEqual(m.map((e) => [e.manager, e.operation]), [['kubectl', 'Apply']]);
  assert.deepEqual(Object.keys(m[0].fieldsV1['f:spec']).sort(), ['f:replicas', 'f:selector', 'f:template']);
  assert.ok(m[0].fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"c"}']);
  const again = await c.kubectl(['apply', '--server-side', '-f', '-'], { stdin: deployment('ssa', 1) });
  assert.equal(again.stdout.trim(), 'deployment.apps/ssa serverside-applied');
});

test('a field another manager changed is a conflict until forced', async () => {
  await c.k('scale', 'deploy', 'ssa', '--replicas=3');
  const conflict = await c.kubectl(['apply', '--server-side', '-f', '-'], { stdin: deployment('ssa', 2) });
  assert.equal(conflict.code, 1);
  assert.match(conflict.stderr, /^error: Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps\/v1: \.spec\.replicas\n/);
  assert.match(conflict.stderr, /--force-conflicts/);
  const raw = await c.http('PATCH', '/apis/apps/v1/namespaces/default/deployments/ssa?fieldManager=kubectl', deployment('ssa', 2), { 'Content-Type': 'application/apply-patch+yaml' });
  assert.equal(raw.status, 409);
  assert.deepEqual(raw.json<{ details: unknown }>().details, { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl" with subresource "scale" using apps/v1', field: '.spec.replicas' }] });
  const forced = await c.kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], { stdin: deployment('ssa', 2) });
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal((await c.k('get', 'deploy', 'ssa', '-o', 'jsonpath={.spec.replicas}')).trim(), '2');
  assert.deepEqual((await managed('ssa')).map((e) => e.manager), ['kubectl']);
});

test('apply without a field manager is refused', async () => {
  const r = await c.http('PATCH', '/apis/apps/v1/namespaces/default/deployments/ssa', deployment('ssa', 2), { 'Content-Type': 'application/apply-patch+yaml' });
  assert.equal(r.status, 422);
  assert.equal(r.json().message, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
});

test('creates, updates and patches record Update managers', async () => {
  await c.kubectl(['create', '-f', '-'], { stdin: deployment('upd', 1) });
  await c.k('label', 'deploy', 'upd', 'x=y');
  const m = await managed('upd');
  assert.deepEqual(m.map((e) => [e.manager, e.operation]), [['kubectl-create', 'Update'], ['kubectl-label', 'Update']]);
  assert.deepEqual(m[1].fieldsV1, { 'f:metadata': { 'f:labels': { '.': {}, 'f:x': {} } } });
  const yaml = await c.k('get', 'deploy', 'upd', '-o', 'yaml');
  assert.doesNotMatch(yaml, /managedFields/);
});

test('server dry-run persists nothing and consumes no resourceVersion', async () => {
  const rv = async () => (await c.k('get', 'deploy', 'ssa', '-o', 'jsonpath={.metadata.resourceVersion}')).trim();
  const before = await rv();
  const created = await c.kubectl(['create', '--dry-run=server', '-f', '-'], { stdin: deployment('dry', 1) });
  assert.equal(created.stdout.trim(), 'deployment.apps/dry created (server dry run)', created.stderr);
  assert.equal((await c.kubectl(['get', 'deploy', 'dry'])).code, 1);
  const applied = await c.kubectl(['apply', '--server-side', '--dry-run=server', '-f', '-'], { stdin: deployment('ssa', 7) });
  assert.equal(applied.stdout.trim(), 'deployment.apps/ssa serverside-applied (server dry run)', applied.stderr);
  assert.equal((await c.kubectl(['delete', 'deploy', 'ssa', '--dry-run=server'])).stdout.trim(), 'deployment.apps "ssa" deleted (server dry run)');
  assert.equal((await c.k('get', 'deploy', 'ssa', '-o', 'jsonpath={.spec.replicas}')).trim(), '2');
  assert.equal(await rv(), before);
  const dry = await c.http('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', { metadata: { name: 'dry' } });
  assert.equal(dry.status, 201);
  assert.equal(dry.json<{ metadata: { resourceVersion?: string } }>().metadata.resourceVersion, undefined);
});

test('kubectl diff shows what an apply would change, and nothing when in sync', async () => {
  await c.kubectl(['apply', '-f', '-'], { stdin: deployment('diffme', 1) });
  const same = await c.kubectl(['diff', '-f', '-'], { stdin: deployment('diffme', 1) });
  assert.equal(same.code, 0, same.stderr);
  assert.equal(same.stdout, '');
  const changed = await c.kubectl(['diff', '-f', '-'], { stdin: deployment('diffme', 4) });
  assert.equal(changed.code, 1, changed.stderr);
  assert.match(changed.stdout, /^-  replicas: 1\n\+  replicas: 4$/m);
  const ssaDiff = await c.kubectl(['diff', '--server-side', '--force-conflicts', '-f', '-'], { stdin: deployment('diffme', 5) });
  assert.equal(ssaDiff.code, 1, ssaDiff.stderr);
  assert.match(ssaDiff.stdout, /^\+  replicas: 5$/m);
  assert.equal((await c.k('get', 'deploy', 'diffme', '-o', 'jsonpath={.spec.replicas}')).trim(), '1');
});

test('kubectl apply --server-side takes over from client-side apply without a conflict', async () => {
  const cm = (label: string, data: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: csa-to-ssa
  labels: {stage: ${label}}
data: {key: ${data}}
`;
  const csa = await c.kubectl(['apply', '-f', '-'], { stdin: cm('one', 'a') });
  assert.equal(csa.stdout.trim(), 'configmap/csa-to-ssa created', csa.stderr);
  // kubectl diff --server-side shows the change instead of a 409.
  const diff = await c.kubectl(['diff', '--server-side', '-f', '-'], { stdin: cm('two', 'b') });
  assert.equal(diff.code, 1, diff.stderr);
  assert.match(diff.stdout, /-\s+stage: one\n\+\s+stage: two/);
  const ssa = await c.kubectl(['apply', '--server-side', '-f', '-'], { stdin: cm('two', 'b') });
  assert.equal(ssa.stderr, '');
  assert.equal(ssa.stdout.trim(), 'configmap/csa-to-ssa serverside-applied');
  const obj = JSON.parse(await c.k('get', 'cm', 'csa-to-ssa', '-o', 'json')) as { data: { key: string }; metadata: { labels: Record<string, string>; annotations: Record<string, string> } };
  assert.deepEqual([obj.metadata.labels.stage, obj.data.key], ['two', 'b']);
  // The annotation follows the server-side apply, as Kubernetes rewrites it.
  const last = JSON.parse(obj.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']!) as { data: { key: string } };
  assert.equal(last.data.key, 'b');
  // A field someone else changed since the client-side apply is still a conflict.
  await c.k('label', 'cm', 'csa-to-ssa', 'stage=three', '--overwrite');
  const conflict = await c.kubectl(['apply', '--server-side', '-f', '-'], { stdin: cm('four', 'b') });
  assert.equal(conflict.code, 1);
  assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl-label".*: \.metadata\.labels\.stage/);
});
