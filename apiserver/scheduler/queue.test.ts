import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../lib/client/clock.js';
import { SchedulingQueue } from './queue.js';
import { pod } from './test-fixtures.js';

test('pods come out by priority, then in arrival order', async () => {
  const clock = new FakeClock();
  const q = new SchedulingQueue(clock);
  q.add(pod('low', { priority: 0 }));
  await clock.advance(1);
  q.add(pod('high', { priority: 100 }));
  await clock.advance(1);
  q.add(pod('low2', { priority: 0 }));
  const order = [];
  for (let i = 0; i < 3; i++) order.push((await q.pop())!.info.name);
  assert.deepEqual(order, ['high', 'low', 'low2']);
  q.close();
});

test('an unschedulable pod waits for a cluster change, then for its backoff', async () => {
  const clock = new FakeClock();
  const q = new SchedulingQueue(clock);
  q.add(pod('p'));
  const qp = (await q.pop())!;
  q.requeueUnschedulable(qp);
  assert.deepEqual(q.counts(), { active: 0, backoff: 0, unschedulable: 1, inflight: 0 });
  q.moveAllToActiveOrBackoff();
  assert.equal(q.counts().backoff, 1, 'first retry waits 1 s');
  await clock.advance(1000);
  assert.equal(q.counts().active, 1);
  const again = (await q.pop())!;
  q.requeueUnschedulable(again);
  q.moveAllToActiveOrBackoff();
  await clock.advance(1000);
  assert.equal(q.counts().backoff, 1, 'second retry waits 2 s');
  await clock.advance(1000);
  assert.equal(q.counts().active, 1);
  q.close();
});

test('a status-only update does not wake an unschedulable pod; a spec change does', async () => {
  const clock = new FakeClock();
  const q = new SchedulingQueue(clock);
  const p = pod('p');
  q.add(p);
  q.requeueUnschedulable((await q.pop())!);
  q.update(p, false);
  assert.equal(q.counts().unschedulable, 1);
  await clock.advance(2000);
  q.update(p, true);
  assert.equal(q.counts().active, 1);
  q.close();
});

test('a cluster change while a pod was being scheduled sends it to backoff, not to wait', async () => {
  const clock = new FakeClock();
  const q = new SchedulingQueue(clock);
  q.add(pod('p'));
  const qp = (await q.pop())!;
  q.moveAllToActiveOrBackoff();
  q.requeueUnschedulable(qp);
  assert.equal(q.counts().backoff, 1);
  q.close();
});

test('unschedulable pods are retried after five minutes anyway', async () => {
  const clock = new FakeClock();
  const q = new SchedulingQueue(clock);
  q.add(pod('p'));
  q.requeueUnschedulable((await q.pop())!);
  await clock.advance(5 * 60_000 + 30_000);
  assert.equal(q.counts().active, 1);
  q.close();
});

test('close wakes a waiting pop', async () => {
  const q = new SchedulingQueue(new FakeClock());
  const waiting = q.pop();
  q.close();
  assert.equal(await waiting, undefined);
});
