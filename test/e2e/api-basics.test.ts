// The basic kubectl round trips against a fresh server: namespaces, create/get/list/delete,
// errors as kubectl prints them, and data surviving a restart.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath, eventually, startCluster, type TestCluster } from '../lib/cluster.js';

let c: TestCluster;
before(async () => {
  c = await startCluster();
});
after(async () => {
  await c.destroy();
});

test('system namespaces exist from the start', async () => {
  const out = await c.k('get', 'ns', '-o', 'name');
  assert.deepEqual(out.trim().split('\n').sort(), ['namespace/default', 'namespace/kube-node-lease', 'namespace/kube-public', 'namespace/kube-system']);
});

test('health and version endpoints answer', async () => {
  for (const p of ['/healthz', '/livez', '/readyz']) {
    const r = await c.http('GET', p);
    assert.equal(r.status, 200);
    assert.equal(r.body, 'ok');
  }
  const v = (await c.http('GET', '/version')).json<{ major: string; gitVersion: string }>();
  assert.equal(v.major, '1');
  assert.match(v.gitVersion, /^v1\.\d+\.\d+-k8ts$/);
});

test('kubectl version shows the commit the server was built from and when', async () => {
  const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: join(cliPath, '..', '..', '..'), encoding: 'utf8' }).stdout.trim();
  const out = JSON.parse(await c.k('version', '-o', 'json')) as { serverVersion: { gitCommit: string; buildDate: string; gitTreeState: string } };
  assert.match(out.serverVersion.gitCommit, /^[0-9a-f]{40}$/);
  if (head) assert.equal(out.serverVersion.gitCommit, head);
  assert.match(out.serverVersion.gitTreeState, /^(clean|dirty)$/);
  assert.match(out.serverVersion.buildDate, /^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(Date.now() - Date.parse(out.serverVersion.buildDate) < 7 * 24 * 3600_000, 'built within the week');
});

test('create, get, list and delete a configmap', async () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', labels: { app: 'x' } }, data: { a: 'b' } };
  const created = await c.kubectl(['create', '-f', '-'], { stdin: JSON.stringify(cm) });
  assert.equal(created.code, 0, created.stderr);
  assert.equal(created.stdout.trim(), 'configmap/cfg created');
  const got = JSON.parse(await c.k('get', 'cm', 'cfg', '-o', 'json'));
  assert.equal(got.data.a, 'b');
  assert.match(got.metadata.uid, /^[0-9a-f-]{36}$/);
  assert.match(got.metadata.resourceVersion, /^\d+$/);
  const dup = await c.kubectl(['create', '-f', '-'], { stdin: JSON.stringify(cm) });
  assert.equal(dup.code, 1);
  assert.equal(dup.stderr.trim(), 'Error from server (AlreadyExists): error when creating "STDIN": configmaps "cfg" already exists');
  assert.match(await c.k('get', 'cm', '-l', 'app=x'), /^NAME\s+DATA\s+AGE\ncfg\s+1\s+\d+s\n$/);
  assert.equal((await c.k('delete', 'cm', 'cfg')).trim(), 'configmap "cfg" deleted');
  const missing = await c.kubectl(['get', 'cm', 'cfg']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr.trim(), 'Error from server (NotFound): configmaps "cfg" not found');
});

test('/metrics counts requests and their latency under Kubernetes\' names', async () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'measured' } };
  assert.equal((await c.kubectl(['create', '-f', '-'], { stdin: JSON.stringify(cm) })).code, 0);
  assert.equal((await c.kubectl(['create', '--dry-run=server', '-f', '-'], { stdin: JSON.stringify({ ...cm, metadata: { name: 'dry' } }) })).code, 0);
  await c.k('get', 'cm', 'measured');
  // Refused dryRun values and made-up resources do not name new series.
  assert.equal((await c.http('POST', '/api/v1/namespaces/default/configmaps?dryRun=maybe', { ...cm, metadata: { name: 'refused' } })).status, 422);
  assert.equal((await c.http('GET', '/api/v1/namespaces/default/madeup-things')).status, 404);
  assert.equal((await c.http('GET', '/api/v1/namespaces/default/configmaps/measured/madeup')).status, 404);
  const text = await c.k('get', '--raw', '/metrics');
  const value = (series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(series + ' '));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };
  const post = 'component="apiserver",dry_run="",group="",resource="configmaps",scope="namespace",subresource="",verb="POST",version="v1"';
  assert.ok(value(`apiserver_request_total{code="201",${post}}`)! >= 1, text);
  assert.equal(value(`apiserver_request_total{code="201",${post.replace('dry_run=""', 'dry_run="All"')}}`), 1);
  assert.equal(value(`apiserver_request_total{code="422",${post.replace('dry_run=""', 'dry_run="invalid"')}}`), 1);
  assert.doesNotMatch(text, /madeup|maybe/);
  const get = 'component="apiserver",dry_run="",group="",resource="configmaps",scope="resource",subresource="",verb="GET",version="v1"';
  assert.ok(value(`apiserver_request_duration_seconds_count{${get}}`)! >= 1);
  // Buckets are cumulative and end with +Inf, which equals the count.
  assert.equal(value(`apiserver_request_duration_seconds_bucket{${get},le="+Inf"}`), value(`apiserver_request_duration_seconds_count{${get}}`));
  assert.match(text, /^# TYPE apiserver_request_duration_seconds histogram$/m);
  assert.match(text, /^process_resident_memory_bytes \d+$/m);
});

