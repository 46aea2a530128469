// Ownership rules of server-side apply, with cases modelled on structured-merge-diff's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinRegistry } from '../api/builtin/index.js';
import { SchemaRegistry } from '../api/schema/schema-registry.js';
import { FieldSet, pathString } from './fieldset.js';
import { ApplyConflicts, conflictMessage, ignoredPaths, ManagedFields, managerName, type Manager } from './managers.js';
import { TypedView } from './typed.js';

const schemas = SchemaRegistry.forBuiltins(builtinRegistry());
const view = new TypedView(schemas.definitions());
const fields = new ManagedFields(view);
const schema = schemas.forKind({ group: 'apps', version: 'v1', kind: 'Deployment' })!.schema;
const ignore = ignoredPaths(undefined, true);
const actor = (manager: string) => ({ manager, apiVersion: 'apps/v1' });
const deploy = (spec: object) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec });
const owned = (ms: Manager[], name: string) => [...(ms.find((m) => m.manager === name)?.set.paths() ?? [])].map(pathString);

test('field sets: struct fields by name, list items by key, set items by value, maps by entry', () => {
  const set = view.toFieldSet({
    metadata: { labels: { a: 'b' }, finalizers: ['x'] },
    spec: { replicas: 1, template: { spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, protocol: 'TCP' }] }] } } },
  }, schema, ignore);
  assert.deepEqual(set.toFieldsV1(), {
    'f:metadata': { 'f:finalizers': { 'v:"x"': {} }, 'f:labels': { 'f:a': {} } },
    'f:spec': {
      'f:replicas': {},
      'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"c"}': {
        '.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } },
      } } } },
    },
  });
  assert.equal(pathString(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"c"}', 'f:image']), '.spec.template.spec.containers[name="c"].image');
  assert.deepEqual(FieldSet.fromFieldsV1(set.toFieldsV1()).toFieldsV1(), set.toFieldsV1());
});

test('an update owns what it changed and takes it from others', () => {
  const a = fields.update({}, deploy({ replicas: 1, paused: false }), schema, [], actor('creator'), ignore);
  assert.deepEqual(owned(a, 'creator'), ['.spec.paused', '.spec.replicas']);
  const b = fields.update(deploy({ replicas: 1, paused: false }), deploy({ replicas: 2, paused: false }), schema, a, actor('scaler'), ignore);
  assert.deepEqual(owned(b, 'creator'), ['.spec.paused']);
  assert.deepEqual(owned(b, 'scaler'), ['.spec.replicas']);
});

