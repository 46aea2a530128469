import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../lib/client/types.js';
import { endpointSubsets, findPort, planSlices, sliceEndpoint, slicePorts, truncateSubsets, type SliceEndpoint } from './endpoints-logic.js';
import type { EndpointSlice, Service } from './workload-types.js';

function svc(extra: Partial<NonNullable<Service['spec']>> = {}): Service {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'svc-uid' },
    spec: { clusterIP: '10.43.0.10', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], ...extra },
  };
}

function pod(name: string, ip: string, opts: { ready?: boolean; port?: number; deleting?: boolean; phase?: string; hostname?: string; subdomain?: string } = {}): Pod {
  return {
    metadata: { name, namespace: 'default', uid: `${name}-uid`, labels: { app: 'web' }, ...(opts.deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: 'n1', hostname: opts.hostname, subdomain: opts.subdomain, containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: opts.port ?? 8080 }] }] },
    status: { phase: opts.phase ?? 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}

test('named target ports are resolved per pod; pods without the port are left out', () => {
  const s = svc();
  assert.equal(findPort(pod('a', '10.0.0.1'), s.spec!.ports![0]), 8080);
  assert.equal(findPort(pod('a', '10.0.0.1'), { port: 80, targetPort: 9000 }), 9000);
  const other: Pod = { ...pod('b', '10.0.0.2'), spec: { containers: [{ name: 'c', image: 'x' }] } };
  assert.equal(findPort(other, s.spec!.ports![0]), undefined);
});

test('Endpoints: one subset per port set, ready and not-ready apart, sorted by address', () => {
  const subsets = endpointSubsets(svc(), [pod('b', '10.0.0.2'), pod('a', '10.0.0.1'), pod('c', '10.0.0.3', { ready: false }), pod('d', '10.0.0.4', { port: 9090 })]);
  assert.deepEqual(subsets.map((s) => [s.addresses?.map((a) => a.ip), s.notReadyAddresses?.map((a) => a.ip), s.ports?.map((p) => p.port)]), [
    [['10.0.0.1', '10.0.0.2'], ['10.0.0.3'], [8080]],
    [['10.0.0.4'], undefined, [9090]],
  ]);
  assert.deepEqual(subsets[0].addresses?.[0].targetRef, { kind: 'Pod', namespace: 'default', name: 'a', uid: 'a-uid' });
  assert.equal(subsets[0].addresses?.[0].nodeName, 'n1');
});

test('terminating and finished pods leave; publishNotReadyAddresses keeps unready ones ready', () => {
  const gone = endpointSubsets(svc(), [pod('a', '10.0.0.1', { deleting: true }), pod('b', '10.0.0.2', { phase: 'Succeeded' })]);
  assert.deepEqual(gone, []);
  const pub = endpointSubsets(svc({ publishNotReadyAddresses: true }), [pod('c', '10.0.0.3', { ready: false })]);
  assert.deepEqual(pub[0].addresses?.map((a) => a.ip), ['10.0.0.3']);
});

test('hostnames only for pods in the service subdomain; headless services without ports', () => {
  const s = svc({ clusterIP: 'None', ports: [] });
  const subsets = endpointSubsets(s, [pod('a', '10.0.0.1', { hostname: 'a', subdomain: 'web' }), pod('b', '10.0.0.2', { hostname: 'b', subdomain: 'other' })]);
  assert.deepEqual(subsets[0].addresses?.map((a) => [a.ip, a.hostname]), [['10.0.0.1', 'a'], ['10.0.0.2', undefined]]);
  assert.equal(subsets[0].ports, undefined);
});

test('more than 1000 addresses are truncated, ready ones first', () => {
  const subsets = [{ addresses: Array.from({ length: 900 }, (_, i) => ({ ip: `10.0.${i >> 8}.${i & 255}` })), notReadyAddresses: Array.from({ length: 300 }, (_, i) => ({ ip: `10.1.${i >> 8}.${i & 255}` })) }];
  assert.equal(truncateSubsets(subsets), true);
  assert.deepEqual([subsets[0].addresses.length, subsets[0].notReadyAddresses.length], [900, 100]);
});

test('slice endpoints: ready only when serving and not terminating, unless unready ones are published', () => {
  const zone = { metadata: { name: 'n1', labels: { 'topology.kubernetes.io/zone': 'z1' } } };
  assert.deepEqual(sliceEndpoint(pod('a', '10.0.0.1'), zone, svc()), {
    addresses: ['10.0.0.1'], conditions: { ready: true, serving: true, terminating: false },
    targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'a-uid' }, nodeName: 'n1', zone: 'z1',
  });
  assert.deepEqual(sliceEndpoint(pod('b', '10.0.0.2', { deleting: true }), undefined, svc())?.conditions, { ready: false, serving: true, terminating: true });
  assert.deepEqual(sliceEndpoint(pod('c', '10.0.0.3', { ready: false }), undefined, svc({ publishNotReadyAddresses: true }))?.conditions, { ready: true, serving: false, terminating: false });
  assert.deepEqual(slicePorts(svc(), pod('a', '10.0.0.1')), [{ name: 'http', port: 8080, protocol: 'TCP' }]);
});

test('slices: at most 100 endpoints each, updated in place, a placeholder when nothing is selected', () => {
  const ports = [{ name: 'http', port: 8080, protocol: 'TCP' }];
  const ep = (i: number): SliceEndpoint => ({ addresses: [`10.0.${i >> 8}.${i & 255}`], conditions: { ready: true }, targetRef: { kind: 'Pod', uid: `u${i}` } });
  const want = (n: number) => new Map([['http/8080/TCP/', { ports, endpoints: Array.from({ length: n }, (_, i) => ep(i)) }]]);
  const fresh = planSlices([], want(250), 100);
  assert.deepEqual(fresh.create.map((c) => c.endpoints.length), [100, 100, 50]);
  const existing: EndpointSlice = { metadata: { name: 'web-abc' }, addressType: 'IPv4', ports, endpoints: Array.from({ length: 60 }, (_, i) => ep(i)) };
  const grown = planSlices([existing], want(120), 100);
  assert.deepEqual(grown.update.map((u) => u.endpoints.length), [100], 'new endpoints fill the slice with room first');
  assert.deepEqual(grown.create.map((c) => c.endpoints.length), [20]);
  const same = planSlices([existing], want(60), 100);
  assert.deepEqual([same.create.length, same.update.length, same.delete.length], [0, 0, 0], 'nothing changed: no writes');
  const none = planSlices([existing], new Map(), 100);
  assert.deepEqual([none.create, none.delete.map((s) => s.metadata?.name)], [[{ ports: [], endpoints: [] }], ['web-abc']]);
});
