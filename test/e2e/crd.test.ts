// CustomResourceDefinitions end to end: established and served, custom resources created,
// listed with printer columns, validated, defaulted, scaled, kept across a restart, and gone
// with their CRD.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { eventually, startCluster, type TestCluster } from '../lib/cluster.js';

const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names: {plural: crontabs, singular: crontab, kind: CronTab, shortNames: [ct], categories: [all]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas}
    additionalPrinterColumns:
    - {name: Spec, type: string, jsonPath: .spec.cronSpec}
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [cronSpec]
            properties:
              cronSpec: {type: string, pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'}
              image: {type: string}
              replicas: {type: integer, minimum: 1, maximum: 10, default: 1}
          status:
            type: object
            properties:
              replicas: {type: integer}
  - name: v1beta1
    served: true
    storage: false
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
`;
const crontab = (name: string, spec: string) => `apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: ${name}
spec:
${spec}`;

let c: TestCluster;
before(async () => {
  c = await startCluster();
});
after(async () => {
  await c.destroy();
});

test('a CRD becomes established and its resources appear in discovery', async () => {
  const r = await c.kubectl(['apply', '-f', '-'], { stdin: crd });
  assert.equal(r.stdout.trim(), 'customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created', r.stderr);
  await c.k('wait', '--for=condition=Established', 'crd/crontabs.stable.example.com', '--timeout=20s');
  const conds = JSON.parse(await c.k('get', 'crd', 'crontabs.stable.example.com', '-o', 'jsonpath={.status.conditions}')) as { type: string; status: string }[];
  assert.deepEqual(conds.map((x) => `${x.type}=${x.status}`), ['NamesAccepted=True', 'Established=True']);
  const resources = await c.k('api-resources', '--api-group=stable.example.com');
  assert.match(resources, /^crontabs\s+ct\s+stable\.example\.com\/v1\s+true\s+CronTab$/m);
  const group = (await c.http('GET', '/apis/stable.example.com')).json<{ preferredVersion: { version: string } }>();
  assert.equal(group.preferredVersion.version, 'v1');
});

test('custom resources are created, defaulted and listed with printer columns', async () => {
  const r = await c.kubectl(['apply', '-f', '-'], { stdin: crontab('my-cron', '  cronSpec: "* * * * */5"\n  image: my-image\n') });
  assert.equal(r.stdout.trim(), 'crontab.stable.example.com/my-cron created', r.stderr);
  assert.match(await c.k('get', 'crontabs'), /^NAME\s+SPEC\s+REPLICAS\s+AGE\nmy-cron\s+\* \* \* \* \*\/5\s+1\s+\d+s\n$/);
  assert.match(await c.k('get', 'all'), /crontab\.stable\.example\.com\/my-cron/);
  assert.equal((await c.k('get', 'ct', 'my-cron', '-o', 'jsonpath={.spec.replicas}')).trim(), '1');
  assert.equal((await c.http('GET', '/apis/stable.example.com/v1beta1/namespaces/default/crontabs/my-cron')).json<{ apiVersion: string }>().apiVersion, 'stable.example.com/v1beta1');
});

test('invalid custom resources are rejected with every field error', async () => {
  const r = await c.kubectl(['apply', '-f', '-'], { stdin: crontab('bad', '  cronSpec: "* * * *"\n  replicas: 15\n') });
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim(), [
    'The CronTab "bad" is invalid: ',
    '* spec.cronSpec: Invalid value: "* * * *": spec.cronSpec in body should match \'^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$\'',
    '* spec.replicas: Invalid value: 15: spec.replicas in body should be less than or equal to 10',
  ].join('\n'));
  const unknown = await c.kubectl(['create', '-f', '-'], { stdin: crontab('odd', '  cronSpec: "* * * * *"\n  foo: 1\n') });
  assert.equal(unknown.stderr.trim(), 'Error from server (BadRequest): error when creating "STDIN": CronTab in version "v1" cannot be handled as a CronTab: strict decoding error: unknown field "spec.foo"');
});

test('status and scale subresources, patches and server-side apply', async () => {
  assert.equal((await c.k('scale', 'ct', 'my-cron', '--replicas=3')).trim(), 'crontab.stable.example.com/my-cron scaled');
  await c.k('patch', 'ct', 'my-cron', '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":3},"metadata":{"labels":{"via-status":"y"}}}');
  // A custom resource's /status changes status only, as Kubernetes' CR status strategy.
  assert.equal(await c.k('get', 'ct', 'my-cron', '-o', 'jsonpath={.metadata.labels.via-status}'), '');
  const scale = (await c.http('GET', '/apis/stable.example.com/v1/namespaces/default/crontabs/my-cron/scale')).json<{ spec: { replicas: number }; status: { replicas: number } }>();
  assert.deepEqual([scale.spec.replicas, scale.status.replicas], [3, 3]);
  const smp = await c.kubectl(['patch', 'ct', 'my-cron', '-p', '{"spec":{"image":"x"}}']);
  assert.equal(smp.code, 1);
  assert.match(smp.stderr, /application\/strategic-merge-patch\+json is not supported by stable\.example\.com\/v1, Kind=CronTab/);
  const merge = await c.kubectl(['patch', 'ct', 'my-cron', '--type=merge', '-p', '{"spec":{"image":"x"}}']);
  assert.equal(merge.stdout.trim(), 'crontab.stable.example.com/my-cron patched', merge.stderr);
  const ssa = await c.kubectl(['apply', '--server-side', '-f', '-'], { stdin: crontab('ssa-cron', '  cronSpec: "0 * * * *"\n') });
  assert.equal(ssa.stdout.trim(), 'crontab.stable.example.com/ssa-cron serverside-applied', ssa.stderr);
});

test('kubectl explain reads the CRD schema', async () => {
  const out = await c.k('explain', 'crontab.spec');
  assert.match(out, /KIND:\s+CronTab\nVERSION:\s+v1/);
  assert.match(out, /cronSpec\t<string> -required-/);
});

test('custom resources survive a restart', async () => {
  await c.restart();
  assert.match(await c.k('get', 'ct', 'my-cron'), /my-cron\s+\* \* \* \* \*\/5\s+3\s+/);
});

test('deleting the CRD deletes its objects and stops serving them', async () => {
  const r = await c.kubectl(['delete', 'crd', 'crontabs.stable.example.com']);
  assert.equal(r.stdout.trim(), 'customresourcedefinition.apiextensions.k8s.io "crontabs.stable.example.com" deleted', r.stderr);
  await eventually(async () => (await c.http('GET', '/apis/stable.example.com/v1')).status === 404);
  assert.equal((await c.http('GET', '/apis/stable.example.com/v1/namespaces/default/crontabs')).status, 404);
  const again = await c.kubectl(['apply', '-f', '-'], { stdin: crd });
  assert.equal(again.code, 0, again.stderr);
  await c.k('wait', '--for=condition=Established', 'crd/crontabs.stable.example.com', '--timeout=20s');
  assert.equal((await c.http('GET', '/apis/stable.example.com/v1/namespaces/default/crontabs')).json<{ items: unknown[] }>().items.length, 0);
});

test('an invalid CRD is refused', async () => {
  const bad = crd.replace('name: crontabs.stable.example.com', 'name: wrong.stable.example.com');
  const r = await c.kubectl(['create', '-f', '-'], { stdin: bad });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /The CustomResourceDefinition "wrong.stable.example.com" is invalid: metadata.name: Invalid value: "wrong.stable.example.com": must be spec.names.plural\+"."\+spec.group/);
});

/** A namespaced CRD serving and storing v1 with the given root schema (YAML flow style). */
const simpleCrd = (plural: string, kind: string, group: string, schema: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ${plural}.${group}}
spec:
  group: ${group}
  scope: Namespaced
  names: {plural: ${plural}, singular: ${kind.toLowerCase()}, kind: ${kind}}
  versions:
  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: ${schema}}}
`;

test('a CRD that keeps unknown fields validates client-side in kubectl 1.20 (bare object in OpenAPI v2)', async () => {
  const free = simpleCrd('blobs', 'Blob', 'free.example.com', '{type: object, x-kubernetes-preserve-unknown-fields: true}');
  assert.equal((await c.kubectl(['apply', '-f', '-'], { stdin: free })).code, 0);
  await eventually(async () => (await c.kubectl(['get', 'blobs'])).code === 0);
  await eventually(async () => {
    const v2 = (await c.http('GET', '/openapi/v2')).json<{ definitions: Record<string, unknown> }>();
    return v2.definitions['com.example.free.v1.Blob'];
  });
  const v2 = (await c.http('GET', '/openapi/v2')).json<{ definitions: Record<string, unknown> }>();
  assert.deepEqual(v2.definitions['com.example.free.v1.Blob'], { type: 'object', 'x-kubernetes-group-version-kind': [{ group: 'free.example.com', kind: 'Blob', version: 'v1' }] });
  // v3 keeps the whole schema.
  const v3 = (await c.http('GET', '/openapi/v3/apis/free.example.com/v1')).json<{ components: { schemas: Record<string, { properties?: Record<string, unknown> }> } }>();
  assert.ok(v3.components.schemas['com.example.free.v1.Blob']?.properties?.metadata);
  const old = '/opt/kubectl-1.20/usr/bin/kubectl';
  const r = await c.kubectl(['apply', '-f', '-'], { binary: existsSync(old) ? old : undefined, stdin: 'apiVersion: free.example.com/v1\nkind: Blob\nmetadata: {name: b1}\nspec: {anything: [1, 2]}\n' });
  assert.equal(r.stderr, '');
  assert.equal(r.stdout.trim(), 'blob.free.example.com/b1 created');
});

test('a default added to a CRD later shows on objects stored before it (get, list, watch)', async () => {
  const crdWith = (dflt: string) => simpleCrd('gadgets', 'Gadget', 'later.example.com', `{type: object, properties: {spec: {type: object, properties: {size: {type: string${dflt}}, name: {type: string}}}}}`);
  assert.equal((await c.kubectl(['apply', '-f', '-'], { stdin: crdWith('') })).code, 0);
  await eventually(async () => (await c.kubectl(['get', 'gadgets'])).code === 0);
  const created = await c.kubectl(['apply', '-f', '-'], { stdin: 'apiVersion: later.example.com/v1\nkind: Gadget\nmetadata: {name: g1}\nspec: {name: one}\n' });
  assert.equal(created.code, 0, created.stderr);
  assert.equal(await c.k('get', 'gadget', 'g1', '-o', 'jsonpath={.spec.size}'), '');
  const list = await c.http('GET', '/apis/later.example.com/v1/namespaces/default/gadgets');
  const rv = list.json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion;
  assert.equal((await c.kubectl(['apply', '-f', '-'], { stdin: crdWith(', default: medium') })).code, 0);
  await eventually(async () => (await c.k('get', 'gadget', 'g1', '-o', 'jsonpath={.spec.size}')) === 'medium');
  const items = (await c.http('GET', '/apis/later.example.com/v1/namespaces/default/gadgets')).json<{ items: Array<{ spec: { size?: string } }> }>().items;
  assert.deepEqual(items.map((i) => i.spec.size), ['medium']);
  const watched = await c.http('GET', `/apis/later.example.com/v1/namespaces/default/gadgets?watch=true&resourceVersion=${rv}&timeoutSeconds=1`);
  await c.k('label', 'gadget', 'g1', 'touched=yes');
  const events = (await c.http('GET', `/apis/later.example.com/v1/namespaces/default/gadgets?watch=true&resourceVersion=${rv}&timeoutSeconds=1`)).body.trim().split('\n').map((l) => JSON.parse(l) as { object: { spec: { size?: string } } });
  assert.ok(events.length >= 1, watched.body);
  assert.ok(events.every((e) => e.object.spec.size === 'medium'));
  // Stored as it was: the default is not written back until the object is.
  assert.equal((await c.k('get', 'gadget', 'g1', '-o', 'jsonpath={.metadata.labels.touched}')), 'yes');
});
