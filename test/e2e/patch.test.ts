// Client-side apply round trips, every patch flavour through kubectl, and fieldValidation,
// as kubectl 1.32 shows them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type TestCluster } from '../lib/cluster.js';

const deployment = (containers: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web${extra}
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
${containers}`;
const one = '      - name: c\n        image: nginx\n';
const two = '      - name: c\n        image: nginx:2\n        env: [{name: A, value: "1"}]\n      - name: side\n        image: busybox\n';

let c: TestCluster;
before(async () => {
  c = await startCluster();
});
after(async () => {
  await c.destroy();
});

const get = async (path: string) => (await c.k('get', 'deploy', 'web', '-o', `jsonpath=${path}`)).trim();
const apply = (yaml: string) => c.kubectl(['apply', '-f', '-'], { stdin: yaml });

test('kubectl apply: created, unchanged, configured, and pruning of removed fields', async () => {
  assert.equal((await apply(deployment(one))).stdout.trim(), 'deployment.apps/web created');
  assert.equal((await apply(deployment(one))).stdout.trim(), 'deployment.apps/web unchanged');
  assert.equal((await apply(deployment(two))).stdout.trim(), 'deployment.apps/web configured');
  assert.equal(await get('{.spec.template.spec.containers[*].name}'), 'c side');
  assert.equal(await get('{.spec.template.spec.containers[0].env[0].value}'), '1');
  assert.equal((await apply(deployment(two))).stdout.trim(), 'deployment.apps/web unchanged');
  // Fields removed from the file go away; fields others set (replicas by scale) stay unless the file owned them.
  await c.k('scale', 'deploy', 'web', '--replicas=3');
  assert.equal((await apply(deployment(one))).stdout.trim(), 'deployment.apps/web configured');
  assert.equal(await get('{.spec.template.spec.containers[*].name} {.spec.template.spec.containers[*].image} {.spec.template.spec.containers[*].env}'), 'c nginx');
  assert.equal(await get('{.spec.replicas}'), '1');
  const last = JSON.parse(await get('{.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}'));
  assert.equal(last.spec.template.spec.containers.length, 1);
});

test('kubectl label, annotate and set image', async () => {
  assert.equal((await c.k('label', 'deploy', 'web', 'tier=front')).trim(), 'deployment.apps/web labeled');
  assert.equal((await c.k('annotate', 'deploy', 'web', 'note=hi')).trim(), 'deployment.apps/web annotated');
  assert.equal((await c.k('set', 'image', 'deploy/web', 'c=nginx:3')).trim(), 'deployment.apps/web image updated');
  assert.equal(await get('{.metadata.labels.tier} {.metadata.annotations.note} {.spec.template.spec.containers[0].image}'), 'front hi nginx:3');
  assert.equal((await c.k('label', 'deploy', 'web', 'tier-')).trim(), 'deployment.apps/web unlabeled');
});

test('kubectl patch: strategic (merge by name), merge, and JSON patch with test', async () => {
  const smp = await c.kubectl(['patch', 'deploy', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"c","env":[{"name":"X","value":"y"}]}]}}}}']);
  assert.equal(smp.stdout.trim(), 'deployment.apps/web patched', smp.stderr);
  assert.equal(await get('{.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].env[0].name}'), 'nginx:3 X');
  const merge = await c.kubectl(['patch', 'deploy', 'web', '--type=merge', '-p', '{"metadata":{"labels":{"m":"1"}}}']);
  assert.equal(merge.stdout.trim(), 'deployment.apps/web patched', merge.stderr);
  const noop = await c.kubectl(['patch', 'deploy', 'web', '--type=merge', '-p', '{"metadata":{"labels":{"m":"1"}}}']);
  assert.equal(noop.stdout.trim(), 'deployment.apps/web patched (no change)');
  const json = await c.kubectl(['patch', 'deploy', 'web', '--type=json', '-p', '[{"op":"test","path":"/spec/replicas","value":1},{"op":"replace","path":"/spec/replicas","value":2}]']);
  assert.equal(json.stdout.trim(), 'deployment.apps/web patched', json.stderr);
  assert.equal(await get('{.spec.replicas}'), '2');
  const failed = await c.kubectl(['patch', 'deploy', 'web', '--type=json', '-p', '[{"op":"test","path":"/spec/replicas","value":7}]']);
  assert.equal(failed.code, 1);
  assert.equal(failed.stderr.trim(), 'The request is invalid: : testing value /spec/replicas failed: test failed');
  const missingKey = await c.kubectl(['patch', 'deploy', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}']);
  assert.equal(missingKey.code, 1);
  assert.match(missingKey.stderr, /does not contain declared merge key: name/);
});

test('patch of the status and scale subresources', async () => {
  // A Service: no controller rewrites its status behind the test's back.
  await c.kubectl(['create', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'lb' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } }) });
  const st = await c.kubectl(['patch', 'svc', 'lb', '--subresource=status', '--type=merge', '-p', '{"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.1"}]}},"spec":{"ports":[{"port":81}]}}']);
  assert.equal(st.code, 0, st.stderr);
  assert.equal((await c.k('get', 'svc', 'lb', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip} {.spec.ports[0].port}')).trim(), '192.0.2.1 80');
  // Metadata written through /status is kept, as Kubernetes' status strategies reset only spec.
  await c.k('patch', 'svc', 'lb', '--subresource=status', '--type=merge', '-p', '{"metadata":{"annotations":{"a":"b"},"labels":{"l":"v"}}}');
  assert.equal(await c.k('get', 'svc', 'lb', '-o', 'jsonpath={.metadata.annotations.a} {.metadata.labels.l}'), 'b v');
  await c.kubectl(['create', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'in' }, spec: { defaultBackend: { service: { name: 'lb', port: { number: 80 } } } } }) });
  await c.k('patch', 'ingress', 'in', '--subresource=status', '--type=merge', '-p', '{"metadata":{"annotations":{"a":"b"}}}');
  assert.equal(await c.k('get', 'ingress', 'in', '-o', 'jsonpath={.metadata.annotations.a}'), 'b');
  // A Deployment's status strategy keeps its labels (annotations go through).
  await c.k('patch', 'deploy', 'web', '--subresource=status', '--type=merge', '-p', '{"metadata":{"labels":{"sneaky":"y"},"annotations":{"noted":"y"}}}');
  assert.equal(await get('{.metadata.labels.sneaky}/{.metadata.annotations.noted}'), '/y');
  const sc = await c.kubectl(['patch', 'deploy', 'web', '--subresource=scale', '--type=merge', '-p', '{"spec":{"replicas":5}}']);
  assert.equal(sc.code, 0, sc.stderr);
  assert.equal(await get('{.spec.replicas}'), '5');
});

test('fieldValidation: Strict refuses unknown fields, Warn warns and drops them', async () => {
  const bad = deployment(one, '\n  foo: bar').replace('  name: web\n  foo: bar', '  name: web2\n  foo: bar');
  const strict = await c.kubectl(['create', '-f', '-'], { stdin: bad });
  assert.equal(strict.code, 1);
  assert.equal(strict.stderr.trim(), 'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "metadata.foo"');
  const warn = await c.kubectl(['create', '-f', '-', '--validate=warn'], { stdin: bad });
  assert.equal(warn.code, 0, warn.stderr);
  assert.equal(warn.stderr.trim(), 'Warning: unknown field "metadata.foo"');
  const patch = await c.kubectl(['patch', 'deploy', 'web', '--type=merge', '-p', '{"spec":{"foo":1}}']);
  assert.equal(patch.stderr.trim(), 'Warning: unknown field "spec.foo"');
  const raw = await c.http('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', '{"metadata":{"name":"d"},"data":{"a":"1","a":"2"},"x":1}');
  assert.equal(raw.status, 400);
  assert.equal(raw.json().message, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "x", duplicate field "data.a"');
  const strictPatch = await c.http('PATCH', '/apis/apps/v1/namespaces/default/deployments/web?fieldValidation=Strict', { spec: { foo: 1 } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
  assert.equal(strictPatch.status, 422);
  assert.equal(strictPatch.json().message, ' "" is invalid: patch: Invalid value: "map[spec:map[foo:1]]": strict decoding error: unknown field "spec.foo"');
});

test('a patch whose result does not decode into the kind is refused and changes nothing', async () => {
  await c.k('create', 'configmap', 'typed', '--from-literal=a=1');
  const smp = await c.kubectl(['patch', 'cm', 'typed', '-p', '{"metadata":{"labels":"invalid"}}']);
  assert.equal(smp.code, 1);
  assert.equal(smp.stderr.trim(), 'The request is invalid: patch: Invalid value: "map[metadata:map[labels:invalid]]": cannot restore map from string');
  const merge = await c.kubectl(['patch', 'cm', 'typed', '--type=merge', '-p', '{"data":"str"}']);
  assert.equal(merge.code, 1);
  assert.match(merge.stderr.trim(), /^The request is invalid: patch: Invalid value: "\{\\"apiVersion\\":\\"v1\\",\\"data\\":\\"str\\",\\"kind\\":\\"ConfigMap\\",.*\}": json: cannot unmarshal string into Go struct field ConfigMap\.data of type map\[string\]string$/);
  const json = await c.kubectl(['patch', 'cm', 'typed', '--type=json', '-p', '[{"op":"replace","path":"/data","value":"str"}]']);
  assert.equal(json.code, 1);
  assert.match(json.stderr, /json: cannot unmarshal string into Go struct field ConfigMap\.data of type map\[string\]string/);
  const r = await c.http('PATCH', '/api/v1/namespaces/default/configmaps/typed', '{"spec":{"x":1},"data":["a"]}', { 'Content-Type': 'application/strategic-merge-patch+json' });
  assert.equal(r.status, 422);
  assert.equal(r.json<{ message: string }>().message, ' "" is invalid: patch: Invalid value: "map[data:[a] spec:map[x:1]]": cannot restore map from slice');
  // Nothing was stored.
  assert.equal(await c.k('get', 'cm', 'typed', '-o', 'jsonpath={.data.a}|{.metadata.labels}'), '1|');
});

test('a server-side apply with a value of the wrong type is refused and stores nothing', async () => {
  const applied = await c.kubectl(['apply', '--server-side', '-f', '-'], { stdin: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"typed-ssa","namespace":"default"},"data":"x"}' });
  assert.equal(applied.code, 1);
  assert.equal(applied.stderr.trim(), 'Error from server: failed to create typed patch object (default/typed-ssa; /v1, Kind=ConfigMap): .data: expected map, got &{x}');
  assert.match((await c.kubectl(['get', 'cm', 'typed-ssa'])).stderr, /NotFound/);
  await c.k('create', 'configmap', 'typed-ssa', '--from-literal=a=1');
  const r = await c.http('PATCH', '/api/v1/namespaces/default/configmaps/typed-ssa?fieldManager=m', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: typed-ssa, labels: invalid}\nimmutable: "no"\n', { 'Content-Type': 'application/apply-patch+yaml' });
  assert.equal(r.status, 500);
  assert.equal(r.json<{ message: string }>().message, 'failed to create typed patch object (/typed-ssa; /v1, Kind=ConfigMap): errors:\n  .metadata.labels: expected map, got &{invalid}\n  .immutable: expected boolean, got &{no}');
  assert.equal(await c.k('get', 'cm', 'typed-ssa', '-o', 'jsonpath={.data.a}|{.metadata.labels}|{.immutable}'), '1||');
});

test('a patch that sets metadata.resourceVersion is conditional on it; "0" or none is unconditional', async () => {
  await c.k('create', 'configmap', 'rv-patch', '--from-literal=a=1');
  const stale = await c.k('get', 'cm', 'rv-patch', '-o', 'jsonpath={.metadata.resourceVersion}');
  await c.k('label', 'cm', 'rv-patch', 'changed=yes');
  const conflict = 'Error from server (Conflict): Operation cannot be fulfilled on configmaps "rv-patch": the object has been modified; please apply your changes to the latest version and try again';
  const merge = await c.kubectl(['patch', 'cm', 'rv-patch', '--type=merge', '-p', JSON.stringify({ metadata: { resourceVersion: stale }, data: { a: '2' } })]);
  assert.equal(merge.stderr.trim(), conflict);
  const json = await c.kubectl(['patch', 'cm', 'rv-patch', '--type=json', '-p', JSON.stringify([{ op: 'replace', path: '/metadata/resourceVersion', value: stale }, { op: 'replace', path: '/data/a', value: '3' }])]);
  assert.equal(json.stderr.trim(), conflict);
  assert.equal((await c.k('patch', 'cm', 'rv-patch', '--type=merge', '-p', '{"metadata":{"resourceVersion":"0"},"data":{"a":"4"}}')).trim(), 'configmap/rv-patch patched');
  assert.equal((await c.k('patch', 'cm', 'rv-patch', '--type=json', '-p', '[{"op":"remove","path":"/metadata/resourceVersion"},{"op":"replace","path":"/data/a","value":"5"}]')).trim(), 'configmap/rv-patch patched');
  assert.equal(await c.k('get', 'cm', 'rv-patch', '-o', 'jsonpath={.data.a}'), '5');
});
