import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from './api-error.js';
import { FakeClock } from './clock.js';
import { EventRecorder, type EventSink } from './events.js';
import type { Event } from './types.js';

class MemorySink implements EventSink {
  events = new Map<string, Event>();
  calls: string[] = [];
  async create(ev: Event): Promise<Event> {
    this.calls.push(`create ${ev.reason}`);
    this.events.set(ev.metadata!.name!, structuredClone(ev));
    return ev;
  }
  async patch(ns: string, name: string, patch: Record<string, unknown>): Promise<Event> {
    this.calls.push(`patch ${name.split('.')[0]}`);
    const cur = this.events.get(name);
    if (!cur) throw new ApiError({ kind: 'Status', code: 404, reason: 'NotFound' }, 'PATCH', name);
    Object.assign(cur, patch);
    return cur;
  }
  only(): Event {
    assert.equal(this.events.size, 1);
    return [...this.events.values()][0];
  }
}

const pod = { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'web', uid: 'u1' };

test('a repeated event counts up on the first one', async () => {
  const clock = new FakeClock();
  const sink = new MemorySink();
  const r = new EventRecorder(sink, { component: 'replicaset-controller', clock });
  r.event(pod, 'Warning', 'FailedCreate', 'quota exceeded');
  await r.flush();
  await clock.advance(5_000);
  r.event(pod, 'Warning', 'FailedCreate', 'quota exceeded');
  r.event(pod, 'Warning', 'FailedCreate', 'quota exceeded');
  await r.flush();
  const ev = sink.only();
  assert.equal(ev.count, 3);
  assert.equal(ev.source?.component, 'replicaset-controller');
  assert.equal(ev.involvedObject?.name, 'web');
  assert.match(ev.metadata!.name!, /^web\.[0-9a-f]+$/);
  assert.notEqual(ev.firstTimestamp, ev.lastTimestamp);
  assert.deepEqual(sink.calls, ['create FailedCreate', 'patch web', 'patch web']);
  r.close();
});

test('events about cluster-scoped objects go to the default namespace', async () => {
  const sink = new MemorySink();
  const r = new EventRecorder(sink, { component: 'node-controller', clock: new FakeClock() });
  r.event({ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'u' }, 'Normal', 'RegisteredNode', 'Node n1 event: Registered Node n1 in Controller');
  await r.flush();
  assert.equal(sink.only().metadata?.namespace, 'default');
});

test('more than ten distinct messages for one reason are combined', async () => {
  const sink = new MemorySink();
  const r = new EventRecorder(sink, { component: 'c', clock: new FakeClock() });
  for (let i = 0; i < 12; i++) r.event(pod, 'Warning', 'FailedSync', `error ${i}`);
  await r.flush();
  const messages = [...sink.events.values()].map((e) => e.message);
  assert.equal(messages.filter((m) => m?.startsWith('(combined from similar events): ')).length, 1);
  const combined = [...sink.events.values()].find((e) => e.message?.startsWith('(combined'))!;
  assert.equal(combined.count, 3);
  assert.equal(combined.message, '(combined from similar events): error 11');
});

test('a source may burst 25 events about one object, then one per five minutes', async () => {
  const clock = new FakeClock();
  const sink = new MemorySink();
  const r = new EventRecorder(sink, { component: 'c', clock });
  for (let i = 0; i < 30; i++) r.event(pod, 'Normal', 'Tick', 'same');
  await r.flush();
  assert.equal(sink.only().count, 25);
  await clock.advance(300_000);
  r.event(pod, 'Normal', 'Tick', 'same');
  await r.flush();
  assert.equal(sink.only().count, 26);
});

test('a patch of an event that expired creates it again', async () => {
  const sink = new MemorySink();
  const r = new EventRecorder(sink, { component: 'c', clock: new FakeClock() });
  r.event(pod, 'Normal', 'Killing', 'Stopping container');
  await r.flush();
  sink.events.clear();
  r.event(pod, 'Normal', 'Killing', 'Stopping container');
  await r.flush();
  assert.equal(sink.only().count, 2);
});

test('series style: the second occurrence opens a series, later ones count locally', async () => {
  const clock = new FakeClock();
  const sink = new MemorySink();
  const r = new EventRecorder(sink, { component: 'default-scheduler', style: 'series', clock });
  r.event(pod, 'Warning', 'FailedScheduling', '0/2 nodes are available', 'Scheduling');
  await r.flush();
  const first = sink.only();
  assert.equal(first.action, 'Scheduling');
  assert.equal(first.reportingComponent, 'default-scheduler');
  assert.match(first.eventTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.equal(first.count, undefined);
  r.event(pod, 'Warning', 'FailedScheduling', '0/3 nodes are available', 'Scheduling');
  r.event(pod, 'Warning', 'FailedScheduling', '0/3 nodes are available', 'Scheduling');
  await r.flush();
  assert.equal(sink.only().series?.count, 2);
  assert.deepEqual(sink.calls, ['create FailedScheduling', 'patch web']);
  await clock.advance(30 * 60_000);
  await r.flush();
  r.close();
});
