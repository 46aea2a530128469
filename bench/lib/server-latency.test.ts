import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketDelta, quantileMs, shareWithinMs, type Buckets } from './server-latency.js';

const buckets = (pairs: Array<[number, number]>): Buckets => new Map(pairs);

test('quantiles interpolate inside their bucket as histogram_quantile does', () => {
  // 100 observations: 50 under 5 ms, 40 more under 25 ms, 9 under 50 ms, 1 above 60 s.
  const b = buckets([[0.005, 50], [0.025, 90], [0.05, 99], [60, 99], [Infinity, 100]]);
  assert.equal(quantileMs(b, 0.5), 5);
  assert.equal(quantileMs(b, 0.7), 15);
  assert.equal(quantileMs(b, 0.99), 50);
  // In the open-ended bucket: its lower bound.
  assert.equal(quantileMs(b, 0.999), 60_000);
  assert.equal(shareWithinMs(b, 50), 0.99);
  assert.ok(Number.isNaN(quantileMs(buckets([[0.005, 0], [Infinity, 0]]), 0.99)));
});

test('a delta keeps only what was observed between two scrapes', () => {
  const before = buckets([[0.005, 3], [Infinity, 4]]);
  const after = buckets([[0.005, 13], [Infinity, 24]]);
  assert.deepEqual([...bucketDelta(before, after)], [[0.005, 10], [Infinity, 20]]);
});
