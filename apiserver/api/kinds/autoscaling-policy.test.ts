import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../object.js';
import { rowCells } from '../table.js';
import { formatHPAMetrics, hpaStrategy, hpaTable } from './hpa.js';
import { behaviorAnnotation, hpaFromV1, hpaToV1, metricSpecsAnnotation } from './hpa-conversion.js';
import { pdbStrategy, pdbTable } from './pdb.js';
import { createObject, updateObject } from './workload-testing.js';

const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
const hpa = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' }, spec: { scaleTargetRef: ref, maxReplicas: 5, ...spec },
});
const cpu = (averageUtilization: number) => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization } } });
const podsMetric = (averageValue: string) => ({ type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue } } });
const now = Date.parse('2024-01-01T00:00:30Z');
const row = (t: Parameters<typeof rowCells>[0], o: KubeObject) => rowCells(t, { ...o, metadata: { ...o.metadata, creationTimestamp: '2024-01-01T00:00:00Z' } }, now);

test('HPA defaults: minReplicas 1, CPU at 80% without metrics, behavior rules filled in, quantities canonical', () => {
  const { obj, errors } = createObject(hpaStrategy, hpa({}));
  assert.deepEqual(errors, []);
  assert.deepEqual(obj.spec, { scaleTargetRef: ref, maxReplicas: 5, minReplicas: 1, metrics: [cpu(80)] });
  assert.deepEqual(obj.status, { currentMetrics: null, desiredReplicas: 0 });
  const withBehavior = createObject(hpaStrategy, hpa({ metrics: [podsMetric('1500m')], behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } })).obj;
  const spec = withBehavior.spec as { metrics: unknown; behavior: unknown };
  assert.deepEqual(spec.metrics, [podsMetric('1500m')]);
  assert.deepEqual(spec.behavior, {
    scaleUp: {
      stabilizationWindowSeconds: 0, selectPolicy: 'Max',
      policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }],
    },
    scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
  });
  const canonical = createObject(hpaStrategy, hpa({ metrics: [podsMetric('2000m')] })).obj;
  assert.deepEqual((canonical.spec as { metrics: unknown }).metrics, [podsMetric('2')]);
});

