import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goJson } from './go-json.js';

test('keys are sorted at every level, arrays keep their order', () => {
  assert.equal(goJson({ b: 1, a: { d: [3, { z: 1, y: null }], c: 'x' } }), '{"a":{"c":"x","d":[3,{"y":null,"z":1}]},"b":1}');
  assert.equal(goJson({ gone: undefined, s: '<&>' }), '{"s":"<&>"}');
});
