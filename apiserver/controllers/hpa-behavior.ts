// What turns a metric's proposal into the replicas an HPA sets (horizontal.go's normalization,
// reimplemented): stabilization over recent recommendations, then either the behavior's
// scaling policies against the scale events of each policy's period, or, for an HPA without
// `behavior`, the legacy limits (scale down stabilized over 5 minutes, scale up at most to
// max(2 × current, 4)); always within [minReplicas, maxReplicas]. Each step reports the
// condition reason and message Kubernetes gives.

export interface ScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

export interface ScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: 'Max' | 'Min' | 'Disabled';
  policies?: ScalingPolicy[];
}

export interface Behavior {
  scaleUp?: ScalingRules;
  scaleDown?: ScalingRules;
}

interface Timed {
  timestampMs: number;
}
interface Recommendation extends Timed {
  replicas: number;
}
interface ScaleEvent extends Timed {
  change: number;
  outdated: boolean;
}

/** The controller's memory of one HPA: recent recommendations and scale events. */
export interface HpaHistory {
  recommendations: Recommendation[];
  scaleUpEvents: ScaleEvent[];
  scaleDownEvents: ScaleEvent[];
}

export const newHistory = (): HpaHistory => ({ recommendations: [], scaleUpEvents: [], scaleDownEvents: [] });

/** --horizontal-pod-autoscaler-downscale-stabilization (5 min). */
export const defaultDownscaleStabilizationMs = 5 * 60_000;

export interface Normalized {
  replicas: number;
  /** AbleToScale (True) reason and message after stabilization. */
  ableToScale: { reason: string; message: string };
  /** ScalingLimited: status True when the result was bounded. */
  scalingLimited: { status: 'True' | 'False'; reason: string; message: string };
}

/** Puts `rec` in place of the first outdated entry, or at the end (the slices never grow past what the window holds). */
function record<T extends Timed>(list: T[], rec: T, isOld: (r: T) => boolean): void {
  const i = list.findIndex(isOld);
  if (i >= 0) list[i] = rec;
  else list.push(rec);
}

