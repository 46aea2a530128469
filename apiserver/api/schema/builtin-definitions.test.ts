import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildBuiltinDefinitions, definitionName, parseClassName } from './builtin-definitions.js';
import { listKind, resolve } from './schema.js';

const kinds = [
  { group: '', version: 'v1', kind: 'Pod' },
  { group: '', version: 'v1', kind: 'Event' },
  { group: '', version: 'v1', kind: 'PodTemplate' },
  { group: 'apps', version: 'v1', kind: 'Deployment' },
  { group: 'events.k8s.io', version: 'v1', kind: 'Event' },
  { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition' },
];
const built = buildBuiltinDefinitions(kinds);
const defs = built.definitions;

test('class names split into group, version and type', () => {
  assert.deepEqual(parseClassName('V1Deployment'), { group: undefined, version: 'v1', type: 'Deployment' });
  assert.deepEqual(parseClassName('CoreV1Event'), { group: 'core', version: 'v1', type: 'Event' });
  assert.deepEqual(parseClassName('V2HorizontalPodAutoscaler'), { group: undefined, version: 'v2', type: 'HorizontalPodAutoscaler' });
  assert.equal(definitionName('meta', 'v1', 'ObjectMeta'), 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
});

test('kinds get Kubernetes definition names and their group-version-kind', () => {
  assert.equal(built.byGVK.get('apps/v1/Deployment'), 'io.k8s.api.apps.v1.Deployment');
  assert.equal(built.byGVK.get('apps/v1/DeploymentList'), 'io.k8s.api.apps.v1.DeploymentList');
  assert.equal(built.byGVK.get('/v1/Event'), 'io.k8s.api.core.v1.Event');
  assert.equal(built.byGVK.get('events.k8s.io/v1/Event'), 'io.k8s.api.events.v1.Event');
  assert.equal(built.byGVK.get('apiextensions.k8s.io/v1/CustomResourceDefinition'), 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition');
  assert.deepEqual(defs.get('io.k8s.api.apps.v1.Deployment')!['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
});

test('referenced models are named after their own package', () => {
  const spec = defs.get('io.k8s.api.apps.v1.DeploymentSpec')!;
  assert.equal(spec.properties!.template.$ref, 'io.k8s.api.core.v1.PodTemplateSpec');
  assert.equal(spec.properties!.selector.$ref, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector');
  assert.deepEqual(spec.required, ['selector', 'template']);
  assert.match(spec.description!, /DeploymentSpec is the specification/);
});

test('list semantics and patch strategies match Kubernetes', () => {
  const podSpec = defs.get('io.k8s.api.core.v1.PodSpec')!;
  const containers = podSpec.properties!.containers;
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
  assert.deepEqual(listKind(containers), { type: 'map', keys: ['name'] });
  assert.deepEqual(listKind(podSpec.properties!.tolerations), { type: 'atomic' });
  assert.equal(podSpec.properties!.volumes['x-kubernetes-patch-strategy'], 'merge,retainKeys');
  const container = defs.get('io.k8s.api.core.v1.Container')!;
  assert.deepEqual(container.properties!.ports['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
  assert.deepEqual(listKind(container.properties!.volumeMounts), { type: 'map', keys: ['mountPath'] });
  assert.equal(container.properties!.args['x-kubernetes-list-type'], 'atomic');
  assert.equal(defs.get('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector')!['x-kubernetes-map-type'], 'atomic');
});

test('types map to OpenAPI types and shared primitives', () => {
  const meta = defs.get('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta')!;
  assert.equal(meta.properties!.creationTimestamp.$ref, 'io.k8s.apimachinery.pkg.apis.meta.v1.Time');
  assert.deepEqual(meta.properties!.labels.additionalProperties, { type: 'string' });
  assert.deepEqual(meta.properties!.generation.type, 'integer');
  const resources = defs.get('io.k8s.api.core.v1.ResourceRequirements')!;
  assert.equal((resources.properties!.limits.additionalProperties as { $ref: string }).$ref, 'io.k8s.apimachinery.pkg.api.resource.Quantity');
  const port = resolve(defs.get('io.k8s.api.core.v1.Probe')!.properties!.httpGet, defs)!;
  assert.equal(port.properties!.port.$ref, 'io.k8s.apimachinery.pkg.util.intstr.IntOrString');
});
