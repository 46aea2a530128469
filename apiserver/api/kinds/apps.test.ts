import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../object.js';
import { rowCells } from '../table.js';
import { controllerRevisionStrategy, controllerRevisionTable } from './controllerrevision.js';
import { daemonSetStrategy, daemonSetTable, templateGenerationAnnotation } from './daemonset.js';
import { deploymentStrategy, deploymentTable } from './deployment.js';
import { podTemplateStrategy, podTemplateTable } from './podtemplate.js';
import { replicaSetStrategy, replicaSetTable } from './replicaset.js';
import { replicationControllerScale, replicationControllerStrategy, replicationControllerTable } from './replicationcontroller.js';
import { statefulSetStrategy, statefulSetTable } from './statefulset.js';
import { createObject, updateObject } from './workload-testing.js';

const template = (labels: Record<string, string> = { app: 'web' }) => ({ metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } });
const obj = (apiVersion: string, kind: string, spec: Record<string, unknown>, name = 'web'): KubeObject => ({ apiVersion, kind, metadata: { name }, spec });
const deployment = (spec: Record<string, unknown>) => obj('apps/v1', 'Deployment', { selector: { matchLabels: { app: 'web' } }, template: template(), ...spec });
const now = Date.parse('2024-01-01T00:01:00Z');
const row = (t: Parameters<typeof rowCells>[0], o: KubeObject) => rowCells(t, { ...o, metadata: { ...o.metadata, creationTimestamp: '2024-01-01T00:00:00Z' } }, now);

const templateSpecDefaults = {
  containers: [{
    name: 'web', image: 'nginx:1.25', imagePullPolicy: 'IfNotPresent', resources: {},
    terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
  }],
  dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', schedulerName: 'default-scheduler', securityContext: {}, terminationGracePeriodSeconds: 30,
};

test('Deployment defaults: replicas, RollingUpdate 25%/25%, history, progress deadline, template', () => {
  const { obj: d, errors } = createObject(deploymentStrategy, deployment({}));
  assert.deepEqual(errors, []);
  assert.deepEqual(d.spec, {
    selector: { matchLabels: { app: 'web' } }, replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
    template: { metadata: { labels: { app: 'web' }, creationTimestamp: null }, spec: templateSpecDefaults },
  });
  assert.deepEqual(d.status, {});
});

test('Deployment validation: selector required and matching, strategy, counts', () => {
  const noSelector = createObject(deploymentStrategy, obj('apps/v1', 'Deployment', { template: template() })).errors;
  assert.deepEqual(noSelector, [
    'spec.selector: Required value',
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
  ]);
  const { errors } = createObject(deploymentStrategy, deployment({
    replicas: -1, selector: { matchLabels: { app: 'other' } }, minReadySeconds: 700,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } },
  }));
  assert.deepEqual(errors, [
    'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"0%"}: may not be 0 when `maxSurge` is 0',
    'spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds',
  ]);
  assert.deepEqual(createObject(deploymentStrategy, deployment({ selector: {} })).errors, [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
  ]);
  assert.deepEqual(createObject(deploymentStrategy, deployment({ strategy: { type: 'Canary' } })).errors, [
    'spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"Canary", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"',
  ]);
  assert.deepEqual(createObject(deploymentStrategy, deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 'lots', maxUnavailable: '120%' } } })).errors, [
    `spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"lots"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`,
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"120%"}: must not be greater than 100%',
  ]);
  const restart = deployment({});
  (restart.spec as { template: { spec: Record<string, unknown> } }).template.spec.restartPolicy = 'Never';
  assert.deepEqual(createObject(deploymentStrategy, restart).errors, ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']);
});

