import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice, Service } from '../kube-types.js';
import { servicePortRules } from './rules.js';
import { servicePortsOf } from './service-ports.js';
import { planSync, type PortEntry } from './sync-plan.js';

const cfg = { clusterCIDR: '10.42.0.0/16', localhostNodePorts: true, randomFully: true };

function service(name: string, ip: string): Service {
  return { metadata: { name, namespace: 'default' }, spec: { clusterIP: ip, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } } as Service;
}
function slice(service: string, ips: string[]): EndpointSlice {
  return {
    metadata: { name: `${service}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': service } }, addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: ips.map((ip) => ({ addresses: [ip], nodeName: 'n1', conditions: { ready: true } })),
  } as EndpointSlice;
}
function entries(services: Service[], slices: EndpointSlice[]): Map<string, PortEntry> {
  return new Map(servicePortsOf(services, slices, 'n1').map((sp) => [sp.portName, { sp, fingerprint: JSON.stringify(sp), rules: servicePortRules(sp, cfg) }]));
}
const lines = (text: string, re: RegExp) => text.split('\n').filter((l) => re.test(l));

const a = service('a', '10.43.0.20');
const b = service('b', '10.43.0.21');
const before = entries([a, b], [slice('a', ['10.42.0.5']), slice('b', ['10.42.0.6'])]);

test('a partial sync writes only the changed port\'s chains and edits the shared ones by rule', () => {
  const after = entries([a, b], [slice('a', ['10.42.0.5']), slice('b', ['10.42.0.7'])]);
  const plan = planSync('partial', before, after, cfg);
  assert.deepEqual(plan.changed, ['default/b:http']);
  // No shared chain is declared (that would flush it), and the service's cluster IP rule is unchanged.
  assert.deepEqual(lines(plan.text, /^:KUBE-(SERVICES|NODEPORTS|POSTROUTING)/), []);
  assert.deepEqual(lines(plan.text, /^-[ADI] KUBE-SERVICES/), []);
  assert.ok(plan.text.includes('-> 10.42.0.7:8080'));
  assert.ok(!plan.text.includes('10.42.0.5'), 'the unchanged service is not written');
  // The old endpoint's chain is flushed and deleted.
  const oldSep = before.get('default/b:http')!.rules.chains.find((c) => c.startsWith('KUBE-SEP-'))!;
  assert.match(plan.text, new RegExp(`^:${oldSep} - \\[0:0\\]$`, 'm'));
  assert.match(plan.text, new RegExp(`^-X ${oldSep}$`, 'm'));
});

test('losing the last endpoint moves the service from nat to a filter REJECT, rule by rule; the catch-all stays last', () => {
  const after = entries([a, b], [slice('a', ['10.42.0.5'])]);
  const { text } = planSync('partial', before, after, cfg);
  assert.deepEqual(lines(text, /^-D KUBE-SERVICES/).map((l) => /comment "([^"]+)"/.exec(l)![1]), ['default/b:http cluster IP']);
  assert.match(text, /^-A KUBE-SERVICES -m comment --comment "default\/b:http has no endpoints" .* -j REJECT --reject-with tcp-reset$/m);
  // Back again: the nat rule is inserted at the top, never after the node-port catch-all.
  const { text: back } = planSync('partial', after, before, cfg);
  assert.match(back, /^-I KUBE-SERVICES 1 -m comment --comment "default\/b:http cluster IP" /m);
  assert.match(back, /^-D KUBE-SERVICES -m comment --comment "default\/b:http has no endpoints"/m);
});

test('nothing changed: a partial sync has nothing to write', () => {
  assert.deepEqual(planSync('partial', before, entries([a, b], [slice('a', ['10.42.0.5']), slice('b', ['10.42.0.6'])]), cfg).changed, []);
});

test('a periodic sync rewrites the shared and fixed chains whole, with the canary', () => {
  const { text } = planSync('periodic', before, before, cfg);
  for (const c of ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-PROXY-CANARY']) assert.match(text, new RegExp(`^:${c} - \\[0:0\\]$`, 'm'));
  assert.equal(lines(text, /^-A KUBE-SERVICES .*cluster IP/).length, 2);
  assert.deepEqual(lines(text, /^:KUBE-SVC-/), [], 'own chains of unchanged ports are left alone');
});

test('a full sync writes everything and deletes service chains no service wants', () => {
  const { text } = planSync('full', new Map(), before, cfg, ['KUBE-SERVICES', 'KUBE-SVC-AAAAAAAAAAAAAAAA', 'CNI-xyz']);
  assert.equal(lines(text, /^:KUBE-SVC-/).length, 3);
  assert.match(text, /^-X KUBE-SVC-AAAAAAAAAAAAAAAA$/m);
  assert.doesNotMatch(text, /CNI-xyz/);
});
