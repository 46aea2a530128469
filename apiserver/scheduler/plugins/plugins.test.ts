import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster, node, nodeInfo, pod } from '../test-fixtures.js';
import { filterNode, preFilter, scoreNodes } from '../profile.js';
import { interPodAffinity } from './inter-pod-affinity.js';
import { balancedAllocation, nodeResourcesFit } from './node-resources.js';
import { nodeAffinity, nodeName, nodePorts, nodeUnschedulable, taintToleration } from './node-filters.js';
import { podTopologySpread } from './topology-spread.js';
import { defaultPlugins } from '../profile.js';
import type { PodInfo } from '../types.js';
import type { NodeInfo } from '../node-info.js';
import { buildPodInfo } from '../pod-info.js';

const filter = (p: PodInfo, n: NodeInfo, ...others: NodeInfo[]) => filterNode(defaultPlugins, p, n, preFilter(defaultPlugins, p, cluster(n, ...others)));

test('NodeResourcesFit reports every missing resource and the pod count', () => {
  const full = nodeInfo(node('n1', { cpu: '1', memory: '1Gi', pods: '1' }), pod('a', { cpu: '800m', memory: '900Mi' }));
  assert.deepEqual(nodeResourcesFit.filter!(pod('b', { cpu: '300m', memory: '200Mi' }), full, undefined), {
    code: 'Unschedulable', plugin: 'NodeResourcesFit', reasons: ['Too many pods', 'Insufficient cpu', 'Insufficient memory'],
  });
  assert.equal(nodeResourcesFit.filter!(pod('c', { cpu: '200m' }), nodeInfo(node('n2', { cpu: '1' }), pod('a', { cpu: '800m' })), undefined), undefined);
  // More than the node has at all is still Unschedulable in 1.32 (preemption gets its say).
  assert.equal(nodeResourcesFit.filter!(pod('d', { cpu: '64' }), nodeInfo(node('n3')), undefined)?.code, 'Unschedulable');
});

test('pods without requests fit anywhere with room for one more pod', () => {
  assert.equal(nodeResourcesFit.filter!(pod('x'), nodeInfo(node('n', { cpu: '0' })), undefined), undefined);
});

test('LeastAllocated prefers the emptier node; BalancedAllocation the evener one', () => {
  const empty = nodeInfo(node('empty'));
  const busy = nodeInfo(node('busy'), pod('a', { cpu: '2', memory: '4Gi' }));
  const p = pod('p', { cpu: '1', memory: '1Gi' });
  assert.ok(nodeResourcesFit.score!(p, empty, undefined) > nodeResourcesFit.score!(p, busy, undefined));
  assert.equal(nodeResourcesFit.score!(p, empty, undefined), 81);
  const cpuHeavy = nodeInfo(node('cpu'), pod('a', { cpu: '3', memory: '0' }));
  assert.ok(balancedAllocation.score!(p, empty, undefined) > balancedAllocation.score!(p, cpuHeavy, undefined));
});

test('taints: the first untolerated NoSchedule/NoExecute taint is named; tolerations and PreferNoSchedule pass', () => {
  const tainted = nodeInfo(node('n', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }, { key: 'soft', effect: 'PreferNoSchedule' }] }));
  assert.deepEqual(taintToleration.filter!(pod('p'), tainted, undefined)?.reasons, ['node(s) had untolerated taint {dedicated: gpu}']);
  assert.equal(taintToleration.filter!(pod('p', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }), tainted, undefined), undefined);
  assert.equal(taintToleration.filter!(pod('p', { tolerations: [{ operator: 'Exists' }] }), tainted, undefined), undefined);
  assert.equal(taintToleration.filter!(pod('p', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'cpu' }] }), tainted, undefined)?.code, 'UnschedulableAndUnresolvable');
  const scores = scoreNodes([taintToleration], pod('p'), [tainted, nodeInfo(node('clean'))], cluster());
  assert.deepEqual(scores, [0, 300], 'PreferNoSchedule costs the whole TaintToleration score (weight 3)');
});

