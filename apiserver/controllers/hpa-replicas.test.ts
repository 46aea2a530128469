// The replica calculator against the cases upstream's replica_calculator_test.go covers, worked
// out by hand from the rules (not copied): tolerance edges, missing and unready pods,
// requests, AverageValue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../lib/client/types.js';
import { groupPods, rawResourceReplicas, resourceReplicas, ReplicaCalcError, type PodMetric } from './hpa-replicas.js';

const now = Date.parse('2026-12-07T12:00:00Z');
const opts = { tolerance: 0.1, cpuInitializationPeriodMs: 5 * 60_000, initialReadinessDelayMs: 30_000, now };
const ago = (s: number) => new Date(now - s * 1000).toISOString();

interface PodOpts {
  phase?: string;
  ready?: boolean | 'none';
  /** Seconds since the pod started (default: long ago). */
  started?: number;
  /** Seconds since Ready last changed. */
  transition?: number;
  request?: string | null;
  containers?: number;
  deleting?: boolean;
}

function pod(name: string, o: PodOpts = {}): Pod {
  const containers = Array.from({ length: o.containers ?? 1 }, (_, i) => ({
    name: `c${i}`, resources: o.request === null ? {} : { requests: { cpu: o.request ?? '1', memory: o.request ?? '1' } },
  }));
  return {
    metadata: { name, namespace: 'ns', ...(o.deleting ? { deletionTimestamp: ago(1) } : {}) },
    spec: { containers },
    status: {
      phase: o.phase ?? 'Running', startTime: ago(o.started ?? 3600),
      conditions: o.ready === 'none' ? [] : [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: ago(o.transition ?? 3000) }],
    },
  } as Pod;
}

/** Metrics in milli-units, measured 10 s ago over 15 s. */
const metrics = (values: Record<string, number>) => new Map<string, PodMetric>(
  Object.entries(values).map(([k, v]) => [k, { timestampMs: now - 10_000, windowMs: 15_000, value: v }]),
);

test('scale up: ceil(ratio × ready pods)', () => {
  // 3 pods at 1 core request, using 0.9 each against a 50% target: ratio 1.8 → 6.
  const r = resourceReplicas(3, 50, 'cpu', [pod('a'), pod('b'), pod('c')], metrics({ a: 900, b: 900, c: 900 }), opts);
  assert.deepEqual(r, { replicas: 6, utilization: 90, rawAverage: 900, timestampMs: now - 10_000 });
});

test('scale down, and the utilization is truncated to whole percent', () => {
  const r = resourceReplicas(4, 50, 'cpu', [pod('a'), pod('b'), pod('c'), pod('d')], metrics({ a: 100, b: 101, c: 100, d: 100 }), opts);
  // (401 × 100) / 4000 = 10.025 → 10%; ratio 0.2 → ceil(0.8) = 1.
  assert.equal(r.utilization, 10);
  assert.equal(r.replicas, 1);
});

test('tolerance: 1.09 keeps the count; 1.10 scales, as float64 |1 - 1.1| is just above 0.1 in Go too', () => {
  const two = [pod('a'), pod('b')];
  assert.equal(resourceReplicas(2, 100, 'cpu', two, metrics({ a: 1090, b: 1090 }), opts).replicas, 2);
  assert.equal(resourceReplicas(2, 100, 'cpu', two, metrics({ a: 1100, b: 1100 }), opts).replicas, 3);
  assert.equal(resourceReplicas(2, 100, 'cpu', two, metrics({ a: 1110, b: 1110 }), opts).replicas, 3);
  assert.equal(resourceReplicas(2, 100, 'cpu', two, metrics({ a: 900, b: 900 }), opts).replicas, 2);
  assert.equal(resourceReplicas(2, 100, 'cpu', two, metrics({ a: 890, b: 890 }), opts).replicas, 2 /* ceil(0.89 × 2) */);
  assert.equal(resourceReplicas(4, 100, 'cpu', [pod('a'), pod('b'), pod('c'), pod('d')], metrics({ a: 890, b: 890, c: 890, d: 890 }), opts).replicas, 4);
  assert.equal(resourceReplicas(4, 100, 'cpu', [pod('a'), pod('b'), pod('c'), pod('d')], metrics({ a: 700, b: 700, c: 700, d: 700 }), opts).replicas, 3);
});

test('missing pods count as at their request on a scale down: no scale down on their account', () => {
  // a,b at 10%; c missing → 100%: (100+100+1000)/3000 = 40% vs 50% target: ratio 0.8 → ceil(0.8 × 3) = 3 = current.
  const pods = [pod('a'), pod('b'), pod('c')];
  assert.equal(resourceReplicas(3, 50, 'cpu', pods, metrics({ a: 100, b: 100 }), opts).replicas, 3);
  // With more headroom the scale down happens, counted over all three.
  assert.equal(resourceReplicas(5, 90, 'cpu', [...pods, pod('d'), pod('e')], metrics({ a: 0, b: 0, c: 0, d: 0 }), opts).replicas, 2);
});

