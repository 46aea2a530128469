import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice, Service } from '../kube-types.js';
import { Balancer } from './balancer.js';
import { backendKey, indexUpstreams, type Upstream } from './backends.js';
import { clientAddress, forwardedHeaders } from './forwarded.js';

const svc: Service = { metadata: { namespace: 'ns', name: 'web' }, spec: { clusterIP: '10.43.0.5', ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'dns', port: 53, protocol: 'UDP' }] } };
const slice = (eps: Array<[string, { ready?: boolean; serving?: boolean; terminating?: boolean }]>): EndpointSlice => ({
  metadata: { namespace: 'ns', name: 'web-x', labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4',
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }],
  endpoints: eps.map(([ip, conditions]) => ({ addresses: [ip], conditions })),
});

test('a backend names its Service port by number or by name; both reach the ready endpoints on the target port', () => {
  const index = indexUpstreams([svc], [slice([['10.42.0.2', { ready: true }], ['10.42.0.3', { ready: false }], ['10.42.0.4', {}]])], 'n1');
  const want = ['10.42.0.2:8080', '10.42.0.4:8080'];
  assert.deepEqual(index.get(backendKey({ namespace: 'ns', service: 'web', port: { number: 80 } }))?.map((u) => u.address), want);
  assert.deepEqual(index.get(backendKey({ namespace: 'ns', service: 'web', port: { name: 'http' } }))?.map((u) => u.address), want);
  // UDP ports are not HTTP backends.
  assert.equal(index.get('ns/web@dns'), undefined);
});

test('serving-but-terminating endpoints are used only while none is ready', () => {
  const index = indexUpstreams([svc], [slice([['10.42.0.2', { ready: false, serving: true, terminating: true }], ['10.42.0.3', { ready: false, serving: false, terminating: true }]])], 'n1');
  assert.deepEqual(index.get('ns/web#80')?.map((u) => u.address), ['10.42.0.2:8080']);
});

const ups: Upstream[] = ['a', 'b', 'c'].map((x) => ({ ip: x, port: 1, address: `${x}:1` }));

test('round robin across endpoints; a failed one is skipped for a while unless all failed; never twice in one request', () => {
  let now = 1000;
  const b = new Balancer(() => now);
  assert.deepEqual([0, 1, 2, 3].map(() => b.pick('k', ups, new Set())?.ip), ['a', 'b', 'c', 'a']);
  b.failed(ups[1]);
  const picks = Array.from({ length: 6 }, () => b.pick('k', ups, new Set())?.ip);
  assert.ok(!picks.includes('b'), picks.join());
  assert.equal(b.pick('k', ups, new Set(['a:1', 'c:1']))?.ip, 'b', 'a failed endpoint is still better than none');
  assert.equal(b.pick('k', ups, new Set(['a:1', 'b:1', 'c:1'])), undefined);
  now += 6000;
  assert.ok(Array.from({ length: 3 }, () => b.pick('k', ups, new Set())?.ip).includes('b'), 'tried again after 5 s');
  assert.equal(b.pick('k', [], new Set()), undefined);
});

test('forwarded headers: the client as a dotted quad, forged X-Forwarded-* and hop-by-hop headers dropped, upgrades kept', () => {
  assert.equal(clientAddress('::ffff:192.0.2.7'), '192.0.2.7');
  assert.equal(clientAddress('2001:db8::1'), '2001:db8::1');
  const h = forwardedHeaders({ host: 'app.test', connection: 'keep-alive, x-secret', 'x-secret': 's', 'keep-alive': 'timeout=5', 'x-forwarded-for': '6.6.6.6', 'x-forwarded-host': 'evil', accept: '*/*' }, { client: '192.0.2.7', proto: 'https', port: 443 });
  assert.deepEqual(h, { host: 'app.test', accept: '*/*', 'x-forwarded-for': '192.0.2.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.test', 'x-forwarded-port': '443', 'x-real-ip': '192.0.2.7' });
  const u = forwardedHeaders({ host: 'h', connection: 'Upgrade', upgrade: 'websocket' }, { client: '1.2.3.4', proto: 'http', port: 80 }, true);
  assert.equal(u.connection, 'upgrade');
  assert.equal(u.upgrade, 'websocket');
});
