import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from '../../lib/client/types.js';
import { revisionHash, revisionHashLabel, revisionsToDelete, templatePatch } from './controller-history.js';
import {
  daemonPodTemplate, daemonSetCounts, daemonTolerations, nodeShouldRun, pinToNode, planNode, rollingUpdatePlan, targetNodeName,
} from './daemonset-logic.js';
import type { ControllerRevision, DaemonSet } from './workload-types.js';

const now = Date.UTC(2025, 0, 1, 12);

function node(name: string, opts: { labels?: Record<string, string>; taints?: NonNullable<Node['spec']>['taints'] } = {}): Node {
  return { metadata: { name, labels: { 'kubernetes.io/hostname': name, ...opts.labels } }, spec: { taints: opts.taints } };
}

function ds(spec: Partial<NonNullable<NonNullable<DaemonSet['spec']>['template']>['spec']> = {}, update: NonNullable<DaemonSet['spec']>['updateStrategy'] = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }): DaemonSet {
  return {
    metadata: { name: 'agent', namespace: 'kube-system', uid: 'ds-uid', generation: 2, annotations: { 'deprecated.daemonset.template.generation': '2' } },
    spec: {
      selector: { matchLabels: { app: 'agent' } }, updateStrategy: update,
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec } },
    },
  };
}

function dpod(name: string, nodeName: string, hash: string, opts: { ready?: boolean; phase?: string; created?: string } = {}): Pod {
  return {
    metadata: { name, namespace: 'kube-system', uid: `${name}-uid`, creationTimestamp: opts.created ?? '2025-01-01T00:00:00Z', labels: { app: 'agent', [revisionHashLabel]: hash } },
    spec: { containers: [], nodeName },
    status: { phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: '2025-01-01T00:00:00Z' }] },
  };
}

test('daemon pods tolerate node trouble and cordons; network-unavailable only with hostNetwork', () => {
  assert.deepEqual(daemonTolerations(false).map((t) => `${t.key}:${t.effect}`), [
    'node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/disk-pressure:NoSchedule',
    'node.kubernetes.io/memory-pressure:NoSchedule', 'node.kubernetes.io/pid-pressure:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule',
  ]);
  assert.equal(daemonTolerations(true).at(-1)?.key, 'node.kubernetes.io/network-unavailable');
  const t = daemonPodTemplate(ds(), 'abc');
  assert.equal(t.metadata?.labels?.[revisionHashLabel], 'abc');
  assert.equal(t.metadata?.labels?.['pod-template-generation'], '2');
  assert.equal(t.spec?.tolerations?.length, 6);
});

test('which nodes run a daemon pod: selector, affinity, taints (NoExecute evicts, NoSchedule only blocks new ones)', () => {
  assert.deepEqual(nodeShouldRun(node('a'), ds()), { shouldRun: true, shouldContinueRunning: true });
  assert.equal(nodeShouldRun(node('a'), ds({ nodeSelector: { disk: 'ssd' } })).shouldRun, false);
  assert.equal(nodeShouldRun(node('a', { labels: { disk: 'ssd' } }), ds({ nodeSelector: { disk: 'ssd' } })).shouldRun, true);
  const noSchedule = node('b', { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] });
  assert.deepEqual(nodeShouldRun(noSchedule, ds()), { shouldRun: false, shouldContinueRunning: true });
  const noExecute = node('c', { taints: [{ key: 'dedicated', value: 'x', effect: 'NoExecute' }] });
  assert.deepEqual(nodeShouldRun(noExecute, ds()), { shouldRun: false, shouldContinueRunning: false });
  assert.equal(nodeShouldRun(noSchedule, ds({ tolerations: [{ key: 'dedicated', operator: 'Exists' }] })).shouldRun, true);
  const cordoned = node('d', { taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] });
  assert.equal(nodeShouldRun(cordoned, ds()).shouldRun, true, 'the default tolerations cover cordoned nodes');
  const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] }] } } };
  assert.equal(nodeShouldRun(node('e', { labels: { zone: 'z2' } }), ds({ affinity })).shouldRun, false);
});

test('daemon pods are pinned to their node by node affinity on metadata.name', () => {
  const a = pinToNode({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] }] } } }, 'node-1');
  assert.deepEqual(a.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms, [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] }]);
  assert.equal(targetNodeName({ spec: { containers: [], affinity: a } }), 'node-1');
  assert.equal(targetNodeName({ spec: { containers: [], nodeName: 'bound' } }), 'bound');
});