test('missing pods count as the target when it is above 100%', () => {
  // Target 200%: the missing pod counts at 2000m; a at 0: ratio (2000/2000)/2 = 0.5 → 1.
  assert.equal(resourceReplicas(2, 200, 'cpu', [pod('a'), pod('b')], metrics({ a: 0 }), opts).replicas, 1);
});

test('missing pods count as using nothing on a scale up', () => {
  // a at 200% vs 50%; b missing at 0: 100% / 50% = 2 → ceil(2 × 2) = 4.
  assert.equal(resourceReplicas(2, 50, 'cpu', [pod('a'), pod('b')], metrics({ a: 2000 }), opts).replicas, 4);
});

test('unready pods are left out, and count as using nothing on a scale up', () => {
  const pods = [pod('a'), pod('b', { ready: false, started: 60, transition: 60 })];
  // Scale up: a at 100% of 50%; b unready at 0 → (1000+0)/2000 = 50% → ratio 1 → within tolerance: stay.
  assert.equal(resourceReplicas(2, 50, 'cpu', pods, metrics({ a: 1000, b: 1000 }), opts).replicas, 2);
  // Scale down ignores it entirely: a at 10% → ceil(0.2 × 1) = 1.
  assert.equal(resourceReplicas(2, 50, 'cpu', pods, metrics({ a: 100, b: 1000 }), opts).replicas, 1);
});

test('CPU readiness: a new pod whose sample predates one window after turning Ready is unready; memory ignores readiness', () => {
  const young = pod('a', { started: 60, transition: 5 });
  const g = groupPods([young], metrics({ a: 1 }), 'cpu', opts);
  assert.deepEqual([...g.unready], ['a']);
  assert.equal(groupPods([young], metrics({ a: 1 }), 'memory', opts).readyPodCount, 1);
  // Past the initialization period, only a pod that never became ready (readiness flipped within 30 s of start) is unready.
  const old = pod('b', { started: 600, transition: 590, ready: false });
  assert.equal(groupPods([old], metrics({ b: 1 }), 'cpu', opts).unready.size, 1);
  const wasReady = pod('c', { started: 600, transition: 60, ready: false });
  assert.equal(groupPods([wasReady], metrics({ c: 1 }), 'cpu', opts).readyPodCount, 1);
});

test('deleted and failed pods are ignored, pending ones unready, pods without metrics missing', () => {
  const g = groupPods([pod('a', { deleting: true }), pod('b', { phase: 'Failed' }), pod('c', { phase: 'Pending' }), pod('d'), pod('e')], metrics({ e: 1 }), 'cpu', opts);
  assert.deepEqual({ ready: g.readyPodCount, ignored: [...g.ignored], unready: [...g.unready], missing: [...g.missing] }, { ready: 1, ignored: ['a', 'b'], unready: ['c'], missing: ['d'] });
});

test('a container without a request makes the metric unusable', () => {
  assert.throws(() => resourceReplicas(1, 50, 'cpu', [pod('a', { request: null })], metrics({ a: 1 }), opts),
    (err: Error) => err instanceof ReplicaCalcError && err.message === 'missing request for cpu in container c0 of Pod a');
});

test('no pods, or no metrics for ready pods, are errors', () => {
  assert.throws(() => resourceReplicas(1, 50, 'cpu', [], metrics({}), opts), /no pods returned by selector while calculating replica count/);
  assert.throws(() => resourceReplicas(1, 50, 'cpu', [pod('a', { ready: 'none' })], metrics({ a: 1 }), opts), /did not receive metrics for targeted pods \(pods might be unready\)/);
});

test('requests are summed over containers', () => {
  // 2 containers × 1 core; 1 core used → 50%, on target.
  assert.deepEqual(resourceReplicas(1, 50, 'cpu', [pod('a', { containers: 2 })], metrics({ a: 1000 }), opts).utilization, 50);
});

test('AverageValue: average usage against the per-pod target', () => {
  const mi = 1024 * 1024 * 1000;
  // Two pods at 20Mi and 40Mi against 10Mi: ratio 3 → 6.
  const r = rawResourceReplicas(2, 10 * mi, 'memory', [pod('a'), pod('b')], metrics({ a: 20 * mi, b: 40 * mi }), opts);
  assert.equal(r.replicas, 6);
  assert.equal(r.rawAverage, 30 * mi);
  assert.equal(r.utilization, undefined);
  // Missing pod on a scale down counts at the target.
  assert.equal(rawResourceReplicas(3, 10 * mi, 'memory', [pod('a'), pod('b'), pod('c')], metrics({ a: 1 * mi, b: 1 * mi }), opts).replicas, 2);
});
