import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from './backoff.js';

test('waits double from the initial value up to the max', () => {
  let now = 0;
  const b = new Backoff(10_000, 300_000, () => now);
  assert.equal(b.isInBackOffSince('c', 0), false, 'no failure yet');
  b.next('c', 0);
  assert.equal(b.get('c'), 10_000);
  now = 5_000;
  assert.equal(b.isInBackOffSince('c', 0), true);
  assert.equal(b.remaining('c', 0), 5_000);
  now = 10_001;
  assert.equal(b.isInBackOffSince('c', 0), false);
  const waits: number[] = [];
  for (let i = 0; i < 7; i++) {
    b.next('c', now);
    waits.push(b.get('c'));
  }
  assert.deepEqual(waits, [20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
});

test('a key idle for twice the max starts over', () => {
  let now = 0;
  const b = new Backoff(10_000, 300_000, () => now);
  b.next('c', 0);
  b.next('c', 1);
  assert.equal(b.get('c'), 20_000);
  now = 601_000;
  b.next('c', now);
  assert.equal(b.get('c'), 10_000);
  b.resetPrefix('c');
  assert.equal(b.get('c'), 0);
});

