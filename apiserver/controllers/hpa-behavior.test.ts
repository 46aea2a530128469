import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newHistory, normalizeLegacy, normalizeWithBehavior, recordScale, scaleDownLimit, scaleUpLimit, type Behavior } from './hpa-behavior.js';

const t0 = 1_000_000_000;
/** The defaults the API fills into a `behavior` (scale down's window left to the controller: 300 s). */
const defaults = (): Behavior => ({
  scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
  scaleDown: { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
});

test('legacy: scale down takes the highest recommendation of the last 5 minutes', () => {
  const h = newHistory();
  h.recommendations.push({ replicas: 5, timestampMs: t0 - 60_000 });
  const n = normalizeLegacy(h, t0, 5, 2, 1, 10);
  assert.equal(n.replicas, 5);
  assert.deepEqual(n.ableToScale.reason, 'ScaleDownStabilized');
  assert.deepEqual(n.scalingLimited, { status: 'False', reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' });
  // Five minutes on, only the recent (lower) recommendation counts.
  const later = normalizeLegacy(h, t0 + 301_000, 5, 2, 1, 10);
  assert.equal(later.replicas, 2);
  assert.equal(later.ableToScale.reason, 'ReadyForNewScale');
});

test('legacy: scale up at most to max(2 × current, 4), within maxReplicas, and not below minReplicas', () => {
  assert.deepEqual(normalizeLegacy(newHistory(), t0, 1, 10, 1, 20).scalingLimited.reason, 'ScaleUpLimit');
  assert.equal(normalizeLegacy(newHistory(), t0, 1, 10, 1, 20).replicas, 4);
  assert.equal(normalizeLegacy(newHistory(), t0, 5, 30, 1, 20).replicas, 10);
  const tooMany = normalizeLegacy(newHistory(), t0, 1, 10, 1, 3);
  assert.deepEqual([tooMany.replicas, tooMany.scalingLimited.status, tooMany.scalingLimited.reason], [3, 'True', 'TooManyReplicas']);
  const tooFew = normalizeLegacy(newHistory(), t0, 2, 0, 2, 5);
  assert.deepEqual([tooFew.replicas, tooFew.scalingLimited.reason], [2, 'TooFewReplicas']);
});

test('default behavior: scale up by 4 pods or 100% per 15 s, whichever is more', () => {
  const h = newHistory();
  const b = defaults();
  const first = normalizeWithBehavior(h, t0, b, 1, 10, 1, 20);
  assert.deepEqual([first.replicas, first.scalingLimited.reason], [5, 'ScaleUpLimit']);
  recordScale(h, b, 1, 5, t0);
  // 5 s later the period still starts at 1 replica: no more room.
  assert.equal(normalizeWithBehavior(h, t0 + 5_000, b, 5, 10, 1, 20).replicas, 5);
  // After the period: 100% of 5 = 10.
  assert.equal(normalizeWithBehavior(h, t0 + 16_000, b, 5, 12, 1, 20).replicas, 10);
});

test('default behavior: scale down waits for the 300 s window, then may drop 100%', () => {
  const h = newHistory();
  const b = defaults();
  h.recommendations.push({ replicas: 4, timestampMs: t0 });
  const held = normalizeWithBehavior(h, t0 + 60_000, b, 4, 1, 1, 10);
  assert.deepEqual([held.replicas, held.ableToScale.reason], [4, 'ScaleDownStabilized']);
  assert.equal(held.ableToScale.message, 'recent recommendations were higher than current one, applying the highest recent recommendation');
  const h2 = newHistory();
  h2.recommendations.push({ replicas: 4, timestampMs: t0 });
  assert.equal(normalizeWithBehavior(h2, t0 + 301_000, b, 4, 1, 1, 10).replicas, 1);
});

test('a Pods policy limits the scale down per period, counting earlier scale downs', () => {
  const h = newHistory();
  const b: Behavior = { ...defaults(), scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } };
  const first = normalizeWithBehavior(h, t0, b, 4, 1, 1, 10);
  assert.deepEqual([first.replicas, first.scalingLimited.status, first.scalingLimited.reason], [3, 'True', 'ScaleDownLimit']);
  recordScale(h, b, 4, 3, t0);
  assert.equal(normalizeWithBehavior(h, t0 + 30_000, b, 3, 1, 1, 10).replicas, 3);
  assert.equal(normalizeWithBehavior(h, t0 + 61_000, b, 3, 1, 1, 10).replicas, 2);
});

test('selectPolicy: Disabled forbids the direction, Min picks the smallest change', () => {
  const h = newHistory();
  const disabled: Behavior = { ...defaults(), scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Disabled', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] } };
  assert.equal(normalizeWithBehavior(h, t0, disabled, 4, 1, 1, 10).replicas, 4);
  const min: Behavior = { scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] } };
  assert.equal(scaleUpLimit(10, newHistory(), min.scaleUp!, t0), 14);
  assert.equal(scaleUpLimit(10, newHistory(), defaults().scaleUp!, t0), 20);
  // Scale down: Percent rounds the floor down (int32 truncation), Min gives the highest floor.
  assert.equal(scaleDownLimit(5, newHistory(), { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 50, periodSeconds: 15 }] }, t0), 2);
  assert.equal(scaleDownLimit(5, newHistory(), { selectPolicy: 'Min', policies: [{ type: 'Percent', value: 50, periodSeconds: 15 }, { type: 'Pods', value: 1, periodSeconds: 15 }] }, t0), 4);
});

test('a scale-up stabilization window takes the lowest recent recommendation', () => {
  const h = newHistory();
  h.recommendations.push({ replicas: 2, timestampMs: t0 - 30_000 });
  const b: Behavior = { ...defaults(), scaleUp: { ...defaults().scaleUp, stabilizationWindowSeconds: 60 } };
  const n = normalizeWithBehavior(h, t0, b, 2, 5, 1, 10);
  assert.deepEqual([n.replicas, n.ableToScale.reason], [2, 'ScaleUpStabilized']);
});
