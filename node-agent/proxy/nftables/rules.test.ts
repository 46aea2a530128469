import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from '../../kube-types.js';
import { fixtureConfig, service, slice, entries } from '../test-fixtures.js';
import { nftEndpointNames, nftServiceNames } from './names.js';
import { planNftSync } from './plan.js';
import { nftPortRules, type NftPortRules } from './rules.js';

const cfg = { ...fixtureConfig, localhostNodePorts: false };
const build = (sp: Parameters<typeof nftPortRules>[0]) => nftPortRules(sp, cfg);
const linesOf = (text: string, re: RegExp) => text.split('\n').filter((l) => re.test(l));

test('chain and set names are kube-proxy\'s: hash of ns/name/proto/port, endpoint after "__"', () => {
  // The examples of pkg/proxy/nftables.
  assert.equal(nftServiceNames('ns1/svc1:p80', 'TCP').svc, 'service-ULMVA6XW-ns1/svc1/tcp/p80');
  assert.deepEqual(nftEndpointNames('ns1/svc1:p80', 'TCP', '10.180.0.1', 80), {
    chain: 'endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80', affinity: 'affinity-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80',
  });
});

test('a ClusterIP service: a service-ips element to its chain, numgen over its endpoints, DNAT with hairpin masquerade', () => {
  const e = entries([service('a', '10.43.0.20')], [slice('a', ['10.42.0.5', '10.42.0.6'])], build);
  const r = e.get('default/a:http')!.rules;
  const names = nftServiceNames('default/a:http', 'TCP');
  const ep = (ip: string) => nftEndpointNames('default/a:http', 'TCP', ip, 8080).chain;
  assert.deepEqual(r.elements, [
    { map: 'cluster-ips', key: '10.43.0.20' },
    { map: 'service-ips', key: '10.43.0.20 . tcp . 80', value: `goto ${names.svc}` },
  ]);
  const svc = r.chains.find((c) => c.name === names.svc)!;
  assert.deepEqual(svc.rules, [
    'ip daddr 10.43.0.20 tcp dport 80 ip saddr != 10.42.0.0/16 jump mark-for-masquerade',
    `numgen random mod 2 vmap { 0 : goto ${ep('10.42.0.5')}, 1 : goto ${ep('10.42.0.6')} }`,
  ]);
  assert.deepEqual(r.chains.find((c) => c.name === ep('10.42.0.5'))!.rules, ['ip saddr 10.42.0.5 jump mark-for-masquerade', 'meta l4proto tcp dnat to 10.42.0.5:8080']);
  assert.deepEqual(r.sets, []);
});

test('no endpoints: a reject element, no chains; ClientIP affinity: one timed set per endpoint, checked before the pick', () => {
  const none = entries([service('a', '10.43.0.20')], [], build).get('default/a:http')!.rules;
  assert.deepEqual(none.chains, []);
  assert.deepEqual(none.elements[1], { map: 'no-endpoint-services', key: '10.43.0.20 . tcp . 80', value: 'goto reject-chain', comment: 'default/a:http' });
  const sticky: Service = { ...service('s', '10.43.0.30'), spec: { ...service('s', '10.43.0.30').spec, sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } } };
  const r = entries([sticky], [slice('s', ['10.42.0.7'])], build).get('default/s:http')!.rules;
  const n = nftEndpointNames('default/s:http', 'TCP', '10.42.0.7', 8080);
  assert.deepEqual(r.sets, [`${n.affinity} 60`]);
  assert.equal(r.chains[0]!.rules[1], `ip saddr @${n.affinity} goto ${n.chain}`);
  assert.ok(r.chains.find((c) => c.name === n.chain)!.rules.includes(`update @${n.affinity} { ip saddr }`));
});

test('externalTrafficPolicy Local without local endpoints: node port dropped, pods and the node short-circuit to any endpoint', () => {
  const svc: Service = { ...service('l', '10.43.0.40'), spec: { ...service('l', '10.43.0.40').spec, type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] } };
  const remote = slice('l', ['10.42.1.5']);
  remote.endpoints[0]!.nodeName = 'n2';
  const r = entries([svc], [remote], build).get('default/l:http')!.rules;
  const names = nftServiceNames('default/l:http', 'TCP');
  assert.ok(r.elements.some((e) => e.map === 'service-nodeports' && e.key === 'tcp . 30080' && e.value === `goto ${names.ext}`));
  assert.ok(r.elements.some((e) => e.map === 'no-endpoint-nodeports' && e.key === 'tcp . 30080' && e.value === 'drop'));
  const ext = r.chains.find((c) => c.name === names.ext)!;
  assert.equal(ext.rules[0], `ip saddr 10.42.0.0/16 goto ${names.svc} comment "short-circuit pod traffic"`);
  assert.ok(!ext.rules.some((l) => l.includes(names.local)), 'no local endpoint: no goto to the local chain');
});

