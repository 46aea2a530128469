import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../lib/client/types.js';
import { HpaReconciler, type Hpa, type HpaDeps, type HpaStatus, type MetricSpec } from './hpa-reconcile.js';
import type { PodMetric } from './hpa-replicas.js';

const now = Date.parse('2026-12-07T12:00:00Z');
const ago = (s: number) => new Date(now - s * 1000).toISOString();

function fixture(opts: { replicas?: number; usage?: number; request?: string | null; scaleError?: string; metrics?: MetricSpec[] } = {}) {
  const state = { replicas: opts.replicas ?? 1, events: [] as string[], status: undefined as HpaStatus | undefined };
  const pods = (): Pod[] => Array.from({ length: state.replicas }, (_, i) => ({
    metadata: { name: `web-${i}`, namespace: 'default', labels: { app: 'web' } },
    spec: { containers: [{ name: 'burn', resources: opts.request === null ? {} : { requests: { cpu: opts.request ?? '100m', memory: '10Mi' } } }] },
    status: { phase: 'Running', startTime: ago(3600), conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: ago(3000) }] },
  }) as Pod);
  const deps: HpaDeps = {
    async getScale() {
      if (opts.scaleError) throw new Error(opts.scaleError);
      return { metadata: { name: 'web' }, spec: { replicas: state.replicas }, status: { replicas: state.replicas, selector: 'app=web' }, path: '/x' };
    },
    async updateScale(_s, r) {
      state.replicas = r;
    },
    async podMetrics(_ns, selector, resource) {
      assert.equal(selector, 'app=web');
      return new Map<string, PodMetric>(pods().map((p) => [p.metadata!.name!, {
        timestampMs: now - 5000, windowMs: 15_000, value: resource === 'cpu' ? opts.usage ?? 100 : 20 * 1024 * 1024 * 1000,
      }]));
    },
    pods: (_ns, sel) => pods().filter((p) => sel.matches(p.metadata?.labels ?? {})),
    event: (_h, type, reason, message) => state.events.push(`${type} ${reason} ${message}`),
    async updateStatus(_h, s) {
      state.status = s;
    },
    now: () => now,
  };
  const hpa: Hpa = {
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5,
      metrics: opts.metrics ?? [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
    },
  };
  return { state, hpa, reconciler: new HpaReconciler(deps) };
}

const conditions = (s: HpaStatus | undefined) => (s?.conditions ?? []).map((c) => `${c.type}=${c.status} ${c.reason}: ${c.message}`);

test('a busy target scales up: scale, status, conditions and the SuccessfulRescale event', async () => {
  const { state, hpa, reconciler } = fixture({ usage: 100 });
  await reconciler.reconcile('default/web', hpa);
  // 100m used of 100m requested against 50%: ratio 2 → 2; legacy limit max(2, 4).
  assert.equal(state.replicas, 2);
  assert.deepEqual(state.events, ['Normal SuccessfulRescale New size: 2; reason: cpu resource utilization (percentage of request) above target']);
  assert.deepEqual(state.status?.currentMetrics, [{ type: 'Resource', resource: { name: 'cpu', current: { averageValue: '100m', averageUtilization: 100 } } }]);
  assert.equal(state.status?.currentReplicas, 1);
  assert.equal(state.status?.desiredReplicas, 2);
  assert.equal(state.status?.lastScaleTime, '2026-12-07T12:00:00Z');
  assert.deepEqual(conditions(state.status), [
    'AbleToScale=True SucceededRescale: the HPA controller was able to update the target scale to 2',
    'ScalingActive=True ValidMetricFound: the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
    'ScalingLimited=False DesiredWithinRange: the desired count is within the acceptable range',
  ]);
});