test('nodeSelector and required node affinity must both match', () => {
  const n = nodeInfo(node('n', { labels: { disk: 'ssd', zone: 'a' } }));
  assert.equal(nodeAffinity.filter!(pod('p', { nodeSelector: { disk: 'ssd' } }), n, undefined), undefined);
  assert.deepEqual(nodeAffinity.filter!(pod('p', { nodeSelector: { disk: 'hdd' } }), n, undefined)?.reasons, ["node(s) didn't match Pod's node affinity/selector"]);
  const affinity = (op: string, values: string[]) => pod('p', {
    spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: op, values }] }] } } } },
  });
  assert.equal(nodeAffinity.filter!(affinity('In', ['a', 'b']), n, undefined), undefined);
  assert.ok(nodeAffinity.filter!(affinity('NotIn', ['a']), n, undefined));
  const byName = pod('p', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n'] }] }] } } } } });
  assert.equal(nodeAffinity.filter!(byName, n, undefined), undefined);
});

test('preferred node affinity scores by the weights of matching terms', () => {
  const p = pod('p', { spec: { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [
    { weight: 80, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } },
    { weight: 20, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' }] } },
  ] } } } });
  const nodes = [nodeInfo(node('a', { labels: { zone: 'a' } })), nodeInfo(node('b', { labels: { disk: 'x' } })), nodeInfo(node('c'))];
  assert.deepEqual(scoreNodes([nodeAffinity], p, nodes, cluster(...nodes)), [200, 50, 0]);
});

test('unschedulable nodes, nodeName and host ports', () => {
  const cordoned = nodeInfo(node('n', { unschedulable: true }));
  assert.deepEqual(nodeUnschedulable.filter!(pod('p'), cordoned, undefined)?.reasons, ['node(s) were unschedulable']);
  assert.equal(nodeUnschedulable.filter!(pod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] }), cordoned, undefined), undefined);
  assert.deepEqual(nodeName.filter!(pod('p', { spec: { nodeName: 'other' } }), cordoned, undefined)?.reasons, ["node(s) didn't match the requested node name"]);
  const withPort = (ip?: string) => pod('w', { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080, hostIP: ip }] }] } });
  const busy = nodeInfo(node('n'), withPort());
  assert.deepEqual(nodePorts.filter!(withPort('10.0.0.1'), busy, undefined)?.reasons, ["node(s) didn't have free ports for the requested pod ports"]);
  assert.equal(nodePorts.filter!(pod('x'), busy, undefined), undefined);
});

test('a node fails on its first failing filter only', () => {
  const n = nodeInfo(node('n', { unschedulable: true, cpu: '1' }));
  assert.deepEqual(filter(pod('p', { cpu: '2' }), n)?.reasons, ['node(s) were unschedulable']);
});

const zoneNode = (name: string, zone: string, ...pods: PodInfo[]) => nodeInfo(node(name, { labels: { zone } }), ...pods);
const antiAffinity = (name: string, key: string) => pod(name, { labels: { app: 'db' }, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: key }] } } } });

test('required anti-affinity keeps pods of a group apart by topology domain', () => {
  const a = zoneNode('a', 'z1', antiAffinity('db-0', 'zone'));
  const b = zoneNode('b', 'z1');
  const c = zoneNode('c', 'z2');
  const p = antiAffinity('db-1', 'zone');
  const state = interPodAffinity.preFilter!(p, cluster(a, b, c));
  assert.deepEqual(interPodAffinity.filter!(p, b, state)?.reasons, ["node(s) didn't match pod anti-affinity rules"]);
  assert.equal(interPodAffinity.filter!(p, c, state), undefined);
  // A pod without terms of its own is still kept away by the running pod's anti-affinity.
  const plain = pod('other', { labels: { app: 'db' } });
  assert.deepEqual(interPodAffinity.filter!(plain, b, interPodAffinity.preFilter!(plain, cluster(a, b, c)))?.reasons, ["node(s) didn't satisfy existing pods anti-affinity rules"]);
});

