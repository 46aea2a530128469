import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indentJson } from './json-indent.js';

test('indents as json.MarshalIndent with two spaces, keeping the text of every token', () => {
  const docs = [
    { kind: 'ConfigMap', metadata: { name: 'a', labels: {} }, data: { 'k"}': 'v,[:]\\n' }, list: [], nums: [1, -2.5, 1e21, true, null, { x: [] }] },
    [],
    {},
    'plain',
    [[1], [{}]],
  ];
  for (const d of docs) assert.equal(indentJson(JSON.stringify(d)), JSON.stringify(d, null, 2));
  // Numbers are not reparsed: an int64 beyond 2^53 keeps its digits.
  assert.equal(indentJson('{"n":9007199254740993,"s":"\\u003c"}'), '{\n  "n": 9007199254740993,\n  "s": "\\u003c"\n}');
  assert.equal(indentJson(' { "a" : [ ] , "b" : { } }\n'), '{\n  "a": [],\n  "b": {}\n}');
});
