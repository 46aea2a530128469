import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinRegistry } from '../builtin/index.js';
import { StatusError } from '../errors.js';
import { duplicateFields } from './duplicate-fields.js';
import { fieldProblems, fieldValidationOf, judgeFields } from './field-validation.js';
import { SchemaRegistry } from './schema-registry.js';
import { unknownFields } from './unknown-fields.js';

const schemas = SchemaRegistry.forBuiltins(builtinRegistry());
const defs = schemas.definitions();
const deploy = schemas.forKind({ group: 'apps', version: 'v1', kind: 'Deployment' })!.schema;

test('unknown fields are found with their paths, in document order, and pruned', () => {
  const obj = {
    apiVersion: 'apps/v1', kind: 'Deployment', bar: 1, metadata: { name: 'x', labels: { any: 'thing' } },
    spec: { foo: 1, template: { spec: { containers: [{ name: 'c', baz: true }] } } },
  };
  assert.deepEqual(unknownFields(obj, deploy, defs, true), ['bar', 'spec.foo', 'spec.template.spec.containers[0].baz']);
  assert.deepEqual(obj, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', labels: { any: 'thing' } }, spec: { template: { spec: { containers: [{ name: 'c' }] } } } });
});

test('fields under preserve-unknown schemas are kept (ControllerRevision data)', () => {
  const cr = schemas.forKind({ group: 'apps', version: 'v1', kind: 'ControllerRevision' })!.schema;
  assert.deepEqual(unknownFields({ data: { anything: { goes: 1 } }, revision: 1 }, cr, defs), []);
});

test('duplicate keys are found in JSON text', () => {
  assert.deepEqual(duplicateFields('{"a":1,"b":{"c":[{"d":1,"d":2}],"c":3},"a":[1,{"x":"}","x":1}]}'), ['b.c[0].d', 'b.c', 'a', 'a[1].x']);
  assert.deepEqual(duplicateFields('{"a":"\\"","b":[]}'), []);
  // Keys with escapes are compared by what they decode to.
  assert.deepEqual(duplicateFields('{"a\\u0062":1,"ab":2,"q\\"":{"q\\u0022":0}}'), ['ab']);
  assert.deepEqual(duplicateFields('{"k\\"":1,"k\\u0022":2}'), ['k"']);
});

test('the directive defaults to Warn and must be one Kubernetes knows', () => {
  assert.equal(fieldValidationOf(new URLSearchParams(''), 'CreateOptions'), 'Warn');
  assert.equal(fieldValidationOf(new URLSearchParams('fieldValidation=Strict'), 'CreateOptions'), 'Strict');
  assert.throws(() => fieldValidationOf(new URLSearchParams('fieldValidation=x'), 'PatchOptions'), (e: StatusError) =>
    e.code === 422 && e.message === 'PatchOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "x": supported values: "", "Ignore", "Strict", "Warn"');
});

test('Strict refuses with every problem, Warn warns, Ignore drops silently', () => {
  const problems = fieldProblems({ spec: { foo: 1 } }, deploy, defs, '{"spec":{"foo":1},"kind":"a","kind":"b"}');
  assert.deepEqual(problems, ['unknown field "spec.foo"', 'duplicate field "kind"']);
  const strict = judgeFields(problems, 'Strict', { kind: 'Deployment', version: 'v1' });
  assert.equal(strict.error?.code, 400);
  assert.equal(strict.error?.message, 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo", duplicate field "kind"');
  assert.deepEqual(judgeFields(problems, 'Warn', { kind: 'Deployment', version: 'v1' }).warnings, problems);
  assert.deepEqual(judgeFields(problems, 'Ignore', { kind: 'Deployment', version: 'v1' }), { warnings: [] });
  const patch = judgeFields(['unknown field "spec.foo"'], 'Strict', { patchValue: 'map[spec:map[foo:1]]' });
  assert.equal(patch.error?.message, ' "" is invalid: patch: Invalid value: "map[spec:map[foo:1]]": strict decoding error: unknown field "spec.foo"');
});

test('values of the wrong type fail as Go\'s decoder words it', async () => {
  const { goDecodeError } = await import('./go-decode.js');
  const err = (o: object) => goDecodeError(o, deploy, defs, 'Deployment');
  assert.equal(err({ spec: { replicas: '2' } }), 'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
  assert.equal(err({ spec: 'x' }), 'json: cannot unmarshal string into Go struct field Deployment.spec of type v1.DeploymentSpec');
  assert.equal(err({ spec: { template: { spec: { containers: [{ name: 'c', image: 3 }] } } } }), 'json: cannot unmarshal number into Go struct field Container.spec.template.spec.containers.image of type string');
  assert.equal(err({ spec: { template: { spec: { containers: {} } } } }), 'json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container');
  assert.equal(err({ spec: { replicas: 1.5 } }), 'json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32');
  assert.equal(err({ metadata: { labels: { a: 1 } } }), 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string');
  assert.equal(err({ metadata: { creationTimestamp: null }, spec: { template: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }], resources: { limits: { cpu: 1, memory: '1Gi' } } }] } }, strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } } } }), undefined);
});
