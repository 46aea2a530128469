import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../lib/client/clock.js';
import type { Pod } from '../../lib/client/types.js';
import { fromLabelSelectorSpec } from '../api/selectors/labels.js';
import { claimDecision } from './controller-ref.js';
import { Expectations } from './expectations.js';
import { podFromTemplate, podNamePrefix, slowStartBatch } from './pod-control.js';
import { isPodAvailable, newControllerRef, podsToDelete } from './pod-helpers.js';
import { replicatedStatus, replicatedStatusChanged } from './replicaset-status.js';

const now = Date.UTC(2025, 0, 1, 12);
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function pod(name: string, opts: { node?: string; phase?: string; ready?: boolean; readySince?: number; created?: number; restarts?: number; labels?: Record<string, string>; cost?: number } = {}): Pod {
  return {
    metadata: {
      name, namespace: 'default', uid: `${name}-uid`, creationTimestamp: iso(opts.created ?? now - 3600_000), labels: opts.labels ?? { app: 'web' },
      ...(opts.cost !== undefined ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': String(opts.cost) } } : {}),
    },
    spec: { containers: [], nodeName: opts.node },
    status: {
      phase: opts.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: iso(opts.readySince ?? now - 3600_000) }],
      containerStatuses: [{ name: 'c', restartCount: opts.restarts ?? 0, ready: true, image: 'x', imageID: 'x' }],
    },
  };
}

test('surplus pods go in Kubernetes order: unscheduled, pending, not ready, cheap, doubled up, newest', () => {
  const names = (ps: Pod[]) => ps.map((p) => p.metadata?.name);
  const a = pod('running', { node: 'n1' });
  const b = pod('unscheduled', { phase: 'Pending' });
  const c = pod('pending', { node: 'n1', phase: 'Pending' });
  const d = pod('not-ready', { node: 'n2', ready: false });
  assert.deepEqual(names(podsToDelete([a, b, c, d], [], 3, now)), ['unscheduled', 'pending', 'not-ready']);
  const cheap = pod('cheap', { node: 'n3', cost: -10 });
  assert.deepEqual(names(podsToDelete([a, cheap], [], 1, now)), ['cheap']);
  // Two related pods share n1: the one there goes before the one alone on n2.
  const alone = pod('alone', { node: 'n2' });
  const crowded = pod('crowded', { node: 'n1' });
  assert.deepEqual(names(podsToDelete([alone, crowded], [alone, crowded, pod('sibling', { node: 'n1' })], 1, now)), ['crowded']);
  const young = pod('young', { node: 'n4', created: now - 60_000, readySince: now - 60_000 });
  assert.deepEqual(names(podsToDelete([a, young], [], 1, now)), ['young'], 'ready for less time goes first');
  const flaky = pod('flaky', { node: 'n5', restarts: 7 });
  assert.deepEqual(names(podsToDelete([a, flaky], [], 1, now)), ['flaky']);
});

test('available means ready for minReadySeconds', () => {
  const p = pod('p', { readySince: now - 5000 });
  assert.equal(isPodAvailable(p, 0, now), true);
  assert.equal(isPodAvailable(p, 10, now), false);
  assert.equal(isPodAvailable(p, 4, now), true);
  assert.equal(isPodAvailable(pod('q', { ready: false }), 0, now), false);
});

test('claiming: owned stays, matching orphans are adopted, mismatches released, others ignored', () => {
  const owner = { metadata: { name: 'web', uid: 'rs-uid' } };
  const sel = fromLabelSelectorSpec({ matchLabels: { app: 'web' } });
  const ref = newControllerRef(owner, 'apps/v1', 'ReplicaSet');
  const mine = (labels: Record<string, string>) => ({ metadata: { labels, ownerReferences: [ref] } });
  assert.equal(claimDecision(mine({ app: 'web' }), owner, sel), 'owned');
  assert.equal(claimDecision(mine({ app: 'other' }), owner, sel), 'release');
  assert.equal(claimDecision({ metadata: { labels: { app: 'web' } } }, owner, sel), 'adopt');
  assert.equal(claimDecision({ metadata: { labels: { app: 'web' }, deletionTimestamp: iso(now) } }, owner, sel), 'ignore');
  assert.equal(claimDecision({ metadata: { labels: { app: 'web' }, ownerReferences: [{ ...ref, uid: 'other' }] } }, owner, sel), 'ignore');
  const deleting = { metadata: { ...owner.metadata, deletionTimestamp: iso(now) } };
  assert.equal(claimDecision(mine({ app: 'other' }), deleting, sel), 'ignore', 'an owner being deleted neither adopts nor releases');
  assert.deepEqual(ref, { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true });
});