test('Deployment updates: the selector is immutable, annotations bump the generation', () => {
  const old = createObject(deploymentStrategy, deployment({})).obj;
  old.metadata.generation = 1;
  const moved = structuredClone(old);
  (moved.spec as Record<string, unknown>).selector = { matchLabels: { app: 'web', tier: 'x' } };
  (moved.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels.tier = 'x';
  assert.deepEqual(updateObject(deploymentStrategy, old, moved).errors, [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
  ]);
  const annotated = structuredClone(old);
  annotated.metadata.annotations = { note: 'x' };
  assert.equal(updateObject(deploymentStrategy, old, annotated).obj.metadata.generation, 2);
});

test('Deployment table: READY ready/desired, UP-TO-DATE, AVAILABLE and the wide columns', () => {
  const d = createObject(deploymentStrategy, deployment({ replicas: 3 })).obj;
  d.status = { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 };
  assert.deepEqual(row(deploymentTable, d), ['web', '2/3', 3, 2, '60s', 'web', 'nginx:1.25', 'app=web']);
  assert.deepEqual(deploymentTable.columns.map((c) => [c.name, c.priority ?? 0]), [
    ['Ready', 0], ['Up-to-date', 0], ['Available', 0], ['Age', 0], ['Containers', 1], ['Images', 1], ['Selector', 1],
  ]);
});

test('ReplicaSet: replicas default, DESIRED CURRENT READY, immutable selector', () => {
  const rs = createObject(replicaSetStrategy, obj('apps/v1', 'ReplicaSet', { selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] }, template: template() })).obj;
  assert.equal((rs.spec as { replicas: number }).replicas, 1);
  assert.deepEqual(rs.status, { replicas: 0 });
  rs.status = { replicas: 2, readyReplicas: 1 };
  assert.deepEqual(row(replicaSetTable, rs), ['web', 1, 2, 1, '60s', 'web', 'nginx:1.25', 'app in (api,web)']);
  assert.deepEqual(createObject(replicaSetStrategy, obj('apps/v1', 'ReplicaSet', { selector: {}, template: template() })).errors, [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
  ]);
});

test('ReplicationController: selector and labels from the template, map selector, scale', () => {
  const { obj: rc, errors } = createObject(replicationControllerStrategy, obj('v1', 'ReplicationController', { replicas: 2, template: template({ app: 'rc' }) }, 'rc'));
  assert.deepEqual(errors, []);
  assert.deepEqual((rc.spec as { selector: unknown }).selector, { app: 'rc' });
  assert.deepEqual(rc.metadata.labels, { app: 'rc' });
  assert.deepEqual(rc.status, { replicas: 0 });
  assert.equal(replicationControllerScale.selector(rc), 'app=rc');
  assert.deepEqual(row(replicationControllerTable, rc), ['rc', 2, 0, 0, '60s', 'web', 'nginx:1.25', 'app=rc']);
  assert.deepEqual(createObject(replicationControllerStrategy, obj('v1', 'ReplicationController', { selector: { app: 'x' }, template: template({ app: 'rc' }) })).errors, [
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"rc"}: `selector` does not match template `labels`',
  ]);
  assert.deepEqual(createObject(replicationControllerStrategy, obj('v1', 'ReplicationController', {})).errors, ['spec.selector: Required value', 'spec.template: Required value']);
});

const sts = (spec: Record<string, unknown> = {}) => obj('apps/v1', 'StatefulSet', {
  serviceName: 'web', selector: { matchLabels: { app: 'web' } }, template: template(),
  volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  ...spec,
});

