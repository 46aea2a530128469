import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from './duration.js';

test('parses Go durations into milliseconds', () => {
  assert.equal(parseDuration('40s'), 40_000);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('1.5h'), 5_400_000);
  assert.equal(parseDuration('0'), 0);
  assert.equal(parseDuration('-2s'), -2000);
});

test('refuses what Go refuses', () => {
  for (const bad of ['', '10', 's', '1x', '1s2']) assert.throws(() => parseDuration(bad), /invalid duration/);
});