const withinRange = { reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
const readyForNewScale = { reason: 'ReadyForNewScale', message: 'recommended size matches current size' };

function limited(desired: number, bounded: { replicas: number; reason: string; message: string }): Normalized['scalingLimited'] {
  return { status: bounded.replicas === desired ? 'False' : 'True', reason: bounded.reason, message: bounded.message };
}

/** normalizeDesiredReplicas: an HPA without `behavior`. */
export function normalizeLegacy(
  h: HpaHistory, now: number, current: number, proposed: number, minReplicas: number, maxReplicas: number, windowMs = defaultDownscaleStabilizationMs,
): Normalized {
  const cutoff = now - windowMs;
  let stabilized = proposed;
  for (const r of h.recommendations) if (r.timestampMs >= cutoff && r.replicas > stabilized) stabilized = r.replicas;
  record(h.recommendations, { replicas: proposed, timestampMs: now }, (r) => r.timestampMs < cutoff);
  const ableToScale = stabilized !== proposed
    ? { reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' }
    : readyForNewScale;
  const scaleUpLimit = Math.max(2 * current, 4);
  let bounded = { replicas: stabilized, ...withinRange };
  if (stabilized < minReplicas) {
    bounded = { replicas: minReplicas, reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
  } else if (maxReplicas > scaleUpLimit && stabilized > scaleUpLimit) {
    bounded = { replicas: scaleUpLimit, reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' };
  } else if (maxReplicas <= scaleUpLimit && stabilized > maxReplicas) {
    bounded = { replicas: maxReplicas, reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' };
  }
  return { replicas: bounded.replicas, ableToScale, scalingLimited: limited(stabilized, bounded) };
}

/** Replicas added (or removed) by the events within the last `periodSeconds`. */
function changeInPeriod(events: readonly ScaleEvent[], periodSeconds: number, now: number): number {
  const cutoff = now - periodSeconds * 1000;
  let sum = 0;
  for (const e of events) if (e.timestampMs > cutoff) sum += e.change;
  return sum;
}

/** calculateScaleUpLimitWithScalingRules: the most replicas the policies allow now. */
export function scaleUpLimit(current: number, h: HpaHistory, rules: ScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pick = rules.selectPolicy === 'Min' ? Math.min : Math.max;
  let result = rules.selectPolicy === 'Min' ? Infinity : -Infinity;
  for (const p of rules.policies ?? []) {
    const start = current - changeInPeriod(h.scaleUpEvents, p.periodSeconds, now) + changeInPeriod(h.scaleDownEvents, p.periodSeconds, now);
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/** calculateScaleDownLimitWithBehaviors: the fewest replicas the policies allow now. */
export function scaleDownLimit(current: number, h: HpaHistory, rules: ScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  // The policy allowing the least change ("Min") gives the highest floor.
  const pick = rules.selectPolicy === 'Min' ? Math.max : Math.min;
  let result = rules.selectPolicy === 'Min' ? -Infinity : Infinity;
  for (const p of rules.policies ?? []) {
    const start = current - changeInPeriod(h.scaleUpEvents, p.periodSeconds, now) + changeInPeriod(h.scaleDownEvents, p.periodSeconds, now);
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/** normalizeDesiredReplicasWithBehaviors. The scale-down window defaults to 5 minutes when unset. */
export function normalizeWithBehavior(
  h: HpaHistory, now: number, behavior: Behavior, current: number, proposed: number, minReplicas: number, maxReplicas: number,
  defaultDownWindowMs = defaultDownscaleStabilizationMs,
): Normalized {
  const up = behavior.scaleUp ?? {};
  const down = behavior.scaleDown ?? {};
  const upCutoff = now - (up.stabilizationWindowSeconds ?? 0) * 1000;
  const downCutoff = now - (down.stabilizationWindowSeconds === undefined ? defaultDownWindowMs : down.stabilizationWindowSeconds * 1000);
  let upRec = proposed;
  let downRec = proposed;
  for (const r of h.recommendations) {
    if (r.timestampMs > upCutoff) upRec = Math.min(upRec, r.replicas);
    if (r.timestampMs > downCutoff) downRec = Math.max(downRec, r.replicas);
  }
  // Move from the current count only as far as every recommendation in the windows agrees.
  let stabilized = current;
  if (stabilized < upRec) stabilized = upRec;
  if (stabilized > downRec) stabilized = downRec;
  record(h.recommendations, { replicas: proposed, timestampMs: now }, (r) => r.timestampMs < upCutoff && r.timestampMs < downCutoff);
  let ableToScale = readyForNewScale;
  if (stabilized !== proposed) {
    ableToScale = proposed >= current
      ? { reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' }
      : { reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' };
  }
  let bounded = { replicas: stabilized, ...withinRange };
  if (stabilized > current) {
    const limit = Math.max(scaleUpLimit(current, h, up, now), current);
    if (maxReplicas > limit) {
      if (stabilized > limit) bounded = { replicas: limit, reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' };
    } else if (stabilized > maxReplicas) {
      bounded = { replicas: maxReplicas, reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' };
    }
  } else if (stabilized < current) {
    const limit = Math.min(scaleDownLimit(current, h, down, now), current);
    if (minReplicas < limit) {
      if (stabilized < limit) bounded = { replicas: limit, reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' };
    } else if (stabilized < minReplicas) {
      bounded = { replicas: minReplicas, reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
    }
  }
  return { replicas: bounded.replicas, ableToScale, scalingLimited: limited(stabilized, bounded) };
}

/** storeScaleEvent: what the policies of later syncs count against; older than the longest period is reusable. */
export function recordScale(h: HpaHistory, behavior: Behavior | undefined, from: number, to: number, now: number): void {
  if (!behavior || from === to) return;
  const upward = to > from;
  const rules = (upward ? behavior.scaleUp : behavior.scaleDown) ?? {};
  const longest = Math.max(0, ...(rules.policies ?? []).map((p) => p.periodSeconds)) * 1000;
  const events = upward ? h.scaleUpEvents : h.scaleDownEvents;
  for (const e of events) if (e.timestampMs <= now - longest) e.outdated = true;
  record(events, { change: Math.abs(to - from), timestampMs: now, outdated: false }, (e) => e.outdated);
}
