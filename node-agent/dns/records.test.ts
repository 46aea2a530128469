import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Answer } from 'dns-packet';
import { ObjectCache } from '../../lib/client/cache.js';
import type { EndpointSlice, Service } from '../kube-types.js';
import { cacheView } from './cluster-view.js';
import { ClusterRecords, type Resolution } from './records.js';

function svc(ns: string, name: string, spec: Service['spec']): Service {
  return { metadata: { namespace: ns, name }, spec };
}

function slice(ns: string, service: string, name: string, endpoints: NonNullable<EndpointSlice['endpoints']>, ports: EndpointSlice['ports'] = []): EndpointSlice {
  return { metadata: { namespace: ns, name, labels: { 'kubernetes.io/service-name': service } }, addressType: 'IPv4', endpoints, ports };
}

function world() {
  const services = new ObjectCache<Service>();
  const slices = new ObjectCache<EndpointSlice>();
  // Indexes are added first and must still see objects added later (the informers fill them after).
  const records = new ClusterRecords(cacheView(services, slices), { domain: 'cluster.local', ttl: 30, dnsIPs: ['10.43.0.10'], serial: () => 1700000000 });
  services.set(svc('default', 'web', {
    type: 'ClusterIP', clusterIP: '10.43.0.20', clusterIPs: ['10.43.0.20'],
    ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }, { port: 9000, protocol: 'TCP' }],
  }));
  services.set(svc('default', 'db', { clusterIP: 'None', clusterIPs: ['None'], ports: [{ name: 'pg', port: 5432 }] }));
  slices.set(slice('default', 'db', 'db-abc', [
    { addresses: ['10.42.0.5'], hostname: 'db-0', conditions: { ready: true } },
    { addresses: ['10.42.0.6'], hostname: 'db-1' },
    { addresses: ['10.42.0.7'], hostname: 'db-2', conditions: { ready: false } },
    { addresses: ['10.42.1.8'], conditions: { ready: true } },
  ], [{ name: 'pg', port: 5432, protocol: 'TCP' }]));
  services.set(svc('default', 'empty', { clusterIP: 'None', clusterIPs: ['None'] }));
  slices.set(slice('default', 'empty', 'empty-x', [{ addresses: ['10.42.2.2'], conditions: { ready: false } }]));
  services.set(svc('default', 'eager', { clusterIP: 'None', publishNotReadyAddresses: true }));
  slices.set(slice('default', 'eager', 'eager-x', [{ addresses: ['10.42.2.3'], hostname: 'e-0', conditions: { ready: false } }]));
  services.set(svc('default', 'ext', { type: 'ExternalName', externalName: 'example.org' }));
  services.set(svc('other', 'dual', { clusterIP: '10.43.0.30', clusterIPs: ['10.43.0.30', 'fd00:43::30'] }));
  return { records, services, slices };
}

function answer(r: Resolution) {
  assert.equal(r.kind, 'answer');
  return r as Extract<Resolution, { kind: 'answer' }>;
}

const data = (answers: Answer[]) => answers.map((a) => ('data' in a ? a.data : undefined));

test('a ClusterIP Service answers its ClusterIP with TTL 30, whatever the case of the name', () => {
  const { records } = world();
  const r = answer(records.resolve('WEB.Default.svc.Cluster.Local.', 'A'));
  assert.equal(r.rcode, 'NOERROR');
  assert.deepEqual(r.answers, [{ name: 'WEB.Default.svc.Cluster.Local', type: 'A', ttl: 30, data: '10.43.0.20' }]);
});

test('the other address family is NODATA with the SOA; dual-stack Services answer both', () => {
  const { records } = world();
  const r = answer(records.resolve('web.default.svc.cluster.local', 'AAAA'));
  assert.equal(r.rcode, 'NOERROR');
  assert.deepEqual(r.answers, []);
  assert.equal(r.authorities[0].type, 'SOA');
  assert.deepEqual(r.authorities[0], {
    name: 'cluster.local', type: 'SOA', ttl: 30,
    data: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 1700000000, refresh: 7200, retry: 1800, expire: 86400, minimum: 30 },
  });
  assert.deepEqual(data(answer(records.resolve('dual.other.svc.cluster.local', 'AAAA')).answers), ['fd00:43::30']);
  assert.deepEqual(data(answer(records.resolve('dual.other.svc.cluster.local', 'A')).answers), ['10.43.0.30']);
});

