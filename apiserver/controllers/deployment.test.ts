import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicaSet } from '../../lib/client/types.js';
import {
  activeOrLatest, maxScaledDown, maxSurge, maxUnavailable, newRSNewReplicas, proportionalScale, rollingScaleDown, scaledValue,
  unhealthyCleanup,
} from './deployment-math.js';
import { calculateStatus, pausedCondition, recheckAfter, rolloutStatus } from './deployment-status.js';
import {
  computeTemplateHash, equalIgnoreHash, findNewReplicaSet, newReplicaSetFor, podTemplateHashLabel, revisionHistoryAnnotation,
  setNewReplicaSetAnnotations,
} from './deployment-util.js';
import type { Deployment } from './workload-types.js';

const t0 = Date.UTC(2025, 0, 1);

function deployment(replicas: number, surge: number | string = '25%', unavailable: number | string = '25%', extra: Partial<NonNullable<Deployment['spec']>> = {}): Deployment {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'd-uid', generation: 1 },
    spec: {
      replicas, selector: { matchLabels: { app: 'web' } }, progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      ...extra,
    },
  };
}

function rs(name: string, replicas: number, available = replicas, created = t0, annotations: Record<string, string> = {}): ReplicaSet {
  return {
    metadata: { name, uid: `${name}-uid`, creationTimestamp: new Date(created).toISOString(), annotations },
    spec: { replicas, selector: {}, template: {} },
    status: { replicas, availableReplicas: available, readyReplicas: available },
  };
}

test('maxSurge rounds up and maxUnavailable down; both zero means one unavailable', () => {
  assert.equal(scaledValue('25%', 10, true), 3);
  assert.equal(scaledValue('25%', 10, false), 2);
  assert.equal(maxSurge(deployment(10)), 3);
  assert.equal(maxUnavailable(deployment(10)), 2);
  assert.equal(maxUnavailable(deployment(3, '0%', '0%')), 1);
  assert.equal(maxUnavailable(deployment(2, 0, 5)), 2, 'never more than the replicas');
  assert.equal(maxSurge(deployment(3, 1, 0, { strategy: { type: 'Recreate' } })), 0);
});

test('the pod-template-hash is stable, ignores key order and changes with the collision count', () => {
  const d = deployment(3);
  const h = computeTemplateHash(d.spec?.template);
  assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(computeTemplateHash({ spec: d.spec!.template!.spec, metadata: d.spec!.template!.metadata }), h);
  assert.notEqual(computeTemplateHash(d.spec?.template, 1), h);
  const made = newReplicaSetFor(d, h);
  assert.equal(made.metadata?.name, `web-${h}`);
  assert.equal(made.spec?.template?.metadata?.labels?.[podTemplateHashLabel], h);
  assert.deepEqual(made.spec?.selector?.matchLabels, { app: 'web', [podTemplateHashLabel]: h });
  assert.ok(equalIgnoreHash(made.spec?.template, d.spec?.template), 'the hash label alone is no difference');
});

test('the new ReplicaSet is the oldest whose template matches', () => {
  const d = deployment(3);
  const a = { ...newReplicaSetFor(d, 'aaa'), metadata: { ...newReplicaSetFor(d, 'aaa').metadata, creationTimestamp: '2025-01-02T00:00:00Z' } };
  const b = { ...newReplicaSetFor(d, 'bbb'), metadata: { ...newReplicaSetFor(d, 'bbb').metadata, creationTimestamp: '2025-01-01T00:00:00Z' } };
  const other = newReplicaSetFor({ ...d, spec: { ...d.spec!, template: { ...d.spec!.template, spec: { containers: [{ name: 'c', image: 'other' }] } } } }, 'ccc');
  assert.equal(findNewReplicaSet(d, [a, other, b])?.metadata?.name, 'web-bbb');
  assert.equal(findNewReplicaSet(d, [other]), undefined);
});

