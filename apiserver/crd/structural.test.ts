import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Schema } from '../api/schema/schema.js';
import { aggregate } from '../api/field-errors.js';
import { applyDefaults, validateStructural } from './structural.js';
import { jsonPathValues, printerTable } from './printer-columns.js';
import { compareVersions, crdDefinitionName, customResourceDef } from './custom-resource.js';
import { validateCrd } from './crd-validation.js';

const schema: Schema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object', required: ['size'],
      properties: {
        size: { type: 'string', enum: ['S', 'M'] },
        replicas: { type: 'integer', minimum: 1, maximum: 10, default: 1 },
        name: { type: 'string', pattern: '^[a-z]+$', maxLength: 5, minLength: 2 },
        port: { 'x-kubernetes-int-or-string': true },
        tags: { type: 'array', maxItems: 2, items: { type: 'string' } },
        extra: { type: 'object', nullable: true, 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
  },
};
const messages = (v: unknown) => validateStructural(v, schema).map((e) => `${e.field}: ${e.body}`);

test('valid objects pass, including int-or-string, nullable and preserved fields', () => {
  assert.deepEqual(messages({ spec: { size: 'S', port: 'http', extra: { any: [1] } } }), []);
  assert.deepEqual(messages({ spec: { size: 'M', port: 80, extra: null } }), []);
});

test('each rule fails with Kubernetes\' wording', () => {
  assert.deepEqual(messages({ spec: { size: 'L', replicas: 'x', name: 'ABCDEFG', port: 1.5, tags: ['a', 'b', 'c'] } }), [
    'spec.size: Unsupported value: "L": supported values: "S", "M"',
    'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
    'spec.name: Too long: may not be more than 5 bytes',
    'spec.name: Invalid value: "ABCDEFG": spec.name in body should match \'^[a-z]+$\'',
    'spec.port: Invalid value: "number": spec.port in body must be of type integer,string: "number"',
    'spec.tags: Too many: 3: must have at most 2 items',
  ]);
  assert.deepEqual(messages({ spec: { size: 'S', replicas: 0 } }), ['spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1']);
  assert.deepEqual(messages({ spec: {} }), ['spec.size: Required value']);
  assert.deepEqual(messages({ spec: { size: 'S', extra: 3 } }), ['spec.extra: Invalid value: "integer": spec.extra in body must be of type object: "integer"']);
});

test('defaults fill absent fields only', () => {
  const o = { spec: { size: 'S' } as Record<string, unknown> };
  applyDefaults(o, schema);
  assert.equal(o.spec.replicas, 1);
  const p = { spec: { size: 'S', replicas: 4 } };
  applyDefaults(p, schema);
  assert.equal(p.spec.replicas, 4);
});

test('printer columns read JSONPath and print dates as ages', () => {
  assert.deepEqual(jsonPathValues({ a: { b: [{ c: 1 }, { c: 2 }] } }, '.a.b[*].c'), [1, 2]);
  assert.deepEqual(jsonPathValues({ a: { 'x.y': 3 } }, ".a['x.y']"), [3]);
  const t = printerTable([{ name: 'Size', type: 'string', jsonPath: '.spec.size' }, { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }]);
  const now = Date.parse('2024-01-01T00:10:00Z');
  assert.deepEqual(t.cells({ metadata: { creationTimestamp: '2024-01-01T00:00:00Z' }, spec: { size: 'S' } }, now), ['S', '10m']);
  assert.deepEqual(t.cells({ metadata: {} }, now), [null, null]);
  assert.deepEqual(printerTable([]).columns.map((c) => c.name), ['Age']);
});

test('versions order as Kubernetes prefers them; definition names reverse the group', () => {
  assert.deepEqual(['v1beta1', 'v1alpha1', 'v2', 'v1', 'foo', 'v10beta3'].sort(compareVersions), ['v2', 'v1', 'v10beta3', 'v1beta1', 'v1alpha1', 'foo']);
  assert.equal(crdDefinitionName('stable.example.com', 'v1', 'CronTab'), 'com.example.stable.v1.CronTab');
});

const crd = (over: Record<string, unknown> = {}) => ({
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'foos.example.com' },
  spec: {
    group: 'example.com', scope: 'Namespaced', names: { plural: 'foos', kind: 'Foo' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }, { name: 'v1beta1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object' } } }],
    ...over,
  },
});

test('a CRD serves its versions with the storage version stored', () => {
  const def = customResourceDef(crd().spec as never);
  assert.equal(def.version, 'v1');
  assert.deepEqual(def.versions.map((v) => v.name), ['v1', 'v1beta1']);
  assert.equal(def.listKind, 'FooList');
  assert.equal(def.singular, 'foo');
  assert.deepEqual(validateCrd(crd() as never), []);
});

test('CRD validation names what is wrong', () => {
  const errs = validateCrd({ ...crd({ group: 'example', scope: 'Everywhere', versions: [{ name: 'v1', served: true, storage: false }] }), metadata: { name: 'foos.example' } } as never);
  assert.equal(aggregate(errs), '[spec.group: Invalid value: "example": should be a domain with at least one dot, '
    + 'spec.scope: Unsupported value: "Everywhere": supported values: "Cluster", "Namespaced", '
    + 'spec.versions: Invalid value: ["v1"]: must have exactly one version marked as storage version, '
    + 'spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required]');
  const nested = validateCrd(crd({ versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { properties: {} } } } } }] }) as never);
  assert.equal(aggregate(nested), 'spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields');
});
