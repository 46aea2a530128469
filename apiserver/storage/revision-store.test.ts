import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from './open.js';
import { isStorageError, type StoreEvent } from './interfaces.js';

const enc = (v: object) => (rev: number) => JSON.stringify({ ...v, rev });

async function withStore(fn: (dir: string) => Promise<void>) {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-store-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('create, update with the expected revision, conflict otherwise', () => withStore(async (dir) => {
  const s = await openStore(dir);
  const a = await s.create('/core/pods/ns/a', enc({ n: 1 }));
  assert.equal(a.modRevision, 1);
  await assert.rejects(s.create('/core/pods/ns/a', enc({})), (e) => isStorageError(e, 'KeyExists'));
  const b = await s.update('/core/pods/ns/a', 1, enc({ n: 2 }));
  assert.equal(b.modRevision, 2);
  assert.equal(b.createRevision, 1);
  await assert.rejects(s.update('/core/pods/ns/a', 1, enc({})), (e) => isStorageError(e, 'Conflict'));
  await assert.rejects(s.update('/core/pods/ns/zz', 1, enc({})), (e) => isStorageError(e, 'NotFound'));
  await s.close();
}));

test('data and revision survive a reopen', () => withStore(async (dir) => {
  let s = await openStore(dir);
  await s.create('/core/pods/ns/a', enc({ n: 1 }));
  await s.create('/core/pods/ns/b', enc({ n: 1 }));
  await s.delete('/core/pods/ns/a');
  await s.close();
  s = await openStore(dir);
  assert.equal(s.revision(), 3);
  assert.equal(s.get('/core/pods/ns/a'), undefined);
  assert.equal(JSON.parse(s.get('/core/pods/ns/b')!.value).rev, 2);
  const kv = await s.create('/core/pods/ns/c', enc({}));
  assert.equal(kv.modRevision, 4);
  await s.close();
}));

test('lists are in key order, scoped by prefix and paged', () => withStore(async (dir) => {
  const s = await openStore(dir);
  for (const k of ['b/2', 'a/1', 'b/1', 'a/3', 'c/1']) await s.create('/core/pods/' + k, enc({}));
  await s.create('/core/services/a/1', enc({}));
  assert.deepEqual(s.list('/core/pods/').items.map((i) => i.key.slice(11)), ['a/1', 'a/3', 'b/1', 'b/2', 'c/1']);
  assert.deepEqual(s.list('/core/pods/b/').items.map((i) => i.key.slice(11)), ['b/1', 'b/2']);
  const p1 = s.list('/core/pods/', { limit: 2 });
  assert.equal(p1.continueAfter, '/core/pods/a/3');
  assert.equal(p1.remaining, 3);
  const p2 = s.list('/core/pods/', { limit: 2, after: p1.continueAfter });
  assert.deepEqual(p2.items.map((i) => i.key.slice(11)), ['b/1', 'b/2']);
  const p3 = s.list('/core/pods/', { limit: 2, after: p2.continueAfter });
  assert.deepEqual(p3.items.map((i) => i.key.slice(11)), ['c/1']);
  assert.equal(p3.continueAfter, undefined);
  assert.equal(s.count('/core/'), 6);
  await s.close();
}));

test('a list at an older revision undoes later writes', () => withStore(async (dir) => {
  const s = await openStore(dir);
  await s.create('/x/y/a', enc({ v: 'a1' }));
  await s.create('/x/y/b', enc({ v: 'b1' }));
  const rev = s.revision();
  await s.update('/x/y/a', 1, enc({ v: 'a2' }));
  await s.delete('/x/y/b');
  await s.create('/x/y/c', enc({ v: 'c1' }));
  const then = s.list('/x/y/', { atRevision: rev }).items.map((i) => JSON.parse(i.value).v);
  assert.deepEqual(then, ['a1', 'b1']);
  const now = s.list('/x/y/').items.map((i) => JSON.parse(i.value).v);
  assert.deepEqual(now, ['a2', 'c1']);
  await s.close();
}));

test('watch replays from a revision, then streams, and expires compacted history', () => withStore(async (dir) => {
  const s = await openStore(dir, { maxEvents: 3, maxBytes: 1 << 20, maxAgeMs: 60_000 });
  await s.create('/x/y/a', enc({}));
  await s.create('/x/y/b', enc({}));
  const seen: StoreEvent[] = [];
  const w = s.watch('/x/y/', { fromRevision: 1, onEvents: (e) => seen.push(...e) });
  await s.delete('/x/y/a');
  await s.create('/x/z/other', enc({}));
  assert.deepEqual(seen.map((e) => [e.type, e.kv.key, e.revision]), [['ADDED', '/x/y/b', 2], ['DELETED', '/x/y/a', 3]]);
  w.stop();
  await s.create('/x/y/c', enc({}));
  await s.compact();
  assert.equal(s.compactedRevision(), 2);
  assert.throws(() => s.watch('/x/y/', { fromRevision: 1, onEvents: () => {} }), (e) => isStorageError(e, 'Compacted'));
  assert.equal(seen.length, 2);
  await s.close();
}));

test('concurrent writes share synced batches and all land', () => withStore(async (dir) => {
  const s = await openStore(dir);
  const writes = Array.from({ length: 500 }, (_, i) => s.create(`/x/y/${String(i).padStart(4, '0')}`, enc({ i })));
  const kvs = await Promise.all(writes);
  assert.deepEqual(kvs.map((k) => k.modRevision), Array.from({ length: 500 }, (_, i) => i + 1));
  await s.close();
  const again = await openStore(dir);
  assert.equal(again.list('/x/y/').items.length, 500);
  await again.close();
}));

test('history is also bounded by the bytes it holds', () => withStore(async (dir) => {
  const s = await openStore(dir, { maxEvents: 1000, maxBytes: 2000, maxAgeMs: 60_000 });
  for (let i = 0; i < 10; i++) await s.create(`/x/y/${i}`, enc({ pad: 'p'.repeat(480) }));
  await s.compact();
  // Each value is about 500 bytes: at most four fit in 2000 bytes.
  assert.ok(s.compactedRevision() >= 6, `compacted at ${s.compactedRevision()}`);
  assert.throws(() => s.watch('/x/y/', { fromRevision: 2, onEvents: () => {} }), (e) => isStorageError(e, 'Compacted'));
  await s.close();
}));

test('pages at an older revision keep key order across deleted and created keys', () => withStore(async (dir) => {
  const s = await openStore(dir);
  for (const k of ['a', 'c', 'e', 'g']) await s.create(`/x/y/${k}`, enc({ v: k }));
  const rev = s.revision();
  await s.delete('/x/y/c');
  await s.delete('/x/y/g');
  await s.create('/x/y/b', enc({ v: 'b' }));
  await s.create('/x/y/f', enc({ v: 'f' }));
  const seen: string[] = [];
  let after: string | undefined;
  do {
    const page = s.list('/x/y/', { atRevision: rev, limit: 1, after });
    seen.push(...page.items.map((i) => JSON.parse(i.value).v as string));
    after = page.continueAfter;
  } while (after);
  assert.deepEqual(seen, ['a', 'c', 'e', 'g']);
  assert.equal(s.count('/x/y/'), 4);
  assert.deepEqual(s.list('/x/').items.map((i) => i.key), ['/x/y/a', '/x/y/b', '/x/y/e', '/x/y/f']);
  await s.close();
}));
