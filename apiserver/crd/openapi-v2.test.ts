import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Schema } from '../api/schema/schema.js';
import { customKindSchemaForV2 } from './openapi-v2.js';

const gvk = [{ group: 'example.com', version: 'v1', kind: 'Widget' }];

test('a kind that keeps unknown fields at its root is a bare object in v2', () => {
  const s = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, 'x-kubernetes-group-version-kind': gvk, properties: { apiVersion: { type: 'string' }, metadata: { $ref: 'meta' } } } as Schema;
  assert.deepEqual(customKindSchemaForV2(s), { type: 'object', 'x-kubernetes-group-version-kind': gvk });
});

test('nested nodes that keep unknown fields or are nullable lose properties and items', () => {
  const s = {
    type: 'object', 'x-kubernetes-group-version-kind': gvk, required: ['spec', 'maybe'],
    properties: {
      spec: {
        type: 'object',
        properties: {
          free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' } } },
          list: { type: 'array', 'x-kubernetes-preserve-unknown-fields': true, items: { type: 'string' } },
          either: { type: 'string', anyOf: [{ pattern: 'a' }], allOf: [{ pattern: 'b' }] },
        },
      },
      maybe: { type: 'object', nullable: true, properties: { x: { type: 'string' } } },
    },
  } as Schema;
  const v2 = customKindSchemaForV2(s);
  assert.deepEqual(v2.required, ['spec']);
  assert.deepEqual(v2.properties!.spec!.properties!.free, { type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
  // An array without items breaks kubectl: the type goes too.
  assert.deepEqual(v2.properties!.spec!.properties!.list, { 'x-kubernetes-preserve-unknown-fields': true });
  assert.deepEqual(v2.properties!.spec!.properties!.either, { type: 'string' });
  assert.deepEqual(v2.properties!.maybe, {});
  // The v3 schema is left as it was.
  assert.ok(s.properties!.spec!.properties!.free!.properties);
});
