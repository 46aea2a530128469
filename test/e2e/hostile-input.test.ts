// Bad or hostile input gets a clear 4xx Status, changes nothing and never takes the server down.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type TestCluster } from '../lib/cluster.js';

let c: TestCluster;
let startRV: string;
before(async () => {
  c = await startCluster();
  startRV = (await c.http('GET', '/api/v1/namespaces/default/configmaps')).json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion;
});
after(async () => {
  await c.destroy();
});

const cms = '/api/v1/namespaces/default/configmaps';

async function expectStatus(method: string, path: string, body: string | Buffer, contentType: string, code: number, reason: string, message?: RegExp) {
  const r = await c.http(method, path, body.toString('latin1'), { 'Content-Type': contentType });
  assert.equal(r.status, code, r.body);
  const s = r.json<{ kind: string; reason: string; message: string; code: number }>();
  assert.equal(s.kind, 'Status');
  assert.equal(s.reason, reason);
  assert.equal(s.code, code);
  if (message) assert.match(s.message, message);
}

test('malformed JSON and YAML are 400 BadRequest', async () => {
  await expectStatus('POST', cms, '{"apiVersion": "v1", "kind": ', 'application/json', 400, 'BadRequest', /json parse error/);
  await expectStatus('POST', cms, 'kind: ConfigMap\n  bad: [indent', 'application/yaml', 400, 'BadRequest', /yaml/);
  await expectStatus('POST', cms, '"just a string"', 'application/json', 400, 'BadRequest');
  await expectStatus('POST', cms, '[1,2,3]', 'application/json', 400, 'BadRequest');
});

test('a body of another kind or version than the URL is refused', async () => {
  await expectStatus('POST', cms, JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } }), 'application/json', 400, 'BadRequest', /kind/);
  await expectStatus('POST', cms, JSON.stringify({ apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'x' } }), 'application/json', 400, 'BadRequest', /the API version in the data \(apps\/v1\) does not match the expected API version \(v1\)/);
});

test('bodies over 3 MiB are 413', async () => {
  const big = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { a: 'x'.repeat(4 * 1024 * 1024) } });
  await expectStatus('POST', cms, big, 'application/json', 413, 'RequestEntityTooLarge');
});

test('YAML alias bombs and absurd nesting are refused', async () => {
  const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 0; i < 12; i++) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`);
  await expectStatus('POST', cms, bomb.join('\n'), 'application/yaml', 400, 'BadRequest');
  const deep = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"x":' + '['.repeat(200_000) + ']'.repeat(200_000) + '}';
  await expectStatus('POST', cms, deep, 'application/json', 400, 'BadRequest', /exceeded max depth of 1000/);
  const deepYaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deepy}\nx: ' + '['.repeat(50_000) + ']'.repeat(50_000) + '\n';
  await expectStatus('POST', cms, deepYaml, 'application/yaml', 400, 'BadRequest');
});

test('unknown content types are 415, garbage protobuf is 400', async () => {
  await expectStatus('POST', cms, 'hello', 'text/plain', 415, 'UnsupportedMediaType');
  await expectStatus('POST', cms, Buffer.from([0x6b, 0x38, 0x73, 0x00, 0xff, 0xff, 0xff, 0x0f]), 'application/vnd.kubernetes.protobuf', 400, 'BadRequest');
});

test('names that are not DNS-1123 are 422 Invalid with a cause', async () => {
  const r = await c.http('POST', cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: '../etc' } });
  assert.equal(r.status, 422);
  const s = r.json<{ details: { causes: Array<{ field: string; reason: string }> } }>();
  assert.ok(s.details.causes.some((x) => x.field === 'metadata.name' && x.reason === 'FieldValueInvalid'));
});

test('nothing was written and the server is healthy', async () => {
  const list = (await c.http('GET', cms)).json<{ items: unknown[]; metadata: { resourceVersion: string } }>();
  // Controllers may have written elsewhere, but no configmap came from the bad requests.
  assert.deepEqual(list.items.filter((i) => !['kube-root-ca.crt'].includes((i as { metadata: { name: string } }).metadata.name)), []);
  assert.ok(Number(list.metadata.resourceVersion) >= Number(startRV));
  assert.equal((await c.http('GET', '/readyz')).body, 'ok');
});