test('pods from a template: its labels, annotations and spec, named after the owner, owned by it', () => {
  const ref = newControllerRef({ metadata: { name: 'web-7d9f8', uid: 'u' } }, 'apps/v1', 'ReplicaSet');
  const p = podFromTemplate({ metadata: { labels: { app: 'web' }, annotations: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }, 'ns', ref, podNamePrefix('web-7d9f8'));
  assert.deepEqual(p.metadata, { namespace: 'ns', generateName: 'web-7d9f8-', labels: { app: 'web' }, annotations: { a: 'b' }, ownerReferences: [ref] });
  assert.equal(p.spec?.containers[0].image, 'nginx');
});

test('slow start: batches of 1, 2, 4... and no more after a batch fails', async () => {
  const batches: number[] = [];
  let inFlight = 0;
  let calls = 0;
  const ok = await slowStartBatch(10, 1, async () => {
    calls++;
    inFlight++;
    await Promise.resolve();
    batches.push(inFlight);
    inFlight = 0;
  });
  assert.equal(ok.successes, 10);
  assert.equal(calls, 10);
  let n = 0;
  const failing = await slowStartBatch(10, 1, async () => {
    if (++n === 2) throw new Error('quota');
  });
  assert.equal(failing.successes, 2, 'batch 1 (1) and batch 2 (2, one failed): 2 succeeded, then stop');
  assert.equal(n, 3);
  assert.equal((failing.error as Error).message, 'quota');
});

test('expectations hold a sync back until the informer saw the creates and deletes, or five minutes pass', async () => {
  const clock = new FakeClock(now);
  const e = new Expectations(clock);
  assert.equal(e.satisfied('ns/web'), true);
  e.expectCreations('ns/web', 2);
  assert.equal(e.satisfied('ns/web'), false);
  e.creationObserved('ns/web');
  e.creationObserved('ns/web');
  assert.equal(e.satisfied('ns/web'), true);
  e.expectDeletions('ns/web', ['ns/a', 'ns/b']);
  e.deletionObserved('ns/web', 'ns/a');
  e.deletionObserved('ns/web', 'ns/a');
  assert.equal(e.satisfied('ns/web'), false, 'the same deletion counts once');
  await clock.advance(5 * 60_000 + 1);
  assert.equal(e.satisfied('ns/web'), true, 'expired');
});

test('ReplicaSet status: counts, fully labelled, available after minReadySeconds, ReplicaFailure kept then cleared', () => {
  const owner = { metadata: { generation: 3 }, spec: { minReadySeconds: 30, template: { metadata: { labels: { app: 'web', tier: 'fe' } } } }, status: { replicas: 1 } };
  const pods = [
    pod('a', { labels: { app: 'web', tier: 'fe' }, readySince: now - 60_000 }),
    pod('b', { labels: { app: 'web' }, readySince: now - 10_000 }),
    pod('c', { ready: false, labels: { app: 'web', tier: 'fe' } }),
  ];
  const s = replicatedStatus(owner, pods, undefined, now);
  assert.deepEqual(s, { replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1, observedGeneration: 3 });
  const failed = replicatedStatus(owner, pods, { op: 'create', message: 'pods "x" is forbidden: exceeded quota' }, now);
  assert.deepEqual(failed.conditions?.map((c) => [c.type, c.status, c.reason, c.message]), [['ReplicaFailure', 'True', 'FailedCreate', 'pods "x" is forbidden: exceeded quota']]);
  assert.equal(replicatedStatus({ ...owner, status: failed }, pods, undefined, now).conditions, undefined);
  assert.equal(replicatedStatusChanged({ ...owner, status: s }, s), false);
  assert.equal(replicatedStatusChanged({ ...owner, metadata: { generation: 4 }, status: s }, s), true, 'a new generation is reported');
});
