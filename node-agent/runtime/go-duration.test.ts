import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goDuration } from './go-duration.js';

test('formats like time.Duration.String truncated to milliseconds', () => {
  assert.equal(goDuration(0), '0s');
  assert.equal(goDuration(523.9), '523ms');
  assert.equal(goDuration(1200), '1.2s');
  assert.equal(goDuration(1234), '1.234s');
  assert.equal(goDuration(2000), '2s');
  assert.equal(goDuration(123_456), '2m3.456s');
  assert.equal(goDuration(3_600_000), '1h0m0s');
});