test('unknown Services and namespaces are NXDOMAIN with the SOA; a namespace with Services is NODATA', () => {
  const { records } = world();
  for (const name of ['nope.default.svc.cluster.local', 'web.nons.svc.cluster.local', 'nons.svc.cluster.local', 'a.b.c.d.e.f.svc.cluster.local', 'x.cluster.local']) {
    const r = answer(records.resolve(name, 'A'));
    assert.equal(r.rcode, 'NXDOMAIN', name);
    assert.equal(r.authorities[0]?.type, 'SOA', name);
  }
  const ns = answer(records.resolve('default.svc.cluster.local', 'A'));
  assert.equal(ns.rcode, 'NOERROR');
  assert.deepEqual(ns.answers, []);
});

test('a headless Service answers one A per ready endpoint; none ready is NXDOMAIN', () => {
  const { records } = world();
  assert.deepEqual(data(answer(records.resolve('db.default.svc.cluster.local', 'A')).answers).sort(), ['10.42.0.5', '10.42.0.6', '10.42.1.8']);
  assert.equal(answer(records.resolve('empty.default.svc.cluster.local', 'A')).rcode, 'NXDOMAIN');
  // publishNotReadyAddresses publishes the unready ones too.
  assert.deepEqual(data(answer(records.resolve('eager.default.svc.cluster.local', 'A')).answers), ['10.42.2.3']);
  assert.deepEqual(data(answer(records.resolve('e-0.eager.default.svc.cluster.local', 'A')).answers), ['10.42.2.3']);
});

test('endpoint hostnames (StatefulSet pods) and dashed IPs name single endpoints', () => {
  const { records, slices } = world();
  assert.deepEqual(data(answer(records.resolve('db-0.db.default.svc.cluster.local', 'A')).answers), ['10.42.0.5']);
  assert.deepEqual(data(answer(records.resolve('10-42-1-8.db.default.svc.cluster.local', 'A')).answers), ['10.42.1.8']);
  // Not ready: not published.
  assert.equal(answer(records.resolve('db-2.db.default.svc.cluster.local', 'A')).rcode, 'NXDOMAIN');
  assert.equal(answer(records.resolve('db-9.db.default.svc.cluster.local', 'A')).rcode, 'NXDOMAIN');
  // The cache changing is seen at once (the indexes follow it).
  slices.delete('default/db-abc');
  assert.equal(answer(records.resolve('db-0.db.default.svc.cluster.local', 'A')).rcode, 'NXDOMAIN');
});

