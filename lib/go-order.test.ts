import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sortedJSON } from './go-order.js';

test('sortedJSON: keys sorted at every level as Go encodes maps, arrays in order, undefined left out', () => {
  assert.equal(sortedJSON({ b: 1, a: { d: [3, { z: 1, y: null }], c: 'x' } }), '{"a":{"c":"x","d":[3,{"y":null,"z":1}]},"b":1}');
  assert.equal(sortedJSON({ gone: undefined, s: '<&>' }), '{"s":"<&>"}');
});
