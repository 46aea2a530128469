import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createCA, issueCertificate } from '../pki.js';
import { ApiError, isExpired, isNotFound } from './api-error.js';
import { KubeClient } from './rest-client.js';
import { resources } from './resource-types.js';
import type { ConfigMap } from './types.js';

/** A scripted HTTPS server: each test sets what the next requests get. */
let server: Server;
let client: KubeClient;
let handler: (req: IncomingMessage, body: string, res: ServerResponse) => void = () => {};
const seen: Array<{ method?: string; url?: string; type?: string; body: string }> = [];

before(async () => {
  const ca = createCA('test-ca');
  const serving = issueCertificate(ca, { commonName: 'localhost', ips: ['127.0.0.1'], usage: 'server' });
  const user = issueCertificate(ca, { commonName: 'tester', usage: 'client' });
  server = createServer({ cert: serving.cert, key: serving.key, ca: ca.cert, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, type: req.headers['content-type'], body });
      handler(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  client = new KubeClient({ server: `https://127.0.0.1:${port}`, caCert: ca.cert, clientCert: user.cert, clientKey: user.key });
});

after(async () => {
  client.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const json = (res: ServerResponse, code: number, obj: unknown) => {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(obj));
};

test('requests carry paths, query and body; answers are plain JSON', async () => {
  seen.length = 0;
  handler = (_req, body, res) => json(res, 201, { ...JSON.parse(body), metadata: { ...JSON.parse(body).metadata, uid: 'u1' } });
  const cms = client.resource<ConfigMap>(resources.configMaps);
  const created = await cms.create({ metadata: { name: 'x', namespace: 'ns' }, data: { a: 'b' } }, { fieldManager: 'me', dryRun: true });
  assert.equal(created.metadata?.uid, 'u1');
  assert.equal(seen[0].url, '/api/v1/namespaces/ns/configmaps?dryRun=All&fieldManager=me');
  assert.deepEqual(JSON.parse(seen[0].body), { metadata: { name: 'x', namespace: 'ns' }, data: { a: 'b' }, apiVersion: 'v1', kind: 'ConfigMap' });
  handler = (_req, _body, res) => json(res, 200, {});
  await cms.patch('ns', 'x', { data: { a: 'c' } }, 'strategic', { subresource: 'status' });
  assert.equal(seen[1].url, '/api/v1/namespaces/ns/configmaps/x/status');
  assert.equal(seen[1].type, 'application/strategic-merge-patch+json');
  await client.resource(resources.leases).delete('kube-system', 'l', { propagationPolicy: 'Foreground', preconditions: { uid: 'u' } });
  assert.equal(seen[2].url, '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/l');
  assert.deepEqual(JSON.parse(seen[2].body), { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground', preconditions: { uid: 'u' } });
});

test('failures are ApiErrors carrying the server Status', async () => {
  handler = (_req, _body, res) => json(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'configmaps "x" not found' });
  const err = await client.resource(resources.configMaps).get('ns', 'x').catch((e: unknown) => e);
  assert.ok(err instanceof ApiError);
  assert.equal(err.message, 'configmaps "x" not found');
  assert.ok(isNotFound(err));
  handler = (_req, _body, res) => {
    res.writeHead(503);
    res.end('overloaded');
  };
  const plain = await client.resource(resources.configMaps).get('ns', 'x').catch((e: unknown) => e as ApiError);
  assert.equal((plain as ApiError).reason, 'ServiceUnavailable');
});

test('listAll follows continue tokens', async () => {
  seen.length = 0;
  handler = (req, _body, res) => {
    const cont = new URL(req.url ?? '', 'https://x').searchParams.get('continue');
    json(res, 200, cont
      ? { metadata: { resourceVersion: '7' }, items: [{ metadata: { name: 'b' } }] }
      : { metadata: { resourceVersion: '7', continue: 'tok' }, items: [{ metadata: { name: 'a' } }] });
  };
  const all = await client.resource(resources.configMaps).listAll('ns', { labelSelector: 'app=x' });
  assert.deepEqual(all.items.map((i) => i.metadata?.name), ['a', 'b']);
  assert.equal(seen[0].url, '/api/v1/namespaces/ns/configmaps?labelSelector=app%3Dx&limit=500');
  assert.equal(seen[1].url, '/api/v1/namespaces/ns/configmaps?labelSelector=app%3Dx&limit=500&continue=tok');
});

test('watch decodes events split across chunks and reports 410 as expired', async () => {
  handler = (_req, _body, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const line = JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'ü-a', resourceVersion: '2' } } }) + '\n';
    const bytes = Buffer.from(line + JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '3' } } }) + '\n');
    // Split in the middle of the two-byte character.
    const cut = line.indexOf('ü') + 1;
    res.write(bytes.subarray(0, cut));
    setTimeout(() => {
      res.write(bytes.subarray(cut));
      res.end(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 1 (2)' } }) + '\n');
    }, 20);
  };
  const events: string[] = [];
  const err = await client.resource(resources.configMaps).watch('ns', { resourceVersion: '1', signal: new AbortController().signal }, (ev) => {
    events.push(`${ev.type} ${ev.object.metadata?.name ?? ''}@${ev.object.metadata?.resourceVersion}`);
  }).catch((e: unknown) => e);
  assert.deepEqual(events, ['ADDED ü-a@2', 'BOOKMARK @3']);
  assert.ok(isExpired(err));
});

test('an aborted watch resolves quietly', async () => {
  handler = (_req, _body, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write('');
  };
  const ac = new AbortController();
  const watching = client.resource(resources.configMaps).watch('', { signal: ac.signal }, () => {});
  setTimeout(() => ac.abort(), 30);
  await watching;
});

test('open watches do not take the sockets requests use', async () => {
  const port = (server.address() as { port: number }).port;
  const one = new KubeClient({ ...client.config, server: `https://127.0.0.1:${port}` }, { maxSockets: 1 });
  handler = (req, _body, res) => {
    if (req.url?.includes('watch=true')) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('');
      return;
    }
    json(res, 200, { metadata: { name: 'x' } });
  };
  const ac = new AbortController();
  const watches = [1, 2].map(() => one.resource(resources.configMaps).watch('ns', { signal: ac.signal }, () => {}));
  // With one socket for everything, this GET would wait behind the watches for ever.
  const got = await one.resource<ConfigMap>(resources.configMaps).get('ns', 'x');
  assert.equal(got.metadata?.name, 'x');
  ac.abort();
  await Promise.all(watches);
  one.close();
});

test('idleSocketMs closes request connections left idle, and requests still work after', async () => {
  handler = (_req, _body, res) => json(res, 200, { kind: 'Status' });
  const port = (server.address() as { port: number }).port;
  const idle = new KubeClient({ ...client.config, server: `https://127.0.0.1:${port}` }, { idleSocketMs: 100 });
  const closed = new Promise<void>((r) => server.once('connection', (s) => s.once('close', () => r())));
  await idle.resource(resources.leases).delete('kube-system', 'l');
  // Well before the server's own keep-alive timeout (5 s) would close it.
  const late = new Promise((r) => setTimeout(() => r('still open'), 2000).unref());
  assert.equal(await Promise.race([closed, late]), undefined);
  await idle.resource(resources.leases).delete('kube-system', 'l');
  idle.close();
});