test('SRV: one per named port to the Service name, with its A in additionals; unnamed or unknown ports are NXDOMAIN', () => {
  const { records } = world();
  const r = answer(records.resolve('_http._tcp.web.default.svc.cluster.local', 'SRV'));
  assert.deepEqual(r.answers, [{ name: '_http._tcp.web.default.svc.cluster.local', type: 'SRV', ttl: 30, data: { priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' } }]);
  assert.deepEqual(r.additionals, [{ name: 'web.default.svc.cluster.local', type: 'A', ttl: 30, data: '10.43.0.20' }]);
  assert.equal(answer(records.resolve('_dns._udp.web.default.svc.cluster.local', 'SRV')).answers.length, 1);
  assert.equal(answer(records.resolve('_dns._tcp.web.default.svc.cluster.local', 'SRV')).rcode, 'NXDOMAIN');
  assert.equal(answer(records.resolve('_nope._tcp.web.default.svc.cluster.local', 'SRV')).rcode, 'NXDOMAIN');
  // The bare name lists every named port.
  assert.equal(answer(records.resolve('web.default.svc.cluster.local', 'SRV')).answers.length, 2);
});

test('headless SRV: one per ready endpoint, to the endpoint name, weights shared', () => {
  const { records } = world();
  const r = answer(records.resolve('_pg._tcp.db.default.svc.cluster.local', 'SRV'));
  const srv = r.answers.map((a) => (a.type === 'SRV' ? a.data : undefined));
  assert.deepEqual(srv.map((d) => d?.target).sort(), ['10-42-1-8.db.default.svc.cluster.local', 'db-0.db.default.svc.cluster.local', 'db-1.db.default.svc.cluster.local']);
  assert.ok(srv.every((d) => d?.port === 5432 && d.weight === 33 && d.priority === 0));
  assert.equal(r.additionals.length, 3);
});

test('ExternalName is a CNAME, chased for other types', () => {
  const { records } = world();
  const r = answer(records.resolve('ext.default.svc.cluster.local', 'A'));
  assert.deepEqual(r.answers, [{ name: 'ext.default.svc.cluster.local', type: 'CNAME', ttl: 30, data: 'example.org' }]);
  assert.equal(r.chase, 'example.org');
  assert.equal(answer(records.resolve('ext.default.svc.cluster.local', 'CNAME')).chase, undefined);
});

test('pod names answer the dashed IP (pods insecure); garbage is NXDOMAIN', () => {
  const { records } = world();
  assert.deepEqual(data(answer(records.resolve('10-42-0-99.anyns.pod.cluster.local', 'A')).answers), ['10.42.0.99']);
  assert.deepEqual(data(answer(records.resolve('fd00--1.anyns.pod.cluster.local', 'AAAA')).answers), ['fd00::1']);
  assert.deepEqual(answer(records.resolve('10-42-0-99.anyns.pod.cluster.local', 'AAAA')).answers, []);
  assert.equal(answer(records.resolve('10-42-0-999.anyns.pod.cluster.local', 'A')).rcode, 'NXDOMAIN');
});

test('PTR for Service and endpoint IPs; other addresses fall through to upstream', () => {
  const { records } = world();
  assert.deepEqual(data(answer(records.resolve('20.0.43.10.in-addr.arpa', 'PTR')).answers), ['web.default.svc.cluster.local']);
  assert.deepEqual(data(answer(records.resolve('5.0.42.10.in-addr.arpa', 'PTR')).answers), ['db-0.db.default.svc.cluster.local']);
  assert.deepEqual(data(answer(records.resolve('8.1.42.10.in-addr.arpa', 'PTR')).answers), ['10-42-1-8.db.default.svc.cluster.local']);
  const v6 = '0.3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.3.4.0.0.0.0.d.f.ip6.arpa';
  assert.deepEqual(data(answer(records.resolve(v6, 'PTR')).answers), ['dual.other.svc.cluster.local']);
  assert.deepEqual(records.resolve('1.1.168.192.in-addr.arpa', 'PTR'), { kind: 'forward' });
});

test('names outside the zone are forwarded; the zone apex and dns-version answer', () => {
  const { records } = world();
  assert.deepEqual(records.resolve('example.org', 'A'), { kind: 'forward' });
  assert.deepEqual(records.resolve('notcluster.local', 'A'), { kind: 'forward' });
  assert.deepEqual(answer(records.resolve('dns-version.cluster.local', 'TXT')).answers, [{ name: 'dns-version.cluster.local', type: 'TXT', ttl: 28800, data: '1.1.0' }]);
  assert.equal(answer(records.resolve('cluster.local', 'SOA')).answers[0].type, 'SOA');
  assert.deepEqual(data(answer(records.resolve('cluster.local', 'NS')).answers), ['ns.dns.cluster.local']);
  assert.deepEqual(data(answer(records.resolve('ns.dns.cluster.local', 'A')).answers), ['10.43.0.10']);
});

test('a cluster domain that is not DNS labels is refused', () => {
  assert.throws(() => new ClusterRecords(cacheView(new ObjectCache(), new ObjectCache()), { domain: 'bad_domain', ttl: 30, dnsIPs: [], serial: () => 1 }), /invalid cluster domain "bad_domain"/);
});