test('revisions only grow; a reused ReplicaSet keeps its old numbers in revision-history', () => {
  const d = deployment(3);
  d.metadata!.annotations = { 'kubernetes.io/change-cause': 'v2', 'kubectl.kubernetes.io/last-applied-configuration': '{}' };
  const fresh: Record<string, string> = {};
  assert.ok(setNewReplicaSetAnnotations(d, fresh, 1, false, 1));
  assert.deepEqual(fresh, {
    'kubernetes.io/change-cause': 'v2', 'deployment.kubernetes.io/revision': '1',
    'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4',
  });
  const reused: Record<string, string> = { 'deployment.kubernetes.io/revision': '1', [revisionHistoryAnnotation]: '' };
  setNewReplicaSetAnnotations(d, reused, 3, true, 1);
  assert.equal(reused['deployment.kubernetes.io/revision'], '3');
  assert.equal(reused[revisionHistoryAnnotation], '1');
  setNewReplicaSetAnnotations(d, reused, 5, true, 1);
  assert.equal(reused[revisionHistoryAnnotation], '1,3');
  assert.equal(setNewReplicaSetAnnotations(d, reused, 2, true, 1), false, 'a lower revision changes nothing');
});

test('a rolling update grows the new ReplicaSet within the surge', () => {
  const d = deployment(10);
  const old = rs('old', 10);
  const neu = rs('new', 0);
  assert.equal(newRSNewReplicas(d, [old, neu], neu), 3);
  assert.equal(newRSNewReplicas(d, [rs('old', 10), rs('new', 3)], rs('new', 3)), 3, 'no room until old pods go');
  assert.equal(newRSNewReplicas(d, [rs('old', 6), rs('new', 3)], rs('new', 3)), 7);
  assert.equal(newRSNewReplicas(deployment(10, 1, 0, { strategy: { type: 'Recreate' } }), [old, neu], neu), 10);
});

test('old ReplicaSets shrink only down to minAvailable, unhealthy pods first, oldest first', () => {
  const d = deployment(10);
  const newRS = rs('new', 3, 0);
  const old = rs('old', 10);
  // 13 pods, 8 must stay available, 3 new ones not yet available: 2 old ones may go.
  assert.equal(maxScaledDown(d, [old, newRS], newRS), 2);
  assert.deepEqual(rollingScaleDown(d, [old, newRS], [old]).map((s) => [s.rs.metadata?.name, s.to]), [['old', 8]]);
  const sick = rs('sick', 4, 1, t0 - 1000);
  assert.deepEqual(unhealthyCleanup([old, sick], 5).map((s) => [s.rs.metadata?.name, s.to]), [['sick', 1]]);
  assert.deepEqual(unhealthyCleanup([sick], 2).map((s) => s.to), [2], 'within the budget');
});

test('a resize mid-rollout is spread over the active ReplicaSets by their share', () => {
  // 10 replicas, surge 3: old 8 + new 5 = 13 (max-replicas 13). Scaled to 20 (max 25): +12.
  const d = deployment(20);
  const annotations = { 'deployment.kubernetes.io/max-replicas': '13' };
  const old = rs('old', 8, 8, t0, annotations);
  const neu = rs('new', 5, 5, t0 + 1000, annotations);
  const steps = proportionalScale(d, neu, [old]);
  assert.deepEqual(steps.map((s) => [s.rs.metadata?.name, s.to, s.direction]), [['old', 15, 'up'], ['new', 10, 'up']]);
  assert.equal(steps.reduce((n, s) => n + s.to, 0), 25);
  const down = proportionalScale(deployment(4), neu, [old]);
  assert.equal(down.reduce((n, s) => n + s.to, 0), 5, 'to 4 + surge 1');
  assert.ok(down.every((s) => s.direction === 'down'));
});

test('with one active ReplicaSet a resize goes to it alone', () => {
  assert.equal(activeOrLatest(rs('new', 3), [rs('old', 0)])?.metadata?.name, 'new');
  assert.equal(activeOrLatest(rs('new', 3), [rs('old', 2)]), undefined);
  assert.equal(activeOrLatest(undefined, [rs('a', 0, 0, t0), rs('b', 0, 0, t0 + 5)])?.metadata?.name, 'b', 'none active: the newest');
});

