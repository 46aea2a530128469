// Discovery and response shapes kubectl and client libraries rely on: api-resources,
// api-versions, aggregated discovery with ETags, Tables, PartialObjectMetadata, YAML, reviews.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type TestCluster } from '../lib/cluster.js';

let c: TestCluster;
before(async () => {
  c = await startCluster();
});
after(async () => {
  await c.destroy();
});

test('kubectl api-resources lists kinds with short names, scope and verbs', async () => {
  const out = await c.k('api-resources', '-o', 'wide');
  const line = (name: string) => out.split('\n').find((l) => l.startsWith(`${name} `)) ?? '';
  assert.match(line('pods'), /^pods\s+po\s+v1\s+true\s+Pod\s+create,delete,deletecollection,get,list,patch,update,watch\s+all$/);
  assert.match(line('deployments'), /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment\s+.*\s+all$/);
  assert.match(line('namespaces'), /^namespaces\s+ns\s+v1\s+false\s+Namespace\s+create,delete,get,list,patch,update,watch\s*$/);
  assert.match(line('customresourcedefinitions'), /^customresourcedefinitions\s+crd,crds\s+apiextensions.k8s.io\/v1\s+false\s+CustomResourceDefinition/);
  const versions = (await c.k('api-versions')).trim().split('\n');
  for (const gv of ['v1', 'apps/v1', 'batch/v1', 'autoscaling/v1', 'autoscaling/v2', 'networking.k8s.io/v1', 'rbac.authorization.k8s.io/v1', 'policy/v1', 'storage.k8s.io/v1', 'coordination.k8s.io/v1', 'discovery.k8s.io/v1', 'events.k8s.io/v1', 'certificates.k8s.io/v1', 'scheduling.k8s.io/v1', 'apiextensions.k8s.io/v1', 'apiregistration.k8s.io/v1', 'authorization.k8s.io/v1', 'authentication.k8s.io/v1']) {
    assert.ok(versions.includes(gv), `missing ${gv}`);
  }
});

test('storageVersionHash is what Kubernetes publishes for the kind', async () => {
  const list = (await c.http('GET', '/api/v1')).json<{ resources: Array<{ name: string; storageVersionHash?: string }> }>();
  // Kubernetes 1.32's /api/v1 and /apis/apps/v1 give these (base64 of sha256's first 8 bytes).
  assert.equal(list.resources.find((r) => r.name === 'configmaps')?.storageVersionHash, 'qFsyl6wFWjQ=');
  assert.equal(list.resources.find((r) => r.name === 'configmaps/status'), undefined);
  const apps = (await c.http('GET', '/apis/apps/v1')).json<{ resources: Array<{ name: string; storageVersionHash?: string }> }>();
  assert.equal(apps.resources.find((r) => r.name === 'deployments')?.storageVersionHash, '8aSe+NMegvE=');
  // From the storage version: events.k8s.io Events are stored as core v1 Events.
  const events = (await c.http('GET', '/apis/events.k8s.io/v1')).json<{ resources: Array<{ name: string; storageVersionHash?: string }> }>();
  assert.equal(events.resources.find((r) => r.name === 'events')?.storageVersionHash, 'r2yiGXH7wu8=');
  // Nothing of a review is stored, so it has no hash.
  const authn = (await c.http('GET', '/apis/authentication.k8s.io/v1')).json<{ resources: Array<{ name: string; storageVersionHash?: string }> }>();
  const tokenReviews = authn.resources.find((r) => r.name === 'tokenreviews');
  assert.ok(tokenReviews && !('storageVersionHash' in tokenReviews));
});

test('aggregated discovery answers with an ETag and 304 when unchanged', async () => {
  const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
  const r = await c.http('GET', '/apis', undefined, { Accept: accept });
  assert.equal(r.status, 200);
  assert.match(String(r.headers['content-type']), /as=APIGroupDiscoveryList/);
  const doc = r.json<{ kind: string; items: Array<{ metadata: { name: string }; versions: Array<{ version: string; resources: Array<{ resource: string; scope: string; subresources?: Array<{ subresource: string }> }> }> }> }>();
  assert.equal(doc.kind, 'APIGroupDiscoveryList');
  const apps = doc.items.find((g) => g.metadata.name === 'apps')!;
  const deploy = apps.versions[0].resources.find((x) => x.resource === 'deployments')!;
  assert.equal(deploy.scope, 'Namespaced');
  assert.deepEqual(deploy.subresources?.map((s) => s.subresource).sort(), ['scale', 'status']);
  const again = await c.http('GET', '/apis', undefined, { Accept: accept, 'If-None-Match': String(r.headers.etag) });
  assert.equal(again.status, 304);
});

test('kubectl get all shows the kubernetes Service', async () => {
  assert.match(await c.k('get', 'all', '-A'), /default\s+service\/kubernetes\s+ClusterIP\s+10\.43\.0\.1\s+<none>\s+443\/TCP\s+\d+s/);
});