test('a partial sync touches only the changed port: its chains, its element differences, its stale chains', () => {
  const a = service('a', '10.43.0.20');
  const b = service('b', '10.43.0.21');
  const before = entries([a, b], [slice('a', ['10.42.0.5']), slice('b', ['10.42.0.6'])], build);
  const after = entries([a, b], [slice('a', ['10.42.0.9']), slice('b', ['10.42.0.6'])], build);
  const plan = planNftSync('partial', before, after, cfg);
  assert.deepEqual(plan.changed, ['default/a:http']);
  assert.equal(linesOf(plan.text, /^add table|flush map/).length, 0, 'no table or map rewrite in a partial sync');
  assert.ok(!plan.text.includes('default/b/'), 'b untouched');
  const old = nftEndpointNames('default/a:http', 'TCP', '10.42.0.5', 8080).chain;
  assert.deepEqual(linesOf(plan.text, new RegExp(old.replace(/[./]/g, '\\$&'))), [`flush chain ip kube-proxy ${old}`, `delete chain ip kube-proxy ${old}`]);
  // The service-ips element points at the same chain: it stays.
  assert.equal(linesOf(plan.text, /element/).length, 0);

  // Endpoints gone: the element moves from service-ips to no-endpoint-services, the chains go.
  const empty = entries([a, b], [slice('b', ['10.42.0.6'])], build);
  const gone = planNftSync('partial', after, empty, cfg).text;
  assert.deepEqual(linesOf(gone, /element/), [
    `delete element ip kube-proxy service-ips { 10.43.0.20 . tcp . 80 : goto ${nftServiceNames('default/a:http', 'TCP').svc} }`,
    'add element ip kube-proxy no-endpoint-services { 10.43.0.20 . tcp . 80 comment "default/a:http" : goto reject-chain }',
  ]);
  // The service deleted: its cluster IP leaves the set.
  const removed = planNftSync('partial', after, entries([b], [slice('b', ['10.42.0.6'])], build), cfg).text;
  assert.ok(removed.includes('delete element ip kube-proxy cluster-ips { 10.43.0.20 }'));
});

test('periodic and full syncs flush and refill the maps; a full sync deletes chains and sets no port wants', () => {
  const e = entries([service('a', '10.43.0.20')], [slice('a', ['10.42.0.5'])], build);
  const periodic = planNftSync('periodic', e, e, cfg).text;
  assert.ok(periodic.includes('flush map ip kube-proxy service-ips'));
  assert.ok(periodic.includes('add element ip kube-proxy service-ips {'));
  assert.ok(!/add chain ip kube-proxy service-[A-Z2-7]{8}-/.test(periodic), 'unchanged ports keep their chains');
  const full = planNftSync('full', new Map(), e, cfg, ['service-AAAAAAAA-default/old/tcp/http', 'affinity-BBBBBBBB-default/old/tcp/http__10.42.0.1/80', 'services']).text;
  assert.ok(full.includes('delete chain ip kube-proxy service-AAAAAAAA-default/old/tcp/http'));
  assert.ok(full.includes('delete set ip kube-proxy affinity-BBBBBBBB-default/old/tcp/http__10.42.0.1/80'));
  assert.ok(!full.includes('delete chain ip kube-proxy services'), 'fixed chains stay');
});

test('a full sync after the table was deleted does not delete sets that are gone (it would fail forever)', () => {
  const sticky = (seconds: number): Service => ({ ...service('s', '10.43.0.30'), spec: { ...service('s', '10.43.0.30').spec, sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: seconds } } } });
  const before = entries([sticky(60)], [slice('s', ['10.42.0.7'])], build);
  const after = entries([sticky(90)], [slice('s', ['10.42.0.7'])], build);
  const set = nftEndpointNames('default/s:http', 'TCP', '10.42.0.7', 8080).affinity;
  assert.ok(!planNftSync('full', before, after, cfg, []).text.includes('delete set'));
  assert.ok(planNftSync('full', before, after, cfg, [set]).text.includes(`delete set ip kube-proxy ${set}`), 'a changed timeout replaces the set it holds');
});

test('rules are the same for the same state', () => {
  const make = () => entries([service('a', '10.43.0.20')], [slice('a', ['10.42.0.6', '10.42.0.5'])], build).get('default/a:http')!.rules as NftPortRules;
  assert.deepEqual(make(), make());
});