test('per node: create where missing, delete finished and extra pods, and pods where the daemon may not stay', () => {
  const d = ds();
  assert.deepEqual(planNode(node('a'), d, [], 'h', now, true), { create: true, delete: [] });
  const failed = planNode(node('a'), d, [dpod('f', 'a', 'h', { phase: 'Failed' })], 'h', now, true);
  assert.equal(failed.delete[0].event?.message, 'Found failed daemon pod kube-system/f on node a, will try to kill it');
  assert.equal(planNode(node('a'), d, [dpod('f', 'a', 'h', { phase: 'Failed' })], 'h', now, false).delete.length, 0, 'in backoff');
  const two = planNode(node('a'), d, [dpod('old', 'a', 'h', { created: '2025-01-01T00:00:00Z' }), dpod('new', 'a', 'h', { created: '2025-01-01T01:00:00Z' })], 'h', now, true);
  assert.deepEqual(two.delete.map((x) => x.pod.metadata?.name), ['new'], 'the oldest stays');
  const evicted = planNode(node('c', { taints: [{ key: 'x', effect: 'NoExecute' }] }), d, [dpod('p', 'c', 'h')], 'h', now, true);
  assert.deepEqual(evicted.delete.map((x) => x.pod.metadata?.name), ['p']);
});

test('rolling update without surge: unavailable old pods go first, then at most maxUnavailable at a time', () => {
  const d = ds();
  const nodes = [node('a'), node('b'), node('c')];
  const pods = new Map([['a', [dpod('pa', 'a', 'old')]], ['b', [dpod('pb', 'b', 'old', { ready: false })]], ['c', [dpod('pc', 'c', 'old')]]]);
  const plan = rollingUpdatePlan(d, nodes, pods, 'new', now);
  assert.deepEqual(plan.deletePods.map((p) => p.metadata?.name), ['pb'], 'the unavailable one uses up the budget');
  const healthy = new Map([['a', [dpod('pa', 'a', 'old')]], ['b', [dpod('pb', 'b', 'new')]], ['c', [dpod('pc', 'c', 'old')]]]);
  assert.deepEqual(rollingUpdatePlan(d, nodes, healthy, 'new', now).deletePods.map((p) => p.metadata?.name), ['pa']);
});

test('rolling update with surge: new pods beside old ones, old ones go once the new one is available', () => {
  const d = ds({}, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
  const nodes = [node('a'), node('b')];
  const first = rollingUpdatePlan(d, nodes, new Map([['a', [dpod('pa', 'a', 'old')]], ['b', [dpod('pb', 'b', 'old')]]]), 'new', now);
  assert.deepEqual(first, { deletePods: [], createOn: ['a'] });
  const second = rollingUpdatePlan(d, nodes, new Map([['a', [dpod('pa', 'a', 'old'), dpod('na', 'a', 'new')]], ['b', [dpod('pb', 'b', 'old')]]]), 'new', now);
  assert.deepEqual(second.deletePods.map((p) => p.metadata?.name), ['pa']);
});

test('status numbers as kubectl prints them', () => {
  const d = ds({ nodeSelector: { role: 'worker' } });
  const nodes = [node('a', { labels: { role: 'worker' } }), node('b', { labels: { role: 'worker' } }), node('c')];
  const pods = new Map([['a', [dpod('pa', 'a', 'h')]], ['b', [dpod('pb', 'b', 'old', { ready: false })]], ['c', [dpod('pc', 'c', 'h')]]]);
  assert.deepEqual(daemonSetCounts(d, nodes, pods, 'h', now), {
    desiredNumberScheduled: 2, currentNumberScheduled: 2, numberMisscheduled: 1, numberReady: 1, updatedNumberScheduled: 1, numberAvailable: 1, numberUnavailable: 1,
  });
});

test('controller revisions: the hash follows the template, old ones beyond the limit go unless a pod runs them', () => {
  const data = templatePatch({ metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'x' }] } });
  assert.deepEqual(Object.keys((data.spec as { template: object }).template), ['metadata', 'spec', '$patch']);
  assert.equal(revisionHash(data), revisionHash(JSON.parse(JSON.stringify(data))));
  assert.notEqual(revisionHash(data), revisionHash(data, 1));
  const rev = (name: string, revision: number, hash = name): ControllerRevision => ({ metadata: { name, labels: { [revisionHashLabel]: hash } }, revision });
  const all = [rev('r1', 1), rev('r2', 2), rev('r3', 3), rev('r4', 4)];
  assert.deepEqual(revisionsToDelete(all, 'r4', new Set(['r1']), 1).map((r) => r.metadata?.name), ['r2', 'r3']);
  assert.deepEqual(revisionsToDelete(all, 'r4', new Set(), 2).map((r) => r.metadata?.name), ['r1']);
});
