import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkPolicy, Pod } from '../kube-types.js';
import { planNetworkPolicies, podEntries, policyDirections, specSelector, type PodEntry } from './policy-model.js';
import type { LabelSelectorSpec } from '../../lib/label-selector.js';

const labelSelectorMatches = (sel: LabelSelectorSpec, labels: Record<string, string>) => specSelector(sel).matches(labels);

function pod(namespace: string, name: string, ip: string, labels: Record<string, string>, nodeName = 'n1', ports: Array<{ name: string; containerPort: number; protocol?: string }> = []): PodEntry {
  const [entry] = podEntries([{
    metadata: { namespace, name, labels }, spec: { nodeName, containers: [{ name: 'c', ports }] }, status: { podIP: ip, phase: 'Running' },
  } as Pod]);
  return entry!;
}

function policy(namespace: string, name: string, spec: Record<string, unknown>): NetworkPolicy {
  return { metadata: { namespace, name }, spec: { podSelector: {}, ...spec } } as NetworkPolicy;
}

const namespaces = new Map([
  ['prod', { 'kubernetes.io/metadata.name': 'prod', team: 'a' }],
  ['dev', { 'kubernetes.io/metadata.name': 'dev', team: 'b' }],
]);
const web = pod('prod', 'web', '10.42.0.2', { app: 'web' }, 'n1', [{ name: 'http', containerPort: 8080 }]);
const db = pod('prod', 'db', '10.42.0.3', { app: 'db' });
const devClient = pod('dev', 'client', '10.42.1.2', { app: 'client' }, 'n2', [{ name: 'http', containerPort: 9090 }]);
const prodClient = pod('prod', 'client', '10.42.1.3', { app: 'client' }, 'n2');
const pods = [web, db, devClient, prodClient];
const plan = (policies: NetworkPolicy[], nodeName = 'n1') => planNetworkPolicies({ policies, pods, namespaces, nodeName });

test('label selectors: matchLabels and every matchExpressions operator; empty selects all', () => {
  const labels = { app: 'web', tier: 'front' };
  assert.ok(labelSelectorMatches({}, labels));
  assert.ok(labelSelectorMatches({ matchLabels: { app: 'web' } }, labels));
  assert.ok(!labelSelectorMatches({ matchLabels: { app: 'db' } }, labels));
  assert.ok(labelSelectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, labels));
  assert.ok(!labelSelectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels));
  assert.ok(labelSelectorMatches({ matchExpressions: [{ key: 'x', operator: 'NotIn', values: ['front'] }] }, labels));
  assert.ok(labelSelectorMatches({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, labels));
  assert.ok(!labelSelectorMatches({ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, labels));
  assert.ok(!labelSelectorMatches({ matchExpressions: [{ key: 'app', operator: 'Gt', values: ['1'] }] }, labels), 'an operator specs do not have selects nothing');
});

test('pods without their own IP or that have finished take no part', () => {
  const base = { metadata: { namespace: 'a', name: 'p' }, spec: { containers: [] } };
  assert.deepEqual(podEntries([
    { ...base, status: { phase: 'Pending' } },
    { ...base, spec: { hostNetwork: true, containers: [] }, status: { podIP: '192.168.1.5', phase: 'Running' } },
    { ...base, status: { podIP: '10.42.0.9', phase: 'Succeeded' } },
  ] as Pod[]), []);
});

test('policyTypes defaults to Ingress, plus Egress when there are egress rules', () => {
  assert.deepEqual(policyDirections(policy('a', 'p', {})), ['ingress']);
  assert.deepEqual(policyDirections(policy('a', 'p', { egress: [{}] })), ['ingress', 'egress']);
  assert.deepEqual(policyDirections(policy('a', 'p', { egress: [] })), ['ingress']);
  assert.deepEqual(policyDirections(policy('a', 'p', { policyTypes: ['Egress'] })), ['egress']);
});

