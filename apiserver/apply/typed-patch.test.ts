import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinRegistry } from '../api/builtin/index.js';
import { SchemaRegistry } from '../api/schema/schema-registry.js';
import { typedPatchErrors } from './typed-patch.js';

const schemas = SchemaRegistry.forBuiltins(builtinRegistry());
const defs = schemas.definitions();
const schemaOf = (group: string, kind: string) => schemas.forKind({ group, version: 'v1', kind })!.schema;
const cm = (rest: object) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, ...rest });

test('a well-typed configuration has no errors, whatever it leaves out', () => {
  assert.deepEqual(typedPatchErrors(cm({ data: { a: 'b' }, metadata: { name: 'c', labels: { x: 'y' } } }), schemaOf('', 'ConfigMap'), defs), []);
  const deploy = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
    spec: { replicas: 2, selector: { matchLabels: { a: 'b' } }, template: { spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }], resources: { limits: { cpu: 1, memory: '1Gi' } } }] } } },
  };
  assert.deepEqual(typedPatchErrors(deploy, schemaOf('apps', 'Deployment'), defs), []);
  // Nulls are valid for every type; fields the schema lacks are not type errors.
  assert.deepEqual(typedPatchErrors(cm({ data: null, nonsense: 'x', metadata: { name: 'c', labels: null } }), schemaOf('', 'ConfigMap'), defs), []);
});

test('a value of the wrong shape is reported where it is, in structured-merge-diff\'s words', () => {
  const cmSchema = schemaOf('', 'ConfigMap');
  assert.deepEqual(typedPatchErrors(cm({ data: 'x' }), cmSchema, defs), ['.data: expected map, got &{x}']);
  assert.deepEqual(typedPatchErrors(cm({ metadata: { name: 'c', labels: 'invalid' } }), cmSchema, defs), ['.metadata.labels: expected map, got &{invalid}']);
  assert.deepEqual(typedPatchErrors(cm({ data: { a: 5 } }), cmSchema, defs), ['.data.a: expected string, got &value.valueUnstructured{Value:5}']);
  assert.deepEqual(typedPatchErrors(cm({ immutable: 'yes' }), cmSchema, defs), ['.immutable: expected boolean, got &{yes}']);
  assert.deepEqual(typedPatchErrors(cm({ metadata: { name: 'c', finalizers: 'f' } }), cmSchema, defs), ['.metadata.finalizers: expected list, got &{f}']);
  const pod = (spec: object) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec });
  const podSchema = schemaOf('', 'Pod');
  assert.deepEqual(typedPatchErrors(pod({ containers: [{ name: 'c', image: { a: [1, 'b'] } }] }), podSchema, defs),
    ['.spec.containers[name="c"].image: expected string, got &value.valueUnstructured{Value:map[string]interface {}{"a":[]interface {}{1, "b"}}}']);
  assert.deepEqual(typedPatchErrors(pod({ activeDeadlineSeconds: 'x', containers: ['c'] }), podSchema, defs), [
    '.spec.activeDeadlineSeconds: expected numeric (int or float), got string',
    '.spec.containers: element 0: associative list with keys may not have non-map elements',
  ]);
});

test('int-or-string, quantities and times take any scalar', () => {
  const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 'http' }, { port: 81, targetPort: 8081 }] } };
  assert.deepEqual(typedPatchErrors(svc, schemaOf('', 'Service'), defs), []);
  assert.deepEqual(typedPatchErrors({ metadata: { name: 'x', creationTimestamp: '2026-01-01T00:00:00Z' } }, schemaOf('', 'ConfigMap'), defs), []);
});
