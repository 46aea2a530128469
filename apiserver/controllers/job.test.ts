import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../lib/client/clock.js';
import type { Pod } from '../../lib/client/types.js';
import {
  backoffRemaining, duplicateIndexPods, ensureCondition, firstPendingIndexes, formatIndexes, isPodFailed, jobPodPrefix, jobPodTemplate,
  nextBackoffRecord, parseIndexes, pastActiveDeadline, pastBackoffLimitOnFailure, trackingFinalizer, wantActive,
} from './job-logic.js';
import { expiresAt } from './ttl-after-finished.js';
import type { Job, JobCondition } from './workload-types.js';

const now = Date.UTC(2025, 0, 1, 12);
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function job(spec: Partial<NonNullable<Job['spec']>> = {}, status: NonNullable<Job['status']> = {}): Job {
  return {
    metadata: { name: 'pi', namespace: 'default', uid: 'job-uid' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'perl' }] } }, backoffLimit: 6, parallelism: 1, completions: 1, ...spec },
    status,
  };
}

const finished = (ms: number, phase = 'Failed', extra: Partial<Pod['metadata']> = {}): Pod => ({
  metadata: { name: `p${ms}`, ...extra },
  spec: { containers: [] },
  status: { phase, containerStatuses: [{ name: 'c', ready: false, restartCount: 0, image: 'x', imageID: 'x', state: { terminated: { exitCode: 1, finishedAt: iso(ms) } } }] },
});

test('active pods wanted: up to parallelism, never more than the completions left', () => {
  assert.equal(wantActive(job({ completions: 5, parallelism: 2 }), 0, 0), 2);
  assert.equal(wantActive(job({ completions: 5, parallelism: 2 }), 2, 4), 1);
  assert.equal(wantActive(job({ completions: 5, parallelism: 2 }), 0, 6), 0);
  assert.equal(wantActive(job({ completions: undefined, parallelism: 3 }), 0, 0), 3, 'a work queue: parallelism until one succeeds');
  assert.equal(wantActive(job({ completions: undefined, parallelism: 3 }), 2, 1), 2, 'then whatever still runs');
});

test('failures back pod creation off 10 s, doubling, reset by a success', () => {
  let r = nextBackoffRecord({ failuresAfterLastSuccess: 0 }, [], [finished(now)]);
  assert.deepEqual(r, { failuresAfterLastSuccess: 1, lastFailureTime: now });
  assert.equal(backoffRemaining(r, now + 4000), 6000);
  r = nextBackoffRecord(r, [], [finished(now + 20_000)]);
  assert.equal(backoffRemaining(r, now + 20_000), 20_000);
  assert.equal(backoffRemaining(nextBackoffRecord(r, [finished(now + 30_000, 'Succeeded')], []), now + 30_000), 0);
  assert.equal(backoffRemaining({ failuresAfterLastSuccess: 20, lastFailureTime: now }, now), 360_000, 'capped at six minutes');
});

test('a pod counts as failed when Failed, or deleted before finishing unless only failed pods are replaced', () => {
  const deleting: Pod = { metadata: { name: 'x', deletionTimestamp: iso(now) }, spec: { containers: [] }, status: { phase: 'Running' } };
  assert.equal(isPodFailed(deleting, job()), true);
  assert.equal(isPodFailed(deleting, job({ podReplacementPolicy: 'Failed' })), false);
  assert.equal(isPodFailed(finished(now), job()), true);
});

test('deadlines: activeDeadlineSeconds from the start time, and restarts of OnFailure pods', () => {
  assert.equal(pastActiveDeadline(job({ activeDeadlineSeconds: 60 }, { startTime: iso(now - 61_000) }), now), true);
  assert.equal(pastActiveDeadline(job({ activeDeadlineSeconds: 60, suspend: true }, { startTime: iso(now - 61_000) }), now), false, 'a suspended job is not running out its deadline');
  const restarting: Pod = { metadata: {}, spec: { containers: [] }, status: { phase: 'Running', containerStatuses: [{ name: 'c', restartCount: 2, ready: false, image: 'x', imageID: 'x' }] } };
  const onFailure = job({ backoffLimit: 2, template: { spec: { restartPolicy: 'OnFailure', containers: [] } } });
  assert.equal(pastBackoffLimitOnFailure(onFailure, [restarting]), true);
  assert.equal(pastBackoffLimitOnFailure(job({ backoffLimit: 2 }), [restarting]), false, 'only for restartPolicy OnFailure');
});

test('conditions are set once, changed in place, and a False one is not added', () => {
  const list: JobCondition[] = [];
  assert.equal(ensureCondition(list, 'Suspended', 'False', 'JobResumed', 'Job resumed', now), false);
  assert.equal(ensureCondition(list, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now), true);
  assert.equal(ensureCondition(list, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now + 1000), false);
  assert.equal(ensureCondition(list, 'Suspended', 'False', 'JobResumed', 'Job resumed', now + 2000), true);
  assert.deepEqual(list.map((c) => [c.type, c.status, c.reason, c.lastTransitionTime]), [['Suspended', 'False', 'JobResumed', iso(now + 2000)]]);
});

test('completion indexes: parsed and printed as ranges, the lowest free ones handed out, duplicates removed', () => {
  assert.deepEqual([...parseIndexes('1,3-5,9', 6)], [1, 3, 4, 5]);
  assert.equal(formatIndexes(new Set([5, 0, 1, 2, 7])), '0-2,5,7');
  const indexed = (ix: string): Pod => ({ metadata: { name: `p${ix}`, annotations: { 'batch.kubernetes.io/job-completion-index': ix } }, spec: { containers: [] } });
  assert.deepEqual(firstPendingIndexes([indexed('0'), indexed('2')], new Set([1]), 2, 5), [3, 4]);
  const { remove } = duplicateIndexPods([indexed('0'), indexed('0'), indexed('9'), indexed('x')], 5);
  assert.deepEqual(remove.map((p) => p.metadata?.name), ['p0', 'p9', 'px']);
});

test('job pods carry the tracking finalizer; Indexed ones their index, hostname and JOB_COMPLETION_INDEX', () => {
  const plain = jobPodTemplate(job(), -1);
  assert.deepEqual(plain.metadata?.finalizers, [trackingFinalizer]);
  assert.equal(jobPodPrefix(job(), -1), 'pi-');
  const t = jobPodTemplate(job({ completionMode: 'Indexed', completions: 3 }), 2);
  assert.equal(t.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'], '2');
  assert.equal(t.metadata?.labels?.['batch.kubernetes.io/job-completion-index'], '2');
  assert.equal(t.spec?.hostname, 'pi-2');
  assert.deepEqual(t.spec?.containers[0].env, [{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }]);
  assert.equal(jobPodPrefix(job(), 2), 'pi-2-');
});

test('TTL after finished: counted from the Complete or Failed condition', async () => {
  const clock = new FakeClock(now);
  const done = job({ ttlSecondsAfterFinished: 30 }, { conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: iso(now) }] });
  assert.equal(expiresAt(done, clock.now()), now + 30_000);
  assert.equal(expiresAt(job({ ttlSecondsAfterFinished: 30 }), clock.now()), undefined, 'not finished');
  assert.equal(expiresAt(job({}, done.status), clock.now()), undefined, 'no TTL');
});
