import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './clock.js';
import { ItemExponentialRateLimiter, BucketRateLimiter, MaxOfRateLimiter } from './rate-limiter.js';
import { WorkQueue } from './workqueue.js';

test('an item added twice while waiting is handed out once', async () => {
  const q = new WorkQueue<string>(new FakeClock());
  q.add('a');
  q.add('b');
  q.add('a');
  assert.equal(q.length, 2);
  assert.equal(await q.get(), 'a');
  assert.equal(await q.get(), 'b');
  assert.equal(q.length, 0);
});

test('an item added while processing is requeued only after done()', async () => {
  const q = new WorkQueue<string>(new FakeClock());
  q.add('a');
  const item = await q.get();
  q.add('a');
  assert.equal(q.length, 0, 'not handed to a second worker while in flight');
  q.done(item!);
  assert.equal(q.length, 1);
  assert.equal(await q.get(), 'a');
});

test('a waiting worker gets the next item', async () => {
  const q = new WorkQueue<string>(new FakeClock());
  const pending = q.get();
  q.add('x');
  assert.equal(await pending, 'x');
});

test('addAfter delays the item and the earliest request wins', async () => {
  const clock = new FakeClock();
  const q = new WorkQueue<string>(clock);
  q.addAfter('a', 1000);
  q.addAfter('a', 200);
  q.addAfter('a', 5000);
  await clock.advance(199);
  assert.equal(q.length, 0);
  await clock.advance(1);
  assert.equal(q.length, 1);
  assert.equal(await q.get(), 'a');
  q.done('a');
  await clock.advance(10_000);
  assert.equal(q.length, 0, 'the later requests were merged into the first');
});

test('shutDown wakes waiting workers and refuses new items', async () => {
  const clock = new FakeClock();
  const q = new WorkQueue<string>(clock);
  const waiting = q.get();
  q.addAfter('later', 100);
  q.shutDown();
  assert.equal(await waiting, undefined);
  q.add('b');
  assert.equal(await q.get(), undefined);
  assert.equal(clock.pendingTimers, 0, 'delayed adds are cancelled');
});

test('exponential backoff doubles from 5ms per item up to 1000s and resets on forget', () => {
  const rl = new ItemExponentialRateLimiter<string>(5, 1_000_000);
  assert.deepEqual([rl.when('a'), rl.when('a'), rl.when('a'), rl.when('b')], [5, 10, 20, 5]);
  assert.equal(rl.retries('a'), 3);
  for (let i = 0; i < 100; i++) rl.when('a');
  assert.equal(rl.when('a'), 1_000_000);
  rl.forget('a');
  assert.equal(rl.when('a'), 5);
});

test('the token bucket allows a burst and then spaces retries at its rate', async () => {
  const clock = new FakeClock();
  const rl = new BucketRateLimiter<string>(clock, 10, 2);
  assert.equal(rl.when('a'), 0);
  assert.equal(rl.when('b'), 0);
  assert.equal(Math.round(rl.when('c')), 100);
  assert.equal(Math.round(rl.when('d')), 200);
  await clock.advance(1000);
  assert.equal(rl.when('e'), 0);
});

test('addRateLimited waits the larger of per-item and overall delays', async () => {
  const clock = new FakeClock();
  const q = new WorkQueue<string>(clock, new MaxOfRateLimiter([new ItemExponentialRateLimiter<string>(100, 10_000)]));
  q.addRateLimited('a');
  await clock.advance(99);
  assert.equal(q.length, 0);
  await clock.advance(1);
  assert.equal(q.length, 1);
  assert.equal(q.retries('a'), 1);
  q.forget('a');
  assert.equal(q.retries('a'), 0);
});
