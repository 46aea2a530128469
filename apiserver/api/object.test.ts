import assert from 'node:assert/strict';
import { test } from 'node:test';
import { timestamp } from './object.js';

test('timestamp: RFC 3339 in whole seconds, right for each second even when they alternate', () => {
  const a = new Date('2026-11-22T12:00:01.250Z');
  const b = new Date('2026-11-22T12:00:01.999Z');
  const c = new Date('2026-11-22T12:00:02.001Z');
  assert.equal(timestamp(a), '2026-11-22T12:00:01Z');
  assert.equal(timestamp(b), '2026-11-22T12:00:01Z');
  assert.equal(timestamp(c), '2026-11-22T12:00:02Z');
  assert.equal(timestamp(a), '2026-11-22T12:00:01Z');
  assert.equal(timestamp(new Date(-1500)), '1969-12-31T23:59:58Z');
});
