import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SortedKeys } from './sorted-keys.js';

/** A deterministic stream of keys, so a failure reproduces. */
function keys(n: number, seed = 7): string[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return `k-${(x % 50_000).toString(36)}`;
  });
}

test('keys come out in order through inserts and deletes anywhere, across chunk splits', () => {
  const s = new SortedKeys();
  const ref = new Set<string>();
  const stream = keys(20_000);
  for (const [i, k] of stream.entries()) {
    assert.equal(s.add(k), !ref.has(k));
    ref.add(k);
    // Delete one in three of what came before, at places spread over the whole range.
    if (i % 3 === 0) {
      const gone = stream[(i * 7919) % (i + 1)];
      assert.equal(s.delete(gone), ref.delete(gone));
    }
  }
  const want = [...ref].sort();
  assert.equal(s.size, want.length);
  assert.deepEqual([...s.range(0, s.size)], want);
  // Every key is found where it sorts, which holds only if each chunk's bounds were kept.
  for (let i = 0; i < want.length; i += 97) assert.equal(s.rank(want[i]), i, want[i]);
  for (const k of want) assert.equal(s.add(k), false, k);
  assert.equal(s.delete('absent'), false);
});

test('rank counts the keys before a key, present or not, and range reads a slice by rank', () => {
  const s = new SortedKeys();
  const want = [...new Set(keys(5000, 3))].sort();
  for (const k of [...want].reverse()) s.add(k);
  for (const probe of ['', 'k-', want[0], want[1234], want[1234] + '\x00', want.at(-1)!, '\uffff']) {
    const expected = want.filter((k) => k < probe).length;
    assert.equal(s.rank(probe), expected, probe);
  }
  assert.deepEqual([...s.range(1000, 1010)], want.slice(1000, 1010));
  assert.deepEqual([...s.range(want.length - 3, want.length + 5)], want.slice(-3));
  assert.deepEqual([...s.range(7, 7)], []);
});

test('an emptied set takes keys again', () => {
  const s = new SortedKeys();
  for (const k of ['b', 'a', 'c']) s.add(k);
  for (const k of ['a', 'b', 'c']) assert.ok(s.delete(k));
  assert.equal(s.size, 0);
  assert.equal(s.rank('z'), 0);
  assert.deepEqual([...s.range(0, 5)], []);
  s.add('q');
  assert.deepEqual([...s.range(0, 1)], ['q']);
});