test('default deny: a selected pod is isolated with no rule; unselected pods and other namespaces are not', () => {
  const p = plan([policy('prod', 'deny', { podSelector: { matchLabels: { app: 'web' } } })]);
  assert.deepEqual(p.firewalls.map((f) => [f.pod.name, f.direction, f.policies]), [['web', 'ingress', ['prod/deny']]]);
  assert.deepEqual(p.policies, [{ key: 'prod/deny', direction: 'ingress', rules: [] }]);
  // Another node enforces nothing for pods it does not run.
  assert.deepEqual(plan([policy('prod', 'deny', {})], 'n3'), { policies: [], firewalls: [] });
});

test('peers: podSelector in the policy namespace, namespaceSelector, both ANDed, ipBlock with except', () => {
  const p = plan([policy('prod', 'allow', {
    podSelector: { matchLabels: { app: 'db' } },
    ingress: [
      { from: [{ podSelector: { matchLabels: { app: 'client' } } }] },
      { from: [{ namespaceSelector: { matchLabels: { team: 'b' } } }] },
      { from: [{ namespaceSelector: { matchLabels: { team: 'a' } }, podSelector: { matchLabels: { app: 'web' } } }] },
      { from: [{ ipBlock: { cidr: '192.168.0.0/16', except: ['192.168.1.0/24'] } }] },
      {},
    ],
  })]);
  const rules = p.policies[0]!.rules;
  assert.deepEqual(rules[0]!.peers, { ips: ['10.42.1.3'], blocks: [] }, 'only prod\'s client');
  assert.deepEqual(rules[1]!.peers, { ips: ['10.42.1.2'], blocks: [] }, 'every pod of dev');
  assert.deepEqual(rules[2]!.peers, { ips: ['10.42.0.2'], blocks: [] });
  assert.deepEqual(rules[3]!.peers, { ips: [], blocks: [{ cidr: '192.168.0.0/16', except: ['192.168.1.0/24'] }] });
  assert.equal(rules[4]!.peers, 'all');
  assert.equal(rules[4]!.ports, 'all');
});

test('ports: numbers, endPort ranges, protocol only, and named ports resolved on the receiving pod', () => {
  const p = plan([policy('prod', 'ports', {
    podSelector: {},
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ ports: [{ port: 80 }, { port: 8000, endPort: 8080, protocol: 'TCP' }, { protocol: 'UDP' }, { port: 'http' }, { port: 'nope' }] }],
    egress: [{ to: [{ namespaceSelector: {} }], ports: [{ port: 'http' }, { port: 53, protocol: 'UDP' }] }],
  })]);
  const ingress = p.policies.find((x) => x.direction === 'ingress')!;
  assert.deepEqual(ingress.rules[0]!.ports, [
    { protocol: 'tcp', port: '80' }, { protocol: 'tcp', port: '8000:8080' }, { protocol: 'udp' },
    // Named: only web (a pod of this node the policy selects) has "http".
    { protocol: 'tcp', port: '8080', ip: '10.42.0.2' },
  ]);
  const egress = p.policies.find((x) => x.direction === 'egress')!;
  // Egress: "http" on any pod that has it (the peer check narrows it), here web and dev's client.
  assert.deepEqual(egress.rules[0]!.ports, [{ protocol: 'tcp', port: '8080', ip: '10.42.0.2' }, { protocol: 'tcp', port: '9090', ip: '10.42.1.2' }, { protocol: 'udp', port: '53' }]);
  assert.deepEqual(p.firewalls.map((f) => `${f.pod.name} ${f.direction}`), ['web ingress', 'web egress', 'db ingress', 'db egress']);
});

test('union: every policy selecting a pod is listed for it, once per direction', () => {
  const p = plan([
    policy('prod', 'b', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 80 }] }] }),
    policy('prod', 'a', { podSelector: {}, ingress: [{ ports: [{ port: 443 }] }] }),
    policy('dev', 'c', { podSelector: {} }),
  ]);
  assert.deepEqual(p.firewalls.find((f) => f.pod.name === 'web')?.policies, ['prod/a', 'prod/b']);
  assert.deepEqual(p.firewalls.find((f) => f.pod.name === 'db')?.policies, ['prod/a']);
});
