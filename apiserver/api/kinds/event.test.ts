import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventFromStorage, eventStrategy, eventTable, eventToStorage, eventsV1Strategy } from './event.js';
import { created, row, updated } from './strategy-testing.js';
import type { KubeObject } from '../object.js';

const core = (extra: Record<string, unknown>, ns = 'default'): KubeObject => ({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1', namespace: ns }, ...extra });

test('core events: the involved object must live in the event namespace', () => {
  assert.deepEqual(created(eventStrategy, core({ involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' } })).errors, []);
  assert.deepEqual(created(eventStrategy, core({ involvedObject: { kind: 'Node', name: 'n' } })).errors, []);
  assert.deepEqual(created(eventStrategy, core({ involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' } })).errors,
    ['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
  assert.deepEqual(created(eventStrategy, core({ involvedObject: { kind: 'Node', name: 'n' } }, 'kube-system')).errors,
    ['involvedObject.namespace: Invalid value: "": does not match event.namespace']);
});

test('stored core events carry the fields Go always writes', () => {
  const { obj } = created(eventStrategy, core({ involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'R', message: '' }));
  assert.deepEqual(obj, {
    apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'R', source: {}, firstTimestamp: null, lastTimestamp: null,
    eventTime: null, reportingComponent: '', reportingInstance: '',
  });
});

test('events.k8s.io is strict', () => {
  const v1 = eventToStorage({ apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e', namespace: 'default' }, reason: 'R', type: 'Bad', deprecatedCount: 2 });
  assert.deepEqual(created(eventsV1Strategy, v1).errors, [
    'eventTime: Required value', 'type: Invalid value: "": has invalid value: Bad', 'count: Invalid value: "": needs to be unset',
  ]);
  const ok = eventToStorage({
    apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e', namespace: 'default' }, eventTime: '2024-01-01T00:00:00.000000Z',
    reportingController: 'k8ts.io/x', reportingInstance: 'i', action: 'A', reason: 'R', type: 'Normal', regarding: { kind: 'Node', name: 'n' },
  });
  assert.deepEqual(created(eventsV1Strategy, ok).errors, []);
  assert.deepEqual(updated(eventsV1Strategy, ok, { ...ok, reason: 'Other' }).errors, ['reason: Invalid value: "Other": field is immutable']);
});

test('conversion maps regarding/note/deprecated* both ways', () => {
  const stored = {
    apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'p' },
    reason: 'Pulled', message: 'done', source: { component: 'kubelet', host: 'n1' }, firstTimestamp: '2024-01-01T00:00:00Z',
    lastTimestamp: '2024-01-01T00:01:00Z', count: 2, type: 'Normal', eventTime: null, reportingComponent: '', reportingInstance: '',
  };
  const v1 = eventFromStorage(stored);
  assert.deepEqual(v1, {
    apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: stored.metadata, eventTime: null, reason: 'Pulled', regarding: { kind: 'Pod', name: 'p' },
    note: 'done', type: 'Normal', deprecatedSource: { component: 'kubelet', host: 'n1' }, deprecatedFirstTimestamp: '2024-01-01T00:00:00Z',
    deprecatedLastTimestamp: '2024-01-01T00:01:00Z', deprecatedCount: 2,
  });
  assert.deepEqual(eventToStorage(v1), stored);
});

test('table: LAST SEEN first, object as kind/name, wide columns after MESSAGE', () => {
  const e = core({
    involvedObject: { kind: 'Pod', name: 'web-1', fieldPath: 'spec.containers{web}' }, reason: 'Started', message: ' Started container \n', type: 'Normal',
    source: { component: 'kubelet', host: 'node-1' }, firstTimestamp: '2024-01-01T00:00:00Z', lastTimestamp: '2024-01-01T00:00:30Z', count: 3,
  });
  assert.deepEqual(row(eventTable, e), ['30s', 'Normal', 'Started', 'pod/web-1', 'spec.containers{web}', 'kubelet, node-1', 'Started container', '60s', 3, 'e1']);
  const single = core({ involvedObject: { kind: 'Node' }, eventTime: '2024-01-01T00:00:00.000000Z', reportingComponent: 'ctl', type: 'Warning' });
  assert.deepEqual(row(eventTable, single).slice(0, 6), ['60s', 'Warning', '', 'node', '', 'ctl']);
  assert.equal(row(eventTable, single)[8], 1);
  assert.equal(eventTable.nameFirst, false);
});