test('status sums the ReplicaSets and says whether minimum availability holds', () => {
  const d = deployment(4);
  const s = calculateStatus(d, [rs('old', 1, 1), rs('new', 3, 2)], rs('new', 3, 2), t0);
  assert.equal(s.replicas, 4);
  assert.equal(s.updatedReplicas, 3);
  assert.equal(s.availableReplicas, 3);
  assert.equal(s.unavailableReplicas, 1);
  assert.deepEqual(s.conditions?.map((c) => [c.type, c.status, c.reason]), [['Available', 'True', 'MinimumReplicasAvailable']]);
  const low = calculateStatus(d, [rs('new', 4, 2)], rs('new', 4, 2), t0);
  assert.deepEqual(low.conditions?.map((c) => [c.type, c.status, c.reason, c.message]), [['Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.']]);
  assert.equal(calculateStatus(deployment(0), [], undefined, t0).replicas, undefined, 'zero counts are left out as Go omits them');
});

test('Progressing: progress, completion, and the deadline passing without progress', () => {
  const d = deployment(2);
  const newRS = { ...rs('web-abc', 2, 1) };
  const progressing = rolloutStatus(d, [newRS], newRS, t0);
  const p = progressing.conditions?.find((c) => c.type === 'Progressing');
  assert.equal(p?.reason, 'ReplicaSetUpdated');
  assert.equal(p?.message, 'ReplicaSet "web-abc" is progressing.');
  // No progress since: after progressDeadlineSeconds it has timed out.
  const stuck = { ...d, status: progressing };
  assert.equal(recheckAfter(stuck, progressing, t0 + 1000), 600_000);
  const late = rolloutStatus(stuck, [newRS], newRS, t0 + 601_000);
  const c = late.conditions?.find((x) => x.type === 'Progressing');
  assert.deepEqual([c?.status, c?.reason, c?.message], ['False', 'ProgressDeadlineExceeded', 'ReplicaSet "web-abc" has timed out progressing.']);
  const done = rolloutStatus(stuck, [rs('web-abc', 2, 2)], rs('web-abc', 2, 2), t0 + 2000);
  const ok = done.conditions?.find((x) => x.type === 'Progressing');
  assert.deepEqual([ok?.status, ok?.reason, ok?.message], ['True', 'NewReplicaSetAvailable', 'ReplicaSet "web-abc" has successfully progressed.']);
  assert.equal(ok?.lastTransitionTime, p?.lastTransitionTime, 'still True: the transition time stays');
});

test('a finished rollout that loses a pod is not looked at again for progress', () => {
  const d = deployment(3);
  const newRS = rs('web-abc', 3, 3);
  const finished = rolloutStatus(d, [newRS], newRS, t0);
  assert.equal(finished.conditions?.find((c) => c.type === 'Progressing')?.reason, 'NewReplicaSetAvailable');
  // An hour later a node went away with one pod: the rollout stays finished, nothing can time out.
  const done = { ...d, status: finished };
  const short = rs('web-abc', 3, 2);
  const now = t0 + 3_600_000;
  const after = rolloutStatus(done, [short], short, now);
  assert.equal(after.conditions?.find((c) => c.type === 'Progressing')?.reason, 'NewReplicaSetAvailable');
  assert.equal(recheckAfter({ ...done, status: after }, after, now), undefined);
  // A rollout past its deadline is due now (the controller requeues it rate limited).
  const rolling = rolloutStatus(d, [rs('web-abc', 3, 1)], rs('web-abc', 3, 1), t0);
  assert.equal(recheckAfter({ ...d, status: rolling }, rolling, t0 + 600_500), 0);
});

test('pausing and resuming set Progressing Unknown', () => {
  const paused = deployment(1, 1, 0, { paused: true });
  assert.deepEqual([pausedCondition(paused, t0)?.status, pausedCondition(paused, t0)?.reason], ['Unknown', 'DeploymentPaused']);
  const resumed = { ...deployment(1), status: { conditions: [{ type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused' }] } };
  assert.equal(pausedCondition(resumed, t0)?.message, 'Deployment is resumed');
  assert.equal(pausedCondition(deployment(1), t0), undefined);
});
