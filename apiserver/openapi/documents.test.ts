import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinRegistry } from '../api/builtin/index.js';
import { SchemaRegistry } from '../api/schema/schema-registry.js';
import { buildV2, buildV3 } from './documents.js';
import { allOperations } from './operations.js';
import { decodeV2, encodeV2 } from './protobuf.js';

type Json = Record<string, any>;

const registry = builtinRegistry();
const schemas = SchemaRegistry.forBuiltins(registry);
const ops = allOperations(registry, schemas);
const appsV1 = ops.find((g) => g.group === 'apps' && g.version === 'v1')!;
const v3 = buildV3(appsV1, schemas.definitions(), 'v1.32.4') as Json;
const v2 = buildV2(ops, schemas.definitions(), 'v1.32.4') as Json;

test('v3 PATCH of a built-in kind advertises fieldValidation and strategic merge patch', () => {
  const item = v3.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
  const patch = item.patch;
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
  assert.equal(patch['x-kubernetes-action'], 'patch');
  assert.equal(patch.operationId, 'patchAppsV1NamespacedDeployment');
  assert.ok(patch.parameters.some((p: Json) => p.name === 'fieldValidation' && p.in === 'query'));
  assert.ok('application/strategic-merge-patch+json' in patch.requestBody.content);
  assert.ok('application/apply-patch+yaml' in patch.requestBody.content);
  assert.deepEqual(item.parameters.map((p: Json) => p.name), ['name', 'namespace', 'pretty']);
});

test('v3 components hold every model the group-version reaches, with its kind', () => {
  const schemasV3 = v3.components.schemas;
  assert.deepEqual(schemasV3['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  assert.ok(schemasV3['io.k8s.api.core.v1.PodSpec']);
  assert.ok(schemasV3['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
  assert.equal(schemasV3['io.k8s.api.core.v1.Pod'], undefined, 'core kinds are not part of apps/v1');
  const spec = schemasV3['io.k8s.api.apps.v1.DeploymentSpec'];
  assert.deepEqual(spec.properties.template, { $ref: '#/components/schemas/io.k8s.api.core.v1.PodTemplateSpec' });
  const port = schemasV3['io.k8s.api.core.v1.Container'].properties.ports;
  assert.match(port.description, /List of ports to expose from the container/);
  assert.deepEqual(port.items, { $ref: '#/components/schemas/io.k8s.api.core.v1.ContainerPort' });
});

test('v2 has one document with every path and definition', () => {
  assert.equal(v2.swagger, '2.0');
  const patch = v2.paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch;
  assert.ok(patch.consumes.includes('application/strategic-merge-patch+json'));
  assert.ok(patch.parameters.some((p: Json) => p.name === 'fieldValidation' && p.in === 'query' && p.type === 'string'));
  assert.equal(patch.parameters[0].in, 'body');
  assert.ok(v2.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale']);
  assert.ok(v2.paths['/apis/apps/v1/deployments'], 'list across namespaces');
  assert.equal(v2.definitions['io.k8s.api.core.v1.PodSpec'].properties.containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(v2.definitions['io.k8s.api.apps.v1.DeploymentSpec'].properties.selector.$ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector');
});

test('the v2 protobuf encoding round-trips paths, schemas and extensions', () => {
  const doc = decodeV2(encodeV2(v2)) as Json;
  assert.equal(doc.swagger, '2.0');
  const path = doc.paths.path.find((p: Json) => p.name === '/apis/apps/v1/namespaces/{namespace}/deployments/{name}');
  const patch = path.value.patch;
  const gvk = patch.vendor_extension.find((e: Json) => e.name === 'x-kubernetes-group-version-kind');
  assert.deepEqual(JSON.parse(gvk.value.yaml), { group: 'apps', version: 'v1', kind: 'Deployment' });
  const names = patch.parameters.map((p: Json) => p.parameter?.non_body_parameter?.query_parameter_sub_schema?.name).filter(Boolean);
  assert.ok(names.includes('fieldValidation'));
  const dep = doc.definitions.additional_properties.find((d: Json) => d.name === 'io.k8s.api.apps.v1.DeploymentSpec').value;
  assert.deepEqual(dep.required, ['selector', 'template']);
  const replicas = dep.properties.additional_properties.find((p: Json) => p.name === 'replicas').value;
  assert.deepEqual(replicas.type.value, ['integer']);
  assert.equal(replicas.format, 'int32');
});