test('/metrics has the storage, watch and admission series dashboards look for', async () => {
  await c.k('create', 'configmap', 'admitted');
  // The controllers' informers hold watches open (once the control plane has started).
  const pods = /^apiserver_longrunning_requests\{component="apiserver",group="",resource="pods",scope="cluster",subresource="",verb="WATCH",version="v1"\} [1-9]\d*$/m;
  const text = await eventually(async () => {
    const t = await c.k('get', '--raw', '/metrics');
    return pods.test(t) ? t : undefined;
  }, 30_000, 250);
  assert.match(text, /^apiserver_storage_objects\{resource="configmaps"\} [1-9]\d*$/m);
  assert.match(text, /^apiserver_storage_objects\{resource="deployments\.apps"\} \d+$/m);
  assert.match(text, /^apiserver_admission_controller_admission_duration_seconds_count\{name="NamespaceLifecycle",operation="CREATE",rejected="false",type="admit"\} [1-9]\d*$/m);
  assert.match(text, /^apiserver_admission_step_admission_duration_seconds_bucket\{operation="CREATE",rejected="false",type="admit",le="2\.5"\} [1-9]\d*$/m);
});

test('metrics.k8s.io is discovered; without agents kubectl top says metrics are not available', async () => {
  const resources = await c.k('api-resources', '--api-group=metrics.k8s.io', '--no-headers');
  assert.match(resources, /^nodes\s+metrics\.k8s\.io\/v1beta1\s+false\s+NodeMetrics$/m);
  assert.match(resources, /^pods\s+metrics\.k8s\.io\/v1beta1\s+true\s+PodMetrics$/m);
  const top = await c.kubectl(['top', 'node']);
  assert.notEqual(top.code, 0);
  assert.match(top.stderr, /metrics not available yet/);
  const list = JSON.parse(await c.k('get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods')) as { kind: string; items: unknown[] };
  assert.deepEqual([list.kind, list.items], ['PodMetricsList', []]);
});

test('error bodies are the bytes Kubernetes sends; every object body ends with a newline', async () => {
  // The Python client's utils.create_from_yaml compares the conflict's text. Kubernetes encodes a
  // Status with Go's json.Encoder: the struct's field order (kind, apiVersion, metadata, status,
  // message, reason, details, code), omitempty fields left out, then a newline.
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'twice' } };
  const first = await c.http('POST', '/api/v1/namespaces/default/configmaps', cm);
  assert.equal(first.status, 201);
  assert.ok(first.body.endsWith('}\n'), 'a created object ends with a newline');
  const again = await c.http('POST', '/api/v1/namespaces/default/configmaps', cm);
  assert.equal(again.status, 409);
  assert.equal(again.body, '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \\"twice\\" already exists","reason":"AlreadyExists","details":{"name":"twice","kind":"configmaps"},"code":409}\n');
  const missing = await c.http('GET', '/apis/apps/v1/namespaces/default/deployments/nowhere');
  assert.equal(missing.status, 404);
  assert.equal(missing.body, '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"deployments.apps \\"nowhere\\" not found","reason":"NotFound","details":{"name":"nowhere","group":"apps","kind":"deployments"},"code":404}\n');
  const noPath = await c.http('GET', '/apis/nowhere.example.com/v1');
  assert.equal(noPath.body, '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","details":{},"code":404}\n');
  const got = await c.http('GET', '/api/v1/namespaces/default/configmaps/twice');
  assert.ok(got.body.endsWith('}\n') && !got.body.endsWith('\n\n'));
  // pretty is read with strconv.ParseBool: True indents (json.MarshalIndent: no final newline).
  const pretty = await c.http('GET', '/api/v1/namespaces/default/configmaps/twice?pretty=True');
  assert.equal(pretty.body, JSON.stringify(JSON.parse(got.body), null, 2));
  assert.ok((await c.http('GET', '/api/v1/namespaces/default/configmaps')).body.endsWith('}\n'));
  assert.ok((await c.http('GET', '/api/v1')).body.endsWith('}\n'));
  const deleted = await c.http('DELETE', '/api/v1/namespaces/default/configmaps/twice');
  assert.equal(deleted.status, 200);
  const uid = first.json<{ metadata: { uid: string } }>().metadata.uid;
  assert.equal(deleted.body, `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{"name":"twice","kind":"configmaps","uid":"${uid}"}}\n`);
});

