import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { EndpointSlice, Service } from '../kube-types.js';
import { buildProxyRules, withStaleChainsDeleted } from './rules.js';
import { categorizeEndpoints, servicePortsOf, type ProxyServicePort } from './service-ports.js';

const cfg = { clusterCIDR: '10.42.0.0/16', localhostNodePorts: true, randomFully: true, nodeIP: '192.0.2.10' };

function service(name: string, spec: Record<string, unknown>, ns = 'default'): Service {
  return { metadata: { name, namespace: ns }, spec: { clusterIP: '10.43.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...spec } } as Service;
}

function slice(service: string, eps: Array<{ ip: string; node?: string; ready?: boolean; serving?: boolean; terminating?: boolean }>, port = 8080): EndpointSlice {
  return {
    metadata: { name: `${service}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': service } }, addressType: 'IPv4',
    ports: [{ name: 'http', port, protocol: 'TCP' }],
    endpoints: eps.map((e) => ({ addresses: [e.ip], nodeName: e.node ?? 'n1', conditions: { ready: e.ready ?? true, serving: e.serving ?? e.ready ?? true, terminating: e.terminating ?? false } })),
  } as EndpointSlice;
}

const lines = (text: string, re: RegExp) => text.split('\n').filter((l) => re.test(l));

test('a ClusterIP service spreads over its endpoints with kube-proxy\'s probabilities, hairpin masquerade and DNAT', () => {
  const ports = servicePortsOf([service('web', {})], [slice('web', [{ ip: '10.42.0.7' }, { ip: '10.42.0.5' }, { ip: '10.42.1.9', node: 'n2' }])], 'n1');
  const { text } = buildProxyRules(ports, cfg);
  const svc = 'KUBE-SVC-' + /-j (KUBE-SVC-[A-Z2-7]{16})/.exec(text)![1]!.slice(9);
  assert.deepEqual(lines(text, /^-A KUBE-SERVICES .*cluster IP/), [`-A KUBE-SERVICES -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d 10.43.0.20 --dport 80 -j ${svc}`]);
  const dispatch = lines(text, new RegExp(`^-A ${svc} .*->`));
  assert.equal(dispatch.length, 3);
  assert.match(dispatch[0]!, /"default\/web:http -> 10\.42\.0\.5:8080" -m statistic --mode random --probability 0\.3333333333 -j KUBE-SEP-/);
  assert.match(dispatch[1]!, /-> 10\.42\.0\.7:8080" -m statistic --mode random --probability 0\.5000000000 -j KUBE-SEP-/);
  assert.doesNotMatch(dispatch[2]!, /statistic/);
  assert.match(text, new RegExp(`-A ${svc} -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d 10.43.0.20 --dport 80 ! -s 10.42.0.0/16 -j KUBE-MARK-MASQ`));
  assert.match(text, /-A KUBE-SEP-\w+ -m comment --comment default\/web:http -s 10\.42\.1\.9 -j KUBE-MARK-MASQ/);
  assert.match(text, /-A KUBE-SEP-\w+ -m comment --comment default\/web:http -m tcp -p tcp -j DNAT --to-destination 10\.42\.1\.9:8080/);
  // The node-port catch-all stays last in KUBE-SERVICES.
  assert.match(lines(text, /^-A KUBE-SERVICES /).at(-1)!, /kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS$/);
});

test('no endpoints: REJECT in filter, nothing in nat; headless and ExternalName services get no rules', () => {
  const ports = servicePortsOf([service('empty', { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }] }), service('hl', { clusterIP: 'None' }), service('ext', { type: 'ExternalName', externalName: 'example.com' })], [], 'n1');
  assert.equal(ports.length, 1);
  const { text, natChains } = buildProxyRules(ports, cfg);
  assert.ok(text.includes('-A KUBE-SERVICES -m comment --comment "default/empty:http has no endpoints" -m tcp -p tcp -d 10.43.0.20 --dport 80 -j REJECT'));
  assert.ok(text.includes('-A KUBE-EXTERNAL-SERVICES -m comment --comment "default/empty:http has no endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30080 -j REJECT'));
  assert.deepEqual([...natChains].filter((c) => /SVC|SEP|EXT/.test(c)), []);
});

test('terminating endpoints that still serve are used only when none is ready', () => {
  const sp = servicePortsOf([service('web', {})], [slice('web', [{ ip: '10.42.0.5', ready: false, serving: true, terminating: true }, { ip: '10.42.0.6', ready: false, serving: false, terminating: true }])], 'n1')[0]!;
  assert.deepEqual(categorizeEndpoints(sp).cluster.map((e) => e.ip), ['10.42.0.5']);
  const withReady: ProxyServicePort = { ...sp, endpoints: [...sp.endpoints, { ip: '10.42.0.9', port: 8080, ready: true, serving: true, terminating: false, local: false }] };
  assert.deepEqual(categorizeEndpoints(withReady).cluster.map((e) => e.ip), ['10.42.0.9']);
});

test('externalTrafficPolicy Local: node ports reach local endpoints only, pods and the node any', () => {
  const svc = service('web', { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, nodePort: 30080 }] });
  const remoteOnly = buildProxyRules(servicePortsOf([svc], [slice('web', [{ ip: '10.42.1.9', node: 'n2' }])], 'n1'), cfg).text;
  assert.ok(remoteOnly.includes('"default/web:http has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30080 -j DROP'));
  assert.match(remoteOnly, /-A KUBE-EXT-\w+ -m comment --comment "pod traffic for default\/web:http external destinations" -s 10\.42\.0\.0\/16 -j KUBE-SVC-/);
  assert.doesNotMatch(remoteOnly, /-A KUBE-EXT-\w+ -j KUBE-SVL-/);
  const local = buildProxyRules(servicePortsOf([svc], [slice('web', [{ ip: '10.42.0.3' }, { ip: '10.42.1.9', node: 'n2' }])], 'n1'), cfg).text;
  assert.match(local, /-A KUBE-EXT-\w+ -j KUBE-SVL-\w+/);
  assert.deepEqual(lines(local, /^-A KUBE-SVL-.*->/).map((l) => /-> ([\d.:]+)"/.exec(l)![1]), ['10.42.0.3:8080']);
});

test('ClientIP affinity checks the recent list before the random pick, and sets it on DNAT', () => {
  const svc = service('sticky', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } });
  const { text } = buildProxyRules(servicePortsOf([svc], [slice('sticky', [{ ip: '10.42.0.5' }, { ip: '10.42.0.6' }])], 'n1'), cfg);
  const svcLines = lines(text, /^-A KUBE-SVC-/).filter((l) => l.includes('->'));
  assert.match(svcLines[0]!, /-m recent --name KUBE-SEP-\w+ --rcheck --seconds 60 --reap -j KUBE-SEP-/);
  assert.match(svcLines[2]!, /--probability 0\.5000000000/);
  assert.match(text, /-m recent --name KUBE-SEP-\w+ --set -m tcp -p tcp -j DNAT --to-destination 10\.42\.0\.5:8080/);
});

test('iptables-restore accepts the rules (checked with --test, nothing applied)', { skip: process.getuid?.() !== 0 || spawnSync('iptables-restore', ['--version']).status !== 0 }, () => {
  const svcs = [
    service('web', { type: 'LoadBalancer', ports: [{ name: 'http', port: 80, nodePort: 30080 }], externalIPs: ['198.51.100.7'], loadBalancerSourceRanges: ['192.0.2.0/24'], sessionAffinity: 'ClientIP' }),
    service('empty', { clusterIP: '10.43.0.21' }),
  ];
  svcs[0]!.status = { loadBalancer: { ingress: [{ ip: '198.51.100.8' }] } };
  const { text } = buildProxyRules(servicePortsOf(svcs, [slice('web', [{ ip: '10.42.0.5' }, { ip: '10.42.0.6' }])], 'n1'), cfg);
  const r = spawnSync('iptables-restore', ['--test', '--noflush'], { input: text, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('a partial sync writes the shared chains whole and only the changed service\'s own chains', () => {
  const ports = servicePortsOf([service('a', {}), service('b', { clusterIP: '10.43.0.21' })], [slice('a', [{ ip: '10.42.0.5' }]), slice('b', [{ ip: '10.42.0.6' }])], 'n1');
  const full = buildProxyRules(ports, cfg);
  const partial = buildProxyRules(ports, cfg, new Set(['default/b:http']));
  assert.equal(lines(partial.text, /^-A KUBE-SERVICES .*cluster IP/).length, 2);
  assert.equal(lines(partial.text, /^:KUBE-SVC-/).length, 1);
  assert.ok(partial.text.includes('-> 10.42.0.6:8080'));
  assert.ok(!partial.text.includes('-> 10.42.0.5:8080'));
  assert.deepEqual([...partial.natChains].sort(), [...full.natChains].sort(), 'unwritten chains are still wanted');
  // A chain no service wants any more is flushed and deleted.
  const text = withStaleChainsDeleted(partial, ['KUBE-SERVICES', 'KUBE-SVC-AAAAAAAAAAAAAAAA', ...full.natChains]);
  assert.match(text, /\*nat\n:KUBE-SVC-AAAAAAAAAAAAAAAA - \[0:0\]\n/);
  assert.match(text, /-X KUBE-SVC-AAAAAAAAAAAAAAAA\nCOMMIT\n$/);
  assert.equal(withStaleChainsDeleted(full, full.natChains), full.text);
});
