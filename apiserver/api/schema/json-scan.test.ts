import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stringEnd, topLevelMember } from './json-scan.js';

test('topLevelMember cuts out what JSON.stringify would write for the member', () => {
  const docs: unknown[] = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', labels: { x: 'y' } }, data: { k: 'v' } },
    { data: { s: 'a "quoted" } ] { [ value\\' }, n: 1.5e3, t: true, f: false, z: null, metadata: { name: 'last', annotations: { 'a\\"b': '}' } } },
    { kind: 'X', metadata: { managedFields: [{ manager: 'm', fieldsV1: { 'f:data': { '.': {} } } }], finalizers: ['a', 'b'] }, list: [[], {}, [1, [2]]] },
    { metadata: {}, spec: { text: 'ünïcödé \u2028 \\\\' } },
    { before: '\\\\', metadata: { name: 'after-escaped-backslash' } },
  ];
  for (const doc of docs) {
    const text = JSON.stringify(doc);
    assert.equal(topLevelMember(text, 'metadata'), JSON.stringify((doc as { metadata: unknown }).metadata), text);
  }
  assert.equal(topLevelMember(JSON.stringify({ kind: 'X', spec: { metadata: { nested: true } } }), 'metadata'), undefined);
  assert.equal(topLevelMember('{}', 'metadata'), undefined);
  assert.equal(topLevelMember('[1,2]', 'metadata'), undefined);
  // Not compact: undefined (callers then parse), never a wrong slice.
  assert.equal(topLevelMember('{ "metadata": {"a": 1} }', 'metadata'), undefined);
  assert.equal(topLevelMember('{"kind" : "X", "metadata":{}}', 'metadata'), undefined);
  assert.equal(topLevelMember('{"kind" : "metadata", "x":{}}', 'metadata'), undefined);
  assert.equal(topLevelMember('{"kind":"X" ,"metadata":{}}', 'metadata'), undefined);
});

test('stringEnd skips escaped quotes', () => {
  const text = JSON.stringify('a\\"b"c') + 'rest';
  assert.equal(text.slice(stringEnd(text, 0)), 'rest');
  assert.equal(stringEnd('"unclosed', 0), 9);
});