test('HPA validation: replica bounds, the target reference, metric sources and behavior', () => {
  assert.deepEqual(createObject(hpaStrategy, hpa({ minReplicas: 3, maxReplicas: 2, scaleTargetRef: { kind: 'Deployment' } })).errors, [
    'spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`',
    'spec.scaleTargetRef.name: Required value',
  ]);
  assert.deepEqual(createObject(hpaStrategy, hpa({ minReplicas: 0, maxReplicas: 0 })).errors, [
    'spec.minReplicas: Invalid value: 0: must be greater than or equal to 1',
    'spec.maxReplicas: Invalid value: 0: must be greater than 0',
    'spec.metrics: Forbidden: must specify at least one Object or External metric to support scaling to zero replicas',
  ]);
  assert.deepEqual(createObject(hpaStrategy, hpa({ metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization' } } }] })).errors, [
    'spec.metrics[0].resource.target.averageUtilization: Required value: must set either a target raw value or a target utilization',
  ]);
  assert.deepEqual(createObject(hpaStrategy, hpa({ metrics: [{ type: 'Pods', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] })).errors, [
    'spec.metrics[0].pods: Required value: must populate information for the given metric source',
  ]);
  assert.deepEqual(createObject(hpaStrategy, hpa({ metrics: [podsMetric('-1')] })).errors, [
    'spec.metrics[0].pods.target.averageValue: Invalid value: "-1": must be positive',
  ]);
  assert.deepEqual(createObject(hpaStrategy, hpa({ behavior: { scaleUp: { selectPolicy: 'Avg', policies: [{ type: 'Pods', value: 0, periodSeconds: 1801 }] } } })).errors, [
    'spec.behavior.scaleUp.selectPolicy: Unsupported value: "Avg": supported values: "Disabled", "Max", "Min"',
    'spec.behavior.scaleUp.policies[0].value: Invalid value: 0: must be greater than zero',
    'spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 1801: must be less than or equal to 1800',
  ]);
  // maxReplicas may change freely on update.
  const old = createObject(hpaStrategy, hpa({})).obj;
  const next = structuredClone(old);
  (next.spec as Record<string, unknown>).maxReplicas = 10;
  assert.deepEqual(updateObject(hpaStrategy, old, next).errors, []);
});

test('HPA autoscaling/v1 view: targetCPUUtilizationPercentage plus round-trip annotations', () => {
  const stored = createObject(hpaStrategy, hpa({ metrics: [cpu(60), podsMetric('10')], behavior: { scaleDown: { stabilizationWindowSeconds: 120 } } })).obj;
  stored.status = {
    currentReplicas: 2, desiredReplicas: 3,
    currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 75, averageValue: '150m' } } }],
  };
  const v1 = hpaToV1(stored);
  assert.deepEqual(v1.spec, { scaleTargetRef: ref, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 60 });
  assert.deepEqual(v1.status, { currentReplicas: 2, desiredReplicas: 3, currentCPUUtilizationPercentage: 75 });
  assert.deepEqual(JSON.parse(v1.metadata.annotations![metricSpecsAnnotation]), [{ type: 'Pods', pods: { metricName: 'qps', targetAverageValue: '10' } }]);
  assert.ok(behaviorAnnotation in v1.metadata.annotations!);
  // Back to v2: nothing is lost, and the annotations are gone again.
  const back = hpaFromV1(v1);
  assert.deepEqual((back.spec as { metrics: unknown }).metrics, [cpu(60), podsMetric('10')]);
  assert.deepEqual((back.spec as { behavior: unknown }).behavior, (stored.spec as { behavior: unknown }).behavior);
  assert.equal(back.metadata.annotations, undefined);
  // A plain v1 object: no target means the 80% CPU default.
  const plain = hpaFromV1({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' }, spec: { scaleTargetRef: ref, maxReplicas: 3 } });
  assert.deepEqual((plain.spec as { metrics: unknown }).metrics, [cpu(80)]);
});

test('HPA table: REFERENCE TARGETS MINPODS MAXPODS REPLICAS', () => {
  const o = createObject(hpaStrategy, hpa({ metrics: [cpu(80)] })).obj;
  assert.deepEqual(row(hpaTable, o), ['web', 'Deployment/web', 'cpu: <unknown>/80%', '1', 5, 0, '30s']);
  o.status = { currentReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 40 } } }] };
  assert.deepEqual(row(hpaTable, o).slice(2, 6), ['cpu: 40%/80%', '1', 5, 2]);
  const memory = { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '512Mi' } } };
  assert.equal(formatHPAMetrics([cpu(80), memory, podsMetric('1k')], []), 'cpu: <unknown>/80%, memory: <unknown>/512Mi + 1 more...');
  assert.equal(formatHPAMetrics([podsMetric('1k')], [{ type: 'Pods', pods: { current: { averageValue: '900' } } }]), '900/1k');
  assert.equal(formatHPAMetrics([], []), '<none>');
});

test('PDB: one of minAvailable/maxUnavailable, percentages at most 100%, status zeroed, N/A in the table', () => {
  const pdb = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web' }, spec });
  const { obj, errors } = createObject(pdbStrategy, pdb({ minAvailable: 2, selector: { matchLabels: { app: 'web' } } }));
  assert.deepEqual(errors, []);
  assert.deepEqual(obj.status, { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 });
  assert.deepEqual(row(pdbTable, obj), ['web', '2', 'N/A', 0, '30s']);
  assert.deepEqual(row(pdbTable, createObject(pdbStrategy, pdb({ maxUnavailable: '25%' })).obj).slice(1, 3), ['N/A', '25%']);
  const both = createObject(pdbStrategy, pdb({ minAvailable: 1, maxUnavailable: '120%', unhealthyPodEvictionPolicy: 'Never' })).errors;
  assert.equal(both.length, 3);
  assert.match(both[0], /^spec: Invalid value: policy\.PodDisruptionBudgetSpec\{.*\}: minAvailable and maxUnavailable cannot be both set$/);
  assert.deepEqual(both.slice(1), [
    'spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"120%"}: must not be greater than 100%',
    'spec.unhealthyPodEvictionPolicy: Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"',
  ]);
  assert.deepEqual(createObject(pdbStrategy, pdb({ minAvailable: -1, selector: { matchLabels: { 'bad key!': 'x' } } })).errors, [
    'spec.minAvailable: Invalid value: -1: must be greater than or equal to 0',
    "spec.selector.matchLabels: Invalid value: \"bad key!\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
  ]);
});