test('required affinity follows matching pods; the first pod of a group may go anywhere', () => {
  const withAffinity = (name: string) => pod(name, { labels: { app: 'web' }, spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'zone' }] } } } });
  const a = zoneNode('a', 'z1');
  const b = zoneNode('b', 'z2');
  const first = withAffinity('w0');
  assert.equal(interPodAffinity.filter!(first, a, interPodAffinity.preFilter!(first, cluster(a, b))), undefined);
  const a2 = zoneNode('a', 'z1', withAffinity('w0'));
  const second = withAffinity('w1');
  const state = interPodAffinity.preFilter!(second, cluster(a2, b));
  assert.equal(interPodAffinity.filter!(second, a2, state), undefined);
  assert.deepEqual(interPodAffinity.filter!(second, b, state), { code: 'UnschedulableAndUnresolvable', plugin: 'InterPodAffinity', reasons: ["node(s) didn't match pod affinity rules"] });
});

test('topology spread (DoNotSchedule) refuses domains that would exceed maxSkew', () => {
  const spread = (name: string) => pod(name, { labels: { app: 'x' }, spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'x' } } }] } });
  const a = zoneNode('a', 'z1', spread('x0'), spread('x1'));
  const b = zoneNode('b', 'z2', spread('x2'));
  const unlabeled = nodeInfo(node('u'));
  const p = spread('x3');
  const state = podTopologySpread.preFilter!(p, cluster(a, b, unlabeled));
  assert.deepEqual(podTopologySpread.filter!(p, a, state)?.reasons, ["node(s) didn't match pod topology spread constraints"]);
  assert.equal(podTopologySpread.filter!(p, b, state), undefined);
  assert.deepEqual(podTopologySpread.filter!(p, unlabeled, state)?.reasons, ["node(s) didn't match pod topology spread constraints (missing required label)"]);
});

test('pods of one ReplicaSet are spread by default, on nodes with or without zone labels', () => {
  const owned = (name: string) => pod(name, { spec: {}, labels: { app: 'web' } });
  const withOwner = (p: PodInfo, uid: string) => buildPodInfo({ ...p.pod, metadata: { ...p.pod.metadata, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid, controller: true }] } });
  const a = nodeInfo(node('a'), withOwner(owned('w0'), 'rs1'), withOwner(owned('w1'), 'rs1'), withOwner(owned('other'), 'rs2'));
  const b = nodeInfo(node('b'), withOwner(owned('x0'), 'rs2'), withOwner(owned('x1'), 'rs2'));
  const incoming = withOwner(owned('w2'), 'rs1');
  const [sa, sb] = scoreNodes([podTopologySpread], incoming, [a, b], cluster(a, b));
  assert.ok(sb > sa, `node b (no pods of this ReplicaSet) scores higher: ${sa} vs ${sb}`);
  const loner = pod('solo');
  assert.deepEqual(scoreNodes([podTopologySpread], loner, [a, b], cluster(a, b)), [0, 0], 'no owner: no default spreading');
  // Terminating pods do not count, also once a pod on the node turns terminating.
  const leaving = withOwner(owned('w3'), 'rs1');
  const c = nodeInfo(node('c'), buildPodInfo({ ...leaving.pod, metadata: { ...leaving.pod.metadata, deletionTimestamp: '2025-01-01T00:00:00Z' } }));
  const d = nodeInfo(node('d'), withOwner(owned('w4'), 'rs1'));
  d.addPod(buildPodInfo({ ...d.pods.values().next().value!.pod, metadata: { ...d.pods.values().next().value!.pod.metadata, deletionTimestamp: '2025-01-01T00:00:00Z' } }));
  const [sc, sd, sa2] = scoreNodes([podTopologySpread], incoming, [c, d, a], cluster(c, d, a));
  assert.equal(sc, sd, 'a terminating pod counts on neither node');
  assert.ok(sc > sa2, `nodes with only terminating pods of this ReplicaSet score higher: ${sc} vs ${sa2}`);
});
