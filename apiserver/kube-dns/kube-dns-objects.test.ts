import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '../../lib/client/types.js';
import { kubeDnsService, kubeDnsSlice, serviceDrift, sliceUpToDate, wantedSlice } from './kube-dns-objects.js';

function node(name: string, ip: string, ready: boolean, zone?: string): Node {
  return {
    metadata: { name, labels: { 'k8ts.io/dns': 'true', ...(zone ? { 'topology.kubernetes.io/zone': zone } : {}) } },
    status: { addresses: [{ type: 'Hostname', address: name }, { type: 'InternalIP', address: ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

test('kube-dns has the upstream shape: ports dns/dns-tcp/metrics, k8s-app label, no selector', () => {
  const svc = kubeDnsService('10.43.0.10');
  assert.equal(svc.metadata?.namespace, 'kube-system');
  assert.equal(svc.metadata?.labels?.['k8s-app'], 'kube-dns');
  assert.equal(svc.metadata?.labels?.['kubernetes.io/name'], 'CoreDNS');
  assert.deepEqual(svc.spec?.ports?.map((p) => `${p.name}:${p.port}/${p.protocol}`), ['dns:53/UDP', 'dns-tcp:53/TCP', 'metrics:9153/TCP']);
  assert.equal(svc.spec?.selector, undefined);
  assert.equal(svc.spec?.clusterIP, '10.43.0.10');
});

test('an edited kube-dns is patched back; one in shape is left alone; a ClusterIP elsewhere is reported', () => {
  const ok = kubeDnsService('10.43.0.10');
  assert.deepEqual(serviceDrift(ok, '10.43.0.10'), {});
  const withSelector = { ...ok, spec: { ...ok.spec, selector: { 'k8s-app': 'kube-dns' } } };
  assert.deepEqual((serviceDrift(withSelector, '10.43.0.10').patch?.spec as Record<string, unknown>).selector, null);
  const fewerPorts = { ...ok, spec: { ...ok.spec, ports: ok.spec!.ports!.slice(0, 1) } };
  assert.ok(serviceDrift(fewerPorts, '10.43.0.10').patch);
  assert.equal(serviceDrift(ok, '10.43.0.53').clusterIPMismatch, '10.43.0.10');
});

test('the slice lists DNS nodes by InternalIP, ready as their node, sorted, with the DNS ports', () => {
  const s = wantedSlice([node('b', '192.168.1.3', false), node('a', '192.168.1.2', true, 'z1'), { metadata: { name: 'noip' }, status: {} }]);
  assert.equal(s.addressType, 'IPv4');
  assert.deepEqual(s.endpoints, [
    { addresses: ['192.168.1.2'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'a', zone: 'z1' },
    { addresses: ['192.168.1.3'], conditions: { ready: false, serving: false, terminating: false }, nodeName: 'b' },
  ]);
  assert.deepEqual(s.ports, [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }, { name: 'metrics', port: 9153, protocol: 'TCP' }]);
});

test('the slice is managed by k8ts (so the endpointslice controller leaves it), owned by the Service, and compared field by field', () => {
  const svc = { ...kubeDnsService('10.43.0.10'), metadata: { ...kubeDnsService('10.43.0.10').metadata, uid: 'u1' } };
  const wanted = kubeDnsSlice(svc, [node('a', '192.168.1.2', true)]);
  assert.equal(wanted.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'], 'cluster-dns.k8ts.io');
  assert.equal(wanted.metadata?.labels?.['kubernetes.io/service-name'], 'kube-dns');
  assert.equal(wanted.metadata?.ownerReferences?.[0].uid, 'u1');
  // The same content with keys in another order (as a server may return it) is up to date.
  const reordered = JSON.parse(JSON.stringify({ ...wanted, endpoints: wanted.endpoints?.map((e) => ({ nodeName: e.nodeName, conditions: { terminating: false, serving: true, ready: true }, addresses: e.addresses })) }));
  assert.equal(sliceUpToDate(reordered, wanted), true);
  assert.equal(sliceUpToDate(kubeDnsSlice(svc, [node('a', '192.168.1.2', false)]), wanted), false);
  assert.equal(sliceUpToDate(kubeDnsSlice(svc, []), wanted), false);
});
