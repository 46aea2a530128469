// OpenAPI as kubectl uses it: client-side validation (kubectl 1.20 reads the v2 protobuf),
// the v3 index with hashed, immutable documents, ETags, and `kubectl explain`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startCluster, type TestCluster } from '../lib/cluster.js';

const kubectl120 = '/opt/kubectl-1.20/usr/bin/kubectl';
const kubectl133 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';

const deployment = (extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1${extra}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
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

test('kubectl apply validates against the served OpenAPI', async () => {
  const r = await c.kubectl(['apply', '-f', '-'], { stdin: deployment() });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'deployment.apps/web created');
});

test('the v3 index lists group-versions by hashed URL, and hashed documents are immutable', async () => {
  const index = (await c.http('GET', '/openapi/v3')).json<{ paths: Record<string, { serverRelativeURL: string }> }>();
  const url = index.paths['apis/apps/v1'].serverRelativeURL;
  assert.match(url, /^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{64}$/);
  assert.ok(index.paths['api/v1']);
  const doc = await c.http('GET', url);
  assert.equal(doc.status, 200);
  assert.equal(doc.headers['cache-control'], 'public, immutable');
  assert.ok(doc.json<{ components: { schemas: Record<string, unknown> } }>().components.schemas['io.k8s.api.apps.v1.Deployment']);
  const again = await c.http('GET', url, undefined, { 'If-None-Match': String(doc.headers.etag) });
  assert.equal(again.status, 304);
  const stale = await c.http('GET', '/openapi/v3/apis/apps/v1?hash=0');
  assert.equal(stale.status, 301);
  assert.equal(stale.headers.location, url);
  assert.equal((await c.http('GET', '/openapi/v3/apis/nope/v1')).status, 404);
});

test('/openapi/v2 answers JSON and protobuf, with an ETag', async () => {
  const json = await c.http('GET', '/openapi/v2');
  assert.equal(json.status, 200);
  assert.equal(json.json<{ swagger: string }>().swagger, '2.0');
  const pb = await c.http('GET', '/openapi/v2', undefined, { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' });
  assert.equal(pb.status, 200);
  assert.equal(pb.headers['content-type'], 'application/octet-stream');
  assert.notEqual(pb.headers.etag, json.headers.etag);
  const cached = await c.http('GET', '/openapi/v2', undefined, { 'If-None-Match': String(json.headers.etag) });
  assert.equal(cached.status, 304);
});

test('kubectl explain shows fields, types and required markers', async () => {
  const out = await c.k('explain', 'deploy.spec');
  assert.match(out, /^GROUP:\s+apps\nKIND:\s+Deployment\nVERSION:\s+v1\n\nFIELD: spec <DeploymentSpec>/);
  assert.match(out, /selector\t<LabelSelector> -required-/);
  assert.match(out, /replicas\t<integer>\n\s+Number of desired pods/);
  const rec = await c.k('explain', 'deploy.spec', '--recursive');
  assert.match(rec, /\n {8}ports\t<\[\]ContainerPort>\n {10}containerPort\t<integer> -required-\n/);
  const v2 = await c.k('explain', 'pods.spec.containers', '--output=plaintext-openapiv2');
  assert.match(v2, /RESOURCE: containers <\[\]Object>/);
  assert.match(v2, /name\t<string> -required-/);
});

test('kubectl 1.33 applies and explains', async () => {
  const r = await c.kubectl(['apply', '-f', '-'], { stdin: deployment(), binary: kubectl133 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'deployment.apps/web unchanged');
  const e = await c.kubectl(['explain', 'pod.spec.tolerations'], { binary: kubectl133 });
  assert.match(e.stdout, /FIELD: tolerations <\[\]Toleration>/);
});

test('kubectl 1.20 validates client-side from the v2 protobuf document', { skip: !existsSync(kubectl120) && 'Debian kubectl 1.20 not installed' }, async () => {
  const ok = await c.kubectl(['apply', '-f', '-'], { stdin: deployment(), binary: kubectl120 });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout.trim(), 'deployment.apps/web unchanged');
  const bad = await c.kubectl(['apply', '-f', '-'], { stdin: deployment('\n  foo: bar'), binary: kubectl120 });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /error validating data: ValidationError\(Deployment\.spec\): unknown field "foo" in io\.k8s\.api\.apps\.v1\.DeploymentSpec/);
  const explain = await c.kubectl(['explain', 'deployment.spec.replicas'], { binary: kubectl120 });
  assert.match(explain.stdout, /FIELD:\s+replicas <integer>/);
});
