// The proxy and its listeners on loopback, with real HTTP and WebSocket backends (no cluster):
// forwarded headers, 404 and redirect answers, retry past a refusing endpoint, upgrades, and an
// upload that streams.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { EventEmitter, once } from 'node:events';
import { WebSocket, WebSocketServer } from 'ws';
import { pino } from 'pino';
import type { Ingress } from '../../lib/ingress.js';
import { ensureCA, ensureCertificate } from '../../lib/pki.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IngressProxy, type ProxyState } from './ingress-proxy.js';
import { startListeners, type Listeners } from './listeners.js';
import { IngressMetrics } from './metrics.js';
import { buildRoutes } from './route-table.js';
import { createSecureContext } from 'node:tls';

let backend: Server;
let backendPort: number;
let wss: WebSocketServer;
let wsPort: number;
let listeners: Listeners;
let proxy: IngressProxy;
const metrics = new IngressMetrics();
// What the backend has of the upload so far, for the streaming test.
const uploadReceived = new EventEmitter();
const dir = mkdtempSync(join(tmpdir(), 'ingress-proxy-test-'));

const ing: Ingress = {
  metadata: { name: 'web', namespace: 'ns', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { rules: [{ host: 'app.test', http: { paths: [
    { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } },
    { path: '/ws', pathType: 'Prefix', backend: { service: { name: 'ws', port: { name: 'ws' } } } },
  ] } }] },
};
const secure: Ingress = { metadata: { name: 'secure', namespace: 'ns', creationTimestamp: '2026-01-01T00:00:00Z', annotations: { 'ingress.k8ts.io/ssl-redirect': 'true' } }, spec: { rules: [{ host: 'secure.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } };

// A port nothing listens on: the first endpoint tried refuses.
const refusing = { ip: '127.0.0.1', port: 1, address: '127.0.0.1:1' };

before(async () => {
  backend = createServer((req, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => {
      bytes += c.length;
      if (req.url === '/upload') uploadReceived.emit('bytes', bytes);
    });
    req.on('end', () => res.end(JSON.stringify({ url: req.url, bytes, headers: req.headers })));
  });
  backend.listen(0, '127.0.0.1');
  await once(backend, 'listening');
  backendPort = (backend.address() as { port: number }).port;
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  wsPort = (wss.address() as { port: number }).port;
  wss.on('connection', (s) => s.on('message', (m, isBinary) => s.send(m, { binary: isBinary })));
  const state: ProxyState = {
    routes: buildRoutes([ing, secure]),
    upstreams: new Map([
      ['ns/web#80', [refusing, { ip: '127.0.0.1', port: backendPort, address: `127.0.0.1:${backendPort}` }]],
      ['ns/ws@ws', [refusing, { ip: '127.0.0.1', port: wsPort, address: `127.0.0.1:${wsPort}` }]],
    ]),
  };
  const ca = ensureCA(dir, 'ca', 'test-ca');
  const cert = ensureCertificate(dir, 'default', ca, { commonName: 'default', usage: 'server' });
  proxy = new IngressProxy({ state: () => state, httpsPort: () => listeners.httpsPort, metrics, log: pino({ level: 'silent' }) });
  listeners = await startListeners({ proxy, address: '127.0.0.1', httpPort: 0, httpsPort: 0, defaultCert: cert, sni: () => createSecureContext(cert) });
});

after(async () => {
  await listeners?.close();
  proxy?.close();
  backend?.close();
  wss?.close();
  rmSync(dir, { recursive: true, force: true });
});

function get(path: string, host: string, body?: Buffer | (() => AsyncIterable<Buffer>)): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: listeners.httpPort, path, method: body ? 'POST' : 'GET', headers: { host, 'x-forwarded-for': '6.6.6.6' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    if (typeof body === 'function') void (async () => {
      for await (const chunk of body()) if (!req.write(chunk)) await once(req, 'drain');
      req.end();
    })();
    else req.end(body);
  });
}

test('a request reaches the backend past an endpoint that refuses, with X-Forwarded-* set (a forged one dropped)', async () => {
  for (let i = 0; i < 4; i++) {
    const r = await get('/a/b?q=1', 'app.test:8080');
    assert.equal(r.status, 200);
    const seen = JSON.parse(r.text) as { url: string; headers: Record<string, string> };
    assert.equal(seen.url, '/a/b?q=1');
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(seen.headers['x-forwarded-proto'], 'http');
    assert.equal(seen.headers['x-forwarded-host'], 'app.test:8080');
    assert.equal(seen.headers.host, 'app.test:8080');
  }
  assert.match(metrics.registry.expose(), /k8ts_ingress_requests_total\{code="200",ingress="web",namespace="ns",service="web"\} 4/);
});

test('no rule: 404 with a body that says why; ssl-redirect: 308 to https', async () => {
  const r = await get('/', 'nobody.test');
  assert.equal(r.status, 404);
  assert.match(r.text, /no Ingress rule matches host "nobody.test" and path "\/"/);
  const s = await get('/x?y=1', 'secure.test');
  assert.equal(s.status, 308);
  assert.equal(s.headers.location, `https://secure.test:${listeners.httpsPort}/x?y=1`);
});

test('a WebSocket echoes through the proxy', async () => {
  const ws = new WebSocket(`ws://127.0.0.1:${listeners.httpPort}/ws`, { headers: { host: 'app.test' } });
  await once(ws, 'open');
  ws.send('hello through the ingress');
  const [msg] = await once(ws, 'message') as [Buffer];
  assert.equal(msg.toString(), 'hello through the ingress');
  ws.close();
});

test('a 64 MiB upload streams to the backend without the proxy holding it', async () => {
  const chunk = Buffer.alloc(1 << 20, 7);
  // Halfway through, the client waits for the backend to have part of the body. A proxy that held
  // the body until its end would never pass it on, and the wait times out.
  const backendHas = (atLeast: number) => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the backend got less than ${atLeast >> 20} MiB while the client was still sending: the proxy holds the body`)), 10_000);
    const onBytes = (bytes: number) => {
      if (bytes < atLeast) return;
      clearTimeout(timer);
      uploadReceived.off('bytes', onBytes);
      resolve();
    };
    uploadReceived.on('bytes', onBytes);
  });
  const r = await get('/upload', 'app.test', async function* () {
    for (let i = 0; i < 64; i++) {
      if (i === 32) await backendHas(1 << 20);
      yield chunk;
    }
  });
  assert.equal(r.status, 200);
  assert.equal((JSON.parse(r.text) as { bytes: number }).bytes, 64 << 20);
});