test('Table responses carry column definitions and rows with metadata', async () => {
  const r = await c.http('GET', '/api/v1/namespaces', undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
  const t = r.json<{ kind: string; apiVersion: string; columnDefinitions: Array<{ name: string }>; rows: Array<{ cells: unknown[]; object: { kind: string; metadata: { name: string } } }> }>();
  assert.equal(t.kind, 'Table');
  assert.equal(t.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(t.columnDefinitions.map((d) => d.name), ['Name', 'Status', 'Age']);
  assert.equal(t.rows.length, 4);
  assert.equal(t.rows[0].object.kind, 'PartialObjectMetadata');
  assert.equal(t.rows[0].cells[1], 'Active');
  // As Kubernetes answers: the media type alone; the kind is in the body.
  assert.equal(r.headers['content-type'], 'application/json');
});

test('metadata-only responses as client-go metadata clients ask for them', async () => {
  const listed = await c.http('GET', '/api/v1/namespaces', undefined, { Accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' });
  assert.equal(listed.headers['content-type'], 'application/json');
  const list = listed.json<{ kind: string; items: Array<{ kind?: string; metadata: { name: string; uid: string } }> }>();
  assert.equal(list.kind, 'PartialObjectMetadataList');
  assert.equal(list.items.length, 4);
  assert.ok(list.items[0].metadata.uid);
  const one = (await c.http('GET', '/api/v1/namespaces/default', undefined, { Accept: 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io' })).json<{ kind: string; metadata: { name: string }; spec?: unknown }>();
  assert.equal(one.kind, 'PartialObjectMetadata');
  assert.equal(one.metadata.name, 'default');
  assert.equal(one.spec, undefined);
});

test('a metadata-only watch sends every event as PartialObjectMetadata, as client-go metadata informers ask', async () => {
  const base = '/api/v1/namespaces/default/configmaps';
  const list = (await c.http('GET', base)).json<{ metadata: { resourceVersion: string } }>();
  await c.http('POST', base, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'meta-watch', labels: { a: 'b' } }, data: { big: 'x'.repeat(1000) } });
  const updated = (await c.http('PUT', `${base}/meta-watch`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'meta-watch', labels: { a: 'c' } }, data: { big: 'y' } }))
    .json<{ metadata: Record<string, unknown> }>();
  await c.http('DELETE', `${base}/meta-watch`);
  const accept = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';
  const r = await c.http('GET', `${base}?watch=true&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=1`, undefined, { Accept: accept });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/json');
  type Event = { type: string; object: { kind: string; apiVersion: string; metadata: Record<string, unknown> & { name?: string; labels?: Record<string, string> }; data?: unknown } };
  const events = r.body.trim().split('\n').map((l) => JSON.parse(l) as Event).filter((e) => e.object.metadata.name === 'meta-watch');
  assert.deepEqual(events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
  for (const e of events) {
    assert.equal(e.object.kind, 'PartialObjectMetadata');
    assert.equal(e.object.apiVersion, 'meta.k8s.io/v1');
    assert.equal(e.object.data, undefined);
  }
  assert.deepEqual(events[1].object.metadata, updated.metadata);
  // Bookmarks are converted too; a watch-list needs no resourceVersion, as client-go's first one sends none.
  const initial = await c.http('GET', `${base}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1`, undefined, { Accept: accept });
  const last = JSON.parse(initial.body.trim().split('\n').at(-1)!) as Event;
  assert.equal(last.type, 'BOOKMARK');
  assert.equal(last.object.kind, 'PartialObjectMetadata');
  assert.equal(last.object.metadata.annotations && (last.object.metadata.annotations as Record<string, string>)['k8s.io/initial-events-end'], 'true');
});

test('YAML responses on request', async () => {
  const r = await c.http('GET', '/api/v1/namespaces/default', undefined, { Accept: 'application/yaml' });
  assert.equal(r.status, 200);
  assert.match(String(r.headers['content-type']), /^application\/yaml/);
  assert.match(r.body, /^apiVersion: v1\nkind: Namespace\n/m);
});

test('an unacceptable media type is 406', async () => {
  const r = await c.http('GET', '/api/v1/namespaces', undefined, { Accept: 'text/html' });
  assert.equal(r.status, 406);
});

test('kubectl auth can-i and whoami answer for the admin', async () => {
  assert.equal((await c.k('auth', 'can-i', 'create', 'pods')).trim(), 'yes');
  assert.equal((await c.k('auth', 'can-i', '*', '*')).trim(), 'yes');
  assert.match(await c.k('auth', 'whoami'), /Username\s+admin\nGroups\s+\[system:masters system:authenticated\]/);
});

test('unknown paths and resources are 404 with a Status', async () => {
  const r = await c.http('GET', '/apis/nope.example.com/v1/things');
  assert.equal(r.status, 404);
  assert.equal(r.json<{ reason: string }>().reason, 'NotFound');
  const k = await c.kubectl(['get', 'frobnicators']);
  assert.equal(k.code, 1);
  assert.match(k.stderr, /the server doesn't have a resource type "frobnicators"/);
});

test('watch with sendInitialEvents ends the initial state with a bookmark', async () => {
  const r = await c.http('GET', '/api/v1/namespaces?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&resourceVersion=0&allowWatchBookmarks=true&timeoutSeconds=1');
  const events = r.body.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: { metadata: { annotations?: Record<string, string> } } });
  assert.deepEqual(events.slice(0, 4).map((e) => e.type), ['ADDED', 'ADDED', 'ADDED', 'ADDED']);
  assert.equal(events[4].type, 'BOOKMARK');
  assert.equal(events[4].object.metadata.annotations?.['k8s.io/initial-events-end'], 'true');
});