test('StatefulSet defaults include the claim templates and the retention policy', () => {
  const { obj: s, errors } = createObject(statefulSetStrategy, sts());
  assert.deepEqual(errors, []);
  const spec = s.spec as Record<string, unknown>;
  assert.equal(spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.deepEqual(spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  assert.equal(spec.replicas, 1);
  assert.equal(spec.revisionHistoryLimit, 10);
  assert.deepEqual(spec.volumeClaimTemplates, [{
    metadata: { name: 'data', creationTimestamp: null },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' },
    status: { phase: 'Pending' },
  }]);
  assert.deepEqual(s.status, { replicas: 0, availableReplicas: 0 });
});

test('StatefulSet updates may only touch replicas, template, update strategy and friends', () => {
  const old = createObject(statefulSetStrategy, sts()).obj;
  const scaled = structuredClone(old);
  (scaled.spec as Record<string, unknown>).replicas = 5;
  assert.deepEqual(updateObject(statefulSetStrategy, old, scaled).errors, []);
  const renamed = structuredClone(old);
  (renamed.spec as Record<string, unknown>).serviceName = 'other';
  assert.deepEqual(updateObject(statefulSetStrategy, old, renamed).errors, [
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  ]);
  assert.deepEqual(createObject(statefulSetStrategy, sts({ podManagementPolicy: 'Random', updateStrategy: { type: 'Sometimes' } })).errors, [
    "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'",
    "spec.updateStrategy: Invalid value: apps.StatefulSetUpdateStrategy{Type:\"Sometimes\"}: must be 'RollingUpdate' or 'OnDelete'",
  ]);
  const s = createObject(statefulSetStrategy, sts({ replicas: 3 })).obj;
  s.status = { readyReplicas: 1 };
  assert.deepEqual(row(statefulSetTable, s), ['web', '1/3', '60s', 'web', 'nginx:1.25']);
});

test('DaemonSet defaults, template generation and the printer', () => {
  const { obj: ds, errors } = createObject(daemonSetStrategy, obj('apps/v1', 'DaemonSet', { selector: { matchLabels: { app: 'web' } }, template: template() }));
  assert.deepEqual(errors, []);
  assert.deepEqual((ds.spec as Record<string, unknown>).updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.equal((ds.spec as Record<string, unknown>).revisionHistoryLimit, 10);
  assert.equal(ds.metadata.annotations?.[templateGenerationAnnotation], '1');
  assert.deepEqual(ds.status, { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 });
  const changed = structuredClone(ds);
  (changed.spec as { template: { spec: { containers: Array<{ image: string }> } } }).template.spec.containers[0].image = 'nginx:1.27';
  assert.equal(updateObject(daemonSetStrategy, ds, changed).obj.metadata.annotations?.[templateGenerationAnnotation], '2');
  const both = obj('apps/v1', 'DaemonSet', { selector: { matchLabels: { app: 'web' } }, template: template(), updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } } });
  assert.deepEqual(createObject(daemonSetStrategy, both).errors, [
    'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:0, IntVal:1, StrVal:""}: may not be set when maxUnavailable is non-zero',
  ]);
  ds.status = { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 };
  (ds.spec as { template: { spec: Record<string, unknown> } }).template.spec.nodeSelector = { 'kubernetes.io/os': 'linux' };
  assert.deepEqual(row(daemonSetTable, ds), ['web', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '60s', 'web', 'nginx:1.25', 'app=web']);
});

test('ControllerRevision: data is required and immutable, CONTROLLER names the owner', () => {
  assert.deepEqual(createObject(controllerRevisionStrategy, { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, revision: -1 }).errors, [
    'data: Required value: data is mandatory', 'revision: Invalid value: -1: must be greater than or equal to 0',
  ]);
  const cr: KubeObject = {
    apiVersion: 'apps/v1', kind: 'ControllerRevision', data: { spec: {} }, revision: 3,
    metadata: { name: 'web-5d', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u', controller: true }] },
  };
  assert.deepEqual(row(controllerRevisionTable, cr), ['web-5d', 'statefulset.apps/web', 3, '60s']);
  const changed = { ...cr, data: { spec: { x: 1 } } };
  assert.match(updateObject(controllerRevisionStrategy, cr, changed).errors[0], /^data: Invalid value: runtime\.RawExtension\{.*\}: field is immutable$/);
});

test('PodTemplate: validated as a template, CONTAINERS IMAGES POD LABELS', () => {
  const { obj: pt, errors } = createObject(podTemplateStrategy, { apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: 'pt' }, template: template({ app: 'a', tier: 'b' }) });
  assert.deepEqual(errors, []);
  assert.deepEqual(rowCells(podTemplateTable, pt, now), ['pt', 'web', 'nginx:1.25', 'app=a,tier=b']);
  assert.deepEqual(createObject(podTemplateStrategy, { apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: 'pt' }, template: { spec: {} } }).errors, ['template.spec.containers: Required value']);
});