test('apply conflicts with another owner of a field it changes, and force takes it', () => {
  const live = deploy({ replicas: 1 });
  const managers = fields.update({}, live, schema, [], actor('kubectl-client-side-apply'), ignore);
  assert.throws(() => fields.apply(live, deploy({ replicas: 2 }), schema, managers, actor('kubectl'), ignore, false), (e: ApplyConflicts) =>
    e.message === 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
  const forced = fields.apply(live, deploy({ replicas: 2 }), schema, managers, actor('kubectl'), ignore, true);
  assert.equal((forced.object.spec as { replicas: number }).replicas, 2);
  assert.deepEqual(owned(forced.managers, 'kubectl'), ['.spec.replicas']);
  assert.equal(forced.managers.find((m) => m.manager === 'kubectl-client-side-apply'), undefined);
});

test('applying the same value co-owns it without conflict', () => {
  const live = deploy({ replicas: 1 });
  const managers = fields.update({}, live, schema, [], actor('other'), ignore);
  const r = fields.apply(live, deploy({ replicas: 1 }), schema, managers, actor('kubectl'), ignore, false);
  assert.deepEqual(owned(r.managers, 'other'), ['.spec.replicas']);
  assert.deepEqual(owned(r.managers, 'kubectl'), ['.spec.replicas']);
});

test('fields an applier stops applying are removed unless someone else owns them', () => {
  const first = fields.apply(deploy({}), deploy({ replicas: 3, paused: true }), schema, [], actor('a'), ignore, false);
  const second = fields.apply(first.object, deploy({ replicas: 3 }), schema, first.managers, actor('a'), ignore, false);
  assert.deepEqual(second.object.spec, { replicas: 3 });
  const shared = fields.apply(first.object, deploy({ paused: true }), schema, first.managers, actor('b'), ignore, false);
  const dropped = fields.apply(shared.object, deploy({ replicas: 3 }), schema, shared.managers, actor('a'), ignore, false);
  assert.deepEqual(dropped.object.spec, { replicas: 3, paused: true });
});

test('list items merge by key; removed items owned by nobody else go', () => {
  const spec = (names: string[]) => ({ template: { spec: { containers: names.map((name) => ({ name, image: 'i' })) } } });
  const a = fields.apply(deploy({}), deploy(spec(['x', 'y'])), schema, [], actor('a'), ignore, false);
  const b = fields.apply(a.object, deploy(spec(['z'])), schema, a.managers, actor('b'), ignore, false);
  const names = (o: Record<string, unknown>) => ((o.spec as any).template.spec.containers as { name: string }[]).map((c) => c.name);
  assert.deepEqual(names(b.object), ['x', 'y', 'z']);
  const c = fields.apply(b.object, deploy(spec(['x'])), schema, b.managers, actor('a'), ignore, false);
  assert.deepEqual(names(c.object), ['x', 'z']);
});

test('several conflicts are grouped by manager', () => {
  const msg = conflictMessage([
    { manager: '"b" using v1', id: '{"manager":"b"}', path: '.x' },
    { manager: '"a"', id: '{"manager":"a"}', path: '.y' },
    { manager: '"a"', id: '{"manager":"a"}', path: '.z' },
  ]);
  assert.equal(msg, 'Apply failed with 3 conflicts: conflicts with "a":\n- .y\n- .z\nconflicts with "b" using v1:\n- .x');
});

test('system metadata and, on the main resource, status are nobody\'s', () => {
  const m = fields.update({}, { ...deploy({ replicas: 1 }), metadata: { name: 'd', uid: 'u', resourceVersion: '1' }, status: { replicas: 1 } }, schema, [], actor('c'), ignore);
  assert.deepEqual(owned(m, 'c'), ['.spec.replicas']);
  const st = fields.update({ status: {} }, { status: { replicas: 2 }, spec: { replicas: 5 } }, schema, [], { ...actor('c'), subresource: 'status' }, ignoredPaths('status', true));
  assert.deepEqual(owned(st, 'c'), ['.status.replicas']);
});

test('the manager defaults to the client name from its User-Agent', () => {
  assert.equal(managerName(undefined, 'kubectl/v1.32.4 (linux/amd64) kubernetes/abc'), 'kubectl');
  assert.equal(managerName('mine', 'kubectl/v1.32.4'), 'mine');
});

test('a create owns exactly what an update from an empty object would give it', () => {
  const pod = schemas.forKind({ group: '', version: 'v1', kind: 'Pod' })!.schema;
  const cases: Array<[Record<string, unknown>, typeof schema | undefined]> = [
    [deploy({ replicas: 1, paused: false, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }], env: [] }] } } }), schema],
    [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: {}, annotations: { x: 'y' }, finalizers: ['a', 'a'], ownerReferences: null },
      spec: { containers: [{ name: 'a', args: ['x'] }, { name: 'a', image: 'second' }, { name: 'b', resources: {}, volumeMounts: [{ name: 'v', mountPath: '/m' }] }], tolerations: [{ key: 'k' }, { key: 'k' }], nodeSelector: {} },
      status: { phase: 'Pending' } }, pod],
    [{ apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 't' }, spec: { a: [1, 2], b: { c: null, d: {} }, e: [] } }, undefined],
    [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', generateName: 'c-' }, data: { k: 'v' }, binaryData: {} }, schemas.forKind({ group: '', version: 'v1', kind: 'ConfigMap' })!.schema],
  ];
  for (const [obj, s] of cases) {
    for (const ig of [ignore, ignoredPaths('status', true), () => false]) {
      const viaUpdate = fields.update({}, obj, s, [], actor('creator'), ig);
      const viaCreate = fields.created(obj, s, actor('creator'), ig);
      assert.deepEqual(viaCreate.map((m) => m.set.toFieldsV1()), viaUpdate.map((m) => m.set.toFieldsV1()));
      assert.deepEqual(viaCreate.map(({ set: _s, time: _t, ...m }) => m), viaUpdate.map(({ set: _s, time: _t, ...m }) => m));
    }
  }
  assert.deepEqual(fields.created({}, schema, actor('creator'), ignore), []);
});

test('an apply keeps a map its previous set owned as a whole while it still sets keys in it', () => {
  // What kubectl's client-side-apply upgrade writes: the labels map itself ('.') and its key.
  const live = { ...deploy({ replicas: 1 }), metadata: { name: 'd', labels: { a: 'b' } } };
  const prev: Manager = { manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', set: FieldSet.fromFieldsV1({ 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } }, 'f:spec': { 'f:replicas': {} } }) };
  const r = fields.apply(live, { ...deploy({ replicas: 2 }), metadata: { name: 'd', labels: { a: 'c' } } }, schema, [prev], actor('kubectl'), ignore, false);
  assert.deepEqual((r.object as { metadata: { labels: unknown } }).metadata.labels, { a: 'c' });
  assert.equal((r.object as { spec: { replicas: number } }).spec.replicas, 2);
});

test('conflicts on forgiven fields (what a last-applied annotation explains) do not count', () => {
  const live = deploy({ replicas: 1, paused: false });
  const csa: Manager = { manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'apps/v1', set: view.toFieldSet(live, schema, ignore) };
  const config = deploy({ replicas: 3, paused: true });
  assert.throws(() => fields.apply(live, config, schema, [csa], actor('kubectl'), ignore, false), ApplyConflicts);
  const forgiven = fields.lastAppliedFields(live, deploy({ replicas: 1 }), schema, ignore);
  // paused was not in the last applied configuration: still a conflict.
  assert.throws(() => fields.apply(live, config, schema, [csa], actor('kubectl'), ignore, false, forgiven), (e: ApplyConflicts) => e.conflicts.map((c) => c.path).join() === '.spec.paused');
  const r = fields.apply(live, deploy({ replicas: 3 }), schema, [csa], actor('kubectl'), ignore, false, forgiven);
  assert.deepEqual(owned(r.managers, 'kubectl'), ['.spec.replicas']);
});