test('on target: no rescale, ReadyForNewScale', async () => {
  const { state, hpa, reconciler } = fixture({ usage: 50, replicas: 2 });
  await reconciler.reconcile('default/web', hpa);
  assert.equal(state.replicas, 2);
  assert.deepEqual(state.events, []);
  assert.equal(state.status?.desiredReplicas, 2);
  assert.match(conditions(state.status)[0], /^AbleToScale=True ReadyForNewScale/);
});

test('a target without requests: ScalingActive False FailedGetResourceMetric, and the events Kubernetes sends', async () => {
  const { state, hpa, reconciler } = fixture({ request: null });
  await reconciler.reconcile('default/web', hpa);
  assert.equal(state.replicas, 1);
  assert.deepEqual(conditions(state.status), [
    'AbleToScale=True SucceededGetScale: the HPA controller was able to get the target\'s current scale',
    'ScalingActive=False FailedGetResourceMetric: the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container burn of Pod web-0',
  ]);
  assert.deepEqual(state.events, [
    'Warning FailedGetResourceMetric failed to get cpu utilization: missing request for cpu in container burn of Pod web-0',
    'Warning FailedComputeMetricsReplicas invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: failed to get cpu utilization: missing request for cpu in container burn of Pod web-0',
  ]);
  assert.deepEqual(state.status?.currentMetrics, [{ type: '' }]);
});

test('memory AverageValue: status in milli-quantity as the controller writes it', async () => {
  const { state, hpa, reconciler } = fixture({ metrics: [{ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '10Mi' } } }] });
  await reconciler.reconcile('default/web', hpa);
  assert.equal(state.replicas, 2);
  assert.deepEqual(state.status?.currentMetrics, [{ type: 'Resource', resource: { name: 'memory', current: { averageValue: '20971520' } } }]);
  assert.match(state.events[0], /reason: memory resource above target$/);
});

test('a missing target: AbleToScale False FailedGetScale', async () => {
  const { state, hpa, reconciler } = fixture({ scaleError: 'deployments.apps "web" not found' });
  await reconciler.reconcile('default/web', hpa);
  assert.deepEqual(conditions(state.status), ['AbleToScale=False FailedGetScale: the HPA controller was unable to get the target\'s current scale: deployments.apps "web" not found']);
  assert.deepEqual(state.events, ['Warning FailedGetScale deployments.apps "web" not found']);
});

test('replicas outside [min, max] are brought in without reading metrics', async () => {
  const { state, hpa, reconciler } = fixture({ replicas: 7 });
  await reconciler.reconcile('default/web', hpa);
  assert.equal(state.replicas, 5);
  assert.deepEqual(state.events, ['Normal SuccessfulRescale New size: 5; reason: Current number of replicas above Spec.MaxReplicas']);
});

test('ContainerResource: one container against its own request, reported as ContainerResource', async () => {
  const { state, hpa, reconciler } = fixture({
    usage: 100, metrics: [{ type: 'ContainerResource', containerResource: { name: 'cpu', container: 'burn', target: { type: 'Utilization', averageUtilization: 50 } } }],
  });
  await reconciler.reconcile('default/web', hpa);
  assert.equal(state.replicas, 2);
  assert.deepEqual(state.status?.currentMetrics, [{ type: 'ContainerResource', containerResource: { name: 'cpu', container: 'burn', current: { averageValue: '100m', averageUtilization: 100 } } }]);
  assert.match(state.events[0], /reason: cpu container resource utilization \(percentage of request\) above target$/);
});

test('a Pods metric nobody serves fails as without an adapter, and the Resource metric still scales up', async () => {
  const { state, hpa, reconciler } = fixture({
    usage: 100, metrics: [
      { type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '10' } } },
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
    ],
  });
  await reconciler.reconcile('default/web', hpa);
  assert.equal(state.replicas, 2);
  assert.equal(state.events[0], 'Warning FailedGetPodsMetric unable to get metric rps: unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered');
  assert.deepEqual((state.status?.currentMetrics as Array<{ type: string }>).map((m) => m.type), ['', 'Resource']);
});
