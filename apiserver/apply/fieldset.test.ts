// The trie-walking set operations against their definitions on member paths, over random sets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSet } from './fieldset.js';

function rng(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

function randomSet(next: () => number): FieldSet {
  const elems = ['f:a', 'f:b', 'f:c', 'k:{"name":"x"}', 'i:0', 'v:"y"'];
  const s = new FieldSet();
  const n = Math.floor(next() * 12);
  for (let i = 0; i < n; i++) {
    const path = Array.from({ length: Math.floor(next() * 4) }, () => elems[Math.floor(next() * elems.length)]);
    s.insert(path);
  }
  return s;
}

const key = (p: readonly string[]) => JSON.stringify(p);
const members = (s: FieldSet) => [...s.paths()].map(key).sort();

test('union, difference, intersection, filter and equals agree with their definitions on member paths', () => {
  const next = rng(42);
  for (let i = 0; i < 500; i++) {
    const a = randomSet(next);
    const b = randomSet(next);
    const inB = new Set(members(b));
    assert.deepEqual(members(a.union(b)), [...new Set([...members(a), ...members(b)])].sort());
    assert.deepEqual(members(a.difference(b)), members(a).filter((p) => !inB.has(p)));
    assert.deepEqual(members(a.intersection(b)), members(a).filter((p) => inB.has(p)));
    const keep = (p: readonly string[]) => !p.includes('f:b');
    assert.deepEqual(members(a.filter(keep)), [...a.paths()].filter(keep).map(key).sort());
    assert.equal(a.equals(b), key(members(a)) === key(members(b)));
    assert.ok(a.equals(FieldSet.fromPaths(a.paths())));
    // Results are pruned as sets built from paths are, so fieldsV1 comes out the same.
    assert.deepEqual(a.difference(b).toFieldsV1(), FieldSet.fromPaths(a.paths()).difference(b).toFieldsV1());
    assert.deepEqual(a.difference(b).toFieldsV1(), FieldSet.fromPaths([...a.paths()].filter((p) => !inB.has(key(p)))).toFieldsV1());
    assert.deepEqual(a.union(b).toFieldsV1(), FieldSet.fromPaths([...a.paths(), ...b.paths()]).toFieldsV1());
  }
});

test('fieldsV1 lists "." first, then keys in sorted order, whatever order they were added in', () => {
  const s = FieldSet.fromPaths([['f:spec', 'f:z'], ['f:spec'], ['f:metadata', 'f:labels', 'f:b'], ['f:spec', 'f:a'], ['f:metadata', 'f:labels', 'f:a'], ['f:data']]);
  assert.equal(JSON.stringify(s.toFieldsV1()),
    '{"f:data":{},"f:metadata":{"f:labels":{"f:a":{},"f:b":{}}},"f:spec":{".":{},"f:a":{},"f:z":{}}}');
  // A parsed fieldsV1 comes out as it went in.
  const text = '{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:replicas":{}}}';
  assert.equal(JSON.stringify(FieldSet.fromFieldsV1(JSON.parse(text)).toFieldsV1()), text);
});
