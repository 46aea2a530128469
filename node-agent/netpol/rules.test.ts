import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetpolPlan, PodEntry } from './policy-model.js';
import { isNetpolChain, netpolRestoreText, podChain, policyChain, TOP_CHAIN } from './rules.js';

const web: PodEntry = { namespace: 'prod', name: 'web', ip: '10.42.0.2', nodeName: 'n1', labels: {}, ports: [] };

const plan: NetpolPlan = {
  policies: [{
    key: 'prod/p', direction: 'ingress', rules: [
      { ports: [{ protocol: 'tcp', port: '80' }, { protocol: 'tcp', port: '8080', ip: '10.42.0.2' }], peers: { ips: ['10.42.1.3'], blocks: [{ cidr: '192.168.0.0/16', except: ['192.168.1.0/24'] }] } },
      { ports: 'all', peers: 'all' },
      { ports: 'all', peers: { ips: [], blocks: [] } },
    ],
  }, { key: 'prod/p', direction: 'egress', rules: [] }],
  firewalls: [{ pod: web, direction: 'ingress', policies: ['prod/p'] }, { pod: web, direction: 'egress', policies: ['prod/p'] }],
};

test('chain names: kube-router\'s prefixes, a 16-character hash, at most 28 characters', () => {
  const names = [podChain('prod', 'web', 'ingress'), podChain('prod', 'web', 'egress'), policyChain('prod/p', 'ingress'), policyChain('prod/p', 'ingress', 0, 'block', 1)];
  for (const n of names) {
    assert.ok(n.length <= 28, n);
    assert.ok(isNetpolChain(n), n);
  }
  assert.equal(new Set(names).size, names.length);
  assert.ok(isNetpolChain(TOP_CHAIN));
  assert.ok(!isNetpolChain('KUBE-SERVICES') && !isNetpolChain('KUBE-POD-FW-short'));
});

test('the restore text: pod chains reject what no policy marked; rules mark by port then peer; exceptions return', () => {
  const { text, chains } = netpolRestoreText(plan, []);
  const lines = text.split('\n');
  const inChain = podChain('prod', 'web', 'ingress');
  const egChain = podChain('prod', 'web', 'egress');
  const pol = policyChain('prod/p', 'ingress');
  const peers = policyChain('prod/p', 'ingress', 0);
  const block = policyChain('prod/p', 'ingress', 0, 'block', 0);
  assert.equal(lines[0], '*filter');
  assert.deepEqual(lines.slice(-2), ['COMMIT', '']);
  for (const c of [TOP_CHAIN, inChain, egChain, pol, peers, block]) assert.ok(chains.has(c) && lines.includes(`:${c} - [0:0]`), c);
  // Egress checks come before ingress ones in the top chain.
  const top = lines.filter((l) => l.startsWith(`-A ${TOP_CHAIN} `));
  assert.match(top[0]!, new RegExp(`-s 10\\.42\\.0\\.2/32 -j ${egChain}$`));
  assert.match(top[1]!, new RegExp(`-d 10\\.42\\.0\\.2/32 -j ${inChain}$`));
  assert.deepEqual(lines.filter((l) => l.startsWith(`-A ${inChain} `)).map((l) => l.slice(inChain.length + 4)), [
    '-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN',
    '-m addrtype --src-type LOCAL -j RETURN',
    '-s 10.42.0.2/32 -d 10.42.0.2/32 -j RETURN',
    `-j ${pol}`,
    '-m comment --comment "rejected by the network policies selecting prod/web" -m mark ! --mark 0x10000/0x10000 -j REJECT',
    '-j MARK --set-xmark 0x0/0x10000',
  ]);
  assert.deepEqual(lines.filter((l) => l.startsWith(`-A ${pol} `)).map((l) => l.replace(/-m comment --comment "[^"]*" /, '').slice(pol.length + 4)), [
    `-p tcp -m tcp --dport 80 -j ${peers}`,
    `-d 10.42.0.2/32 -p tcp -m tcp --dport 8080 -j ${peers}`,
    '-j MARK --set-xmark 0x10000/0x10000',
  ], 'a rule whose peers match nothing writes nothing');
  assert.deepEqual(lines.filter((l) => l.startsWith(`-A ${peers} `)).map((l) => l.slice(peers.length + 4)), [
    '-s 10.42.1.3/32 -j MARK --set-xmark 0x10000/0x10000',
    `-s 192.168.0.0/16 -j ${block}`,
  ]);
  assert.deepEqual(lines.filter((l) => l.startsWith(`-A ${block} `)).map((l) => l.slice(block.length + 4)), [
    '-s 192.168.1.0/24 -j RETURN',
    '-j MARK --set-xmark 0x10000/0x10000',
  ]);
  assert.ok(lines.includes(`-A ${egChain} -m addrtype --dst-type LOCAL -j RETURN`));
});

test('chains wanted no more are flushed and deleted after the rules that jumped to them are gone', () => {
  const old = podChain('prod', 'gone', 'ingress');
  const { text, chains } = netpolRestoreText({ policies: [], firewalls: [] }, [TOP_CHAIN, old, 'KUBE-SERVICES']);
  assert.deepEqual([...chains], [TOP_CHAIN]);
  assert.deepEqual(text.split('\n'), ['*filter', `:${TOP_CHAIN} - [0:0]`, `:${old} - [0:0]`, `-X ${old}`, 'COMMIT', ''], 'never another tool\'s chain');
});