test('invalid names are rejected with field causes', async () => {
  const bad = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } };
  const r = await c.kubectl(['create', '-f', '-'], { stdin: JSON.stringify(bad) });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of/);
});

test('an update whose resourceVersion is "0" is unconditional, as in Kubernetes', async () => {
  await c.k('create', 'configmap', 'rv-zero', '--from-literal=a=1');
  const doc = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rv-zero', namespace: 'default', resourceVersion: '0' }, data: { a: '2' } };
  const r = await c.kubectl(['replace', '-f', '-'], { stdin: JSON.stringify(doc) });
  assert.equal(r.stderr, '');
  assert.equal(r.stdout.trim(), 'configmap/rv-zero replaced');
  assert.equal(await c.k('get', 'cm', 'rv-zero', '-o', 'jsonpath={.data.a}'), '2');
  // A stale one still conflicts.
  const stale = await c.kubectl(['replace', '-f', '-'], { stdin: JSON.stringify({ ...doc, metadata: { ...doc.metadata, resourceVersion: '1' } }) });
  assert.equal(stale.code, 1);
  assert.match(stale.stderr, /the object has been modified; please apply your changes to the latest version and try again/);
});

test('data survives a restart', async () => {
  await c.kubectl(['create', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'keep' } }) });
  await c.restart();
  assert.match(await c.k('get', 'ns', 'keep'), /keep\s+Active/);
});

test('a wrong controller name fails the start, as it fails kube-controller-manager', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'k8ts-flags-'));
  const dataDir = join(tmp, 'data');
  try {
    const r = spawnSync(process.execPath, [cliPath, 'server', '--data-dir', dataDir, '--bind-address', '127.0.0.1', '--secure-port', '0', '--disable-agent', '--controllers', '*,-resourcequota'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'Error: "resourcequota" is not in the list of known controllers\n');
    assert.equal(existsSync(dataDir), false);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('--disable turns off a built-in component, and a wrong name fails the start with the list', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'k8ts-flags-'));
  const dataDir = join(tmp, 'data');
  try {
    const r = spawnSync(process.execPath, [cliPath, 'server', '--data-dir', dataDir, '--bind-address', '127.0.0.1', '--secure-port', '0', '--disable', 'control-plane,traefik'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'Error: "traefik" is not in the list of components that can be disabled: agent, control-plane, csi-nfs, dns, flannel, ingress, local-storage, metrics-server, network, network-policy, proxy, static-pods\n');
    assert.equal(existsSync(dataDir), false);
    const a = spawnSync(process.execPath, [cliPath, 'agent', '--kubeconfig', join(tmp, 'none'), '--data-dir', dataDir, '--disable', 'agent'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(a.status, 1);
    assert.equal(a.stderr, 'Error: "agent" is not in the list of components that can be disabled: csi-nfs, dns, flannel, ingress, network, network-policy, proxy, static-pods\n');
    assert.equal(existsSync(dataDir), false);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  // Without the control plane the API serves, but no controller acts: a new namespace gets no
  // default ServiceAccount (the fixture's cluster, with controllers, gets one).
  const apiOnly = await startCluster({ args: ['--disable', 'control-plane'] });
  try {
    await apiOnly.k('create', 'ns', 'quiet');
    await c.k('create', 'ns', 'busy');
    await new Promise((r) => setTimeout(r, 3000));
    assert.match(await c.k('get', 'sa', '-n', 'busy'), /^default\s/m);
    assert.doesNotMatch(await apiOnly.k('get', 'sa', '-n', 'quiet'), /default/);
    assert.ok(apiOnly.logs.some((l) => l.includes('"components started"') && l.includes('"disabled":["control-plane","agent"]')), apiOnly.logs.join('\n'));
    assert.ok(!apiOnly.logs.some((l) => l.includes('starting controllers')));
  } finally {
    await apiOnly.destroy();
  }
});
