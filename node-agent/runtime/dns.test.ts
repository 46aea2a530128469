import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResolvConf, podDNSConfig } from './dns.js';
import type { Pod } from '../kube-types.js';

const host = parseResolvConf('# host\nnameserver 10.0.0.2\nnameserver 10.0.0.3\nsearch corp.example. lab\noptions edns0 ndots:1\n');
const cluster = { servers: ['10.43.0.10'], domain: 'cluster.local' };
const pod = (spec: Record<string, unknown> = {}): Pod => ({ metadata: { name: 'p', namespace: 'team', uid: 'u' }, spec: { containers: [], ...spec } }) as Pod;

test('parses resolv.conf', () => {
  assert.deepEqual(host, { nameservers: ['10.0.0.2', '10.0.0.3'], searches: ['corp.example', 'lab'], options: ['edns0', 'ndots:1'] });
});

test('ClusterFirst: cluster DNS, namespace search paths before the host ones, ndots:5', () => {
  assert.deepEqual(podDNSConfig(pod(), cluster, host).config, {
    servers: ['10.43.0.10'],
    searches: ['team.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'lab'],
    options: ['ndots:5'],
  });
});

test('host network with ClusterFirst falls back to the host resolver; ClusterFirstWithHostNet does not', () => {
  assert.deepEqual(podDNSConfig(pod({ hostNetwork: true }), cluster, host).config.servers, ['10.0.0.2', '10.0.0.3']);
  assert.deepEqual(podDNSConfig(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), cluster, host).config.servers, ['10.43.0.10']);
});

test('Default uses the host config, None only the pod dnsConfig', () => {
  assert.deepEqual(podDNSConfig(pod({ dnsPolicy: 'Default' }), cluster, host).config, { servers: ['10.0.0.2', '10.0.0.3'], searches: ['corp.example', 'lab'], options: ['edns0', 'ndots:1'] });
  const none = podDNSConfig(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['a.b'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } }), cluster, host);
  assert.deepEqual(none.config, { servers: ['1.1.1.1'], searches: ['a.b'], options: ['ndots:2', 'edns0'] });
});

test('dnsConfig options override by name; limits are enforced with an event', () => {
  const r = podDNSConfig(pod({ dnsConfig: { nameservers: ['1.1.1.1', '8.8.8.8', '9.9.9.9'], options: [{ name: 'ndots', value: '1' }] } }), cluster, host);
  assert.deepEqual(r.config.options, ['ndots:1']);
  assert.deepEqual(r.config.servers, ['10.43.0.10', '1.1.1.1', '8.8.8.8']);
  assert.equal(r.warnings[0]?.reason, 'DNSConfigForming');
});

test('no cluster DNS configured: falls back to Default with a MissingClusterDNS event', () => {
  const r = podDNSConfig(pod(), { servers: [], domain: 'cluster.local' }, host);
  assert.deepEqual(r.config.servers, ['10.0.0.2', '10.0.0.3']);
  assert.equal(r.warnings[0]?.reason, 'MissingClusterDNS');
});
