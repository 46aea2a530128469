import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { builtinRegistry } from '../api/builtin/index.js';
import { builtinSchema } from './builtin-schema.js';
import { parseSchema, type MessageSchema } from './schema.js';

const schema = builtinSchema();

test('every served built-in kind, its list and the subresource kinds have a message', () => {
  const apiVersion = (group: string, version: string) => (group ? `${group}/${version}` : version);
  const missing: string[] = [];
  for (const def of builtinRegistry().all()) {
    for (const v of def.versions) {
      // Create-only kinds (reviews, Binding) have no list.
      for (const kind of def.verbs.includes('list') ? [def.kind, def.listKind] : [def.kind]) {
        if (!schema.kindMessage(apiVersion(def.group, v.name), kind)) missing.push(`${apiVersion(def.group, v.name)} ${kind}`);
      }
    }
  }
  assert.deepEqual(missing, []);
  for (const [gv, kind] of [['autoscaling/v1', 'Scale'], ['policy/v1', 'Eviction'], ['authentication.k8s.io/v1', 'TokenRequest'], ['v1', 'Binding']]) {
    assert.ok(schema.kindMessage(gv, kind), `${gv} ${kind}`);
  }
});

test('option kinds resolve to meta/v1 in every group version; unknown kinds do not resolve', () => {
  assert.deepEqual(schema.kindMessage('apps/v1', 'DeleteOptions'), { id: 'meta/v1.DeleteOptions', apiVersion: 'apps/v1', kind: 'DeleteOptions' });
  assert.equal(schema.kindMessage('v1', 'Status')?.id, 'meta/v1.Status');
  assert.equal(schema.kindMessage('apps/v1', 'Status'), undefined);
  assert.equal(schema.kindMessage('apps/v1', 'PodSpec'), undefined);
  assert.equal(schema.kindMessage('apps/v1beta1', 'Deployment'), undefined);
});

test('every message a field names is in the schema', () => {
  const file = JSON.parse(readFileSync(new URL('../../../proto/kubernetes/schema.json', import.meta.url), 'utf8')) as { messages: Record<string, unknown> };
  const unresolved: string[] = [];
  for (const id of Object.keys(file.messages)) {
    const m: MessageSchema = schema.message(id);
    const types = m.kind === 'struct' ? m.fields.map((f) => f.type) : m.kind === 'array' ? [m.item] : [];
    for (const t of types) {
      if ('message' in t && !(t.message in file.messages)) unresolved.push(`${id} -> ${t.message}`);
    }
  }
  assert.deepEqual(unresolved, []);
});

test('schema rows carry the Go facts: pointer, omitempty, inline, maps', () => {
  const spec = schema.message('apps/v1.DeploymentSpec');
  assert.equal(spec.kind, 'struct');
  assert.deepEqual(spec.byNumber.get(1), { num: 1, json: 'replicas', type: { scalar: 'int32' }, repeated: false, pointer: true, omitEmpty: true, inline: false, goName: 'Replicas' });
  const volume = schema.message('core/v1.Volume');
  assert.ok(volume.kind === 'struct' && volume.byNumber.get(2)?.inline);
  const secret = schema.message('core/v1.Secret');
  assert.ok(secret.kind === 'struct');
  assert.deepEqual([secret.byNumber.get(2)?.mapKey, secret.byNumber.get(2)?.type], ['string', { scalar: 'bytes' }]);
  assert.deepEqual(schema.message('meta/v1.Time'), { kind: 'special', id: 'meta/v1.Time', special: 'time' });
});

test('a file of another format is refused', () => {
  assert.throws(() => parseSchema({ format: 2 }), /not a k8ts protobuf schema/);
  assert.throws(() => parseSchema({ format: 1, groupVersions: {}, kinds: {}, messages: {} }).message('x.Y'), /no message x.Y/);
});
