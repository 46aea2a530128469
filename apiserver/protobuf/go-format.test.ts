import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, formatMicroTime, formatTime } from './go-format.js';

test('durations print as Go time.Duration.String does', () => {
  const cases: Array<[bigint, string]> = [
    [0n, '0s'],
    [1n, '1ns'],
    [1_100n, '1.1µs'],
    [2_200_000n, '2.2ms'],
    [150_000_000n, '150ms'],
    [3_300_000_000n, '3.3s'],
    [60_000_000_000n, '1m0s'],
    [245_001_000_000n, '4m5.001s'],
    [3_600_000_000_000n, '1h0m0s'],
    [18_367_000_000_001n, '5h6m7.000000001s'],
    [-90_000_000_000n, '-1m30s'],
    [-1n, '-1ns'],
    [2n ** 63n - 1n, '2562047h47m16.854775807s'],
  ];
  for (const [ns, want] of cases) assert.equal(formatDuration(ns), want, `${ns}ns`);
});

test('times print in UTC with whole seconds', () => {
  assert.equal(formatTime(0n), '1970-01-01T00:00:00Z');
  assert.equal(formatTime(1_732_242_000n), '2024-11-22T02:20:00Z');
  assert.equal(formatTime(-1n), '1969-12-31T23:59:59Z');
});

test('micro times keep exactly six fraction digits, truncating nanoseconds', () => {
  assert.equal(formatMicroTime(1_732_242_000n, 0), '2024-11-22T02:20:00.000000Z');
  assert.equal(formatMicroTime(1_732_242_000n, 123_456_789), '2024-11-22T02:20:00.123456Z');
  assert.equal(formatMicroTime(1_732_242_000n, 1_500_000_000), '2024-11-22T02:20:01.500000Z');
});
