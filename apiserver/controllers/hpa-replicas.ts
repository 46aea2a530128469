// The HPA's replica calculator for Resource metrics (kube-controller-manager's
// replica_calculator.go, reimplemented): which pods count, their usage against their requests,
// the 10% tolerance, and how pods without metrics or not yet ready are treated so that a scale
// decision is never made on their account in the wrong direction. Pure: pods and metrics in,
// a proposal out.
import { parseQuantity, quantityMilliValue } from '../../lib/quantity.js';
import type { Pod } from '../../lib/client/types.js';
import { podCondition } from './pod-helpers.js';

/** A pod's usage of one resource, in milli-units, with when and over what window it was measured. */
export interface PodMetric {
  timestampMs: number;
  windowMs: number;
  value: number;
}

export interface CalculatorOptions {
  /** --horizontal-pod-autoscaler-tolerance (0.1). */
  tolerance: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period (5 min). */
  cpuInitializationPeriodMs: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay (30 s). */
  initialReadinessDelayMs: number;
  now: number;
}

export const defaultCalculatorOptions: Omit<CalculatorOptions, 'now'> = {
  tolerance: 0.1, cpuInitializationPeriodMs: 5 * 60_000, initialReadinessDelayMs: 30_000,
};

export class ReplicaCalcError extends Error {}

export interface PodGroups {
  readyPodCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

/**
 * groupPods: deleted and failed pods are ignored; pending ones count as unready; pods without a
 * metric are missing; for CPU, a pod is unready while it is not Ready (or has no start time),
 * and during its CPU initialization period also until one metric window has passed since it
 * turned Ready; after that period only a pod that never became ready is.
 */
export function groupPods(pods: readonly Pod[], metrics: ReadonlyMap<string, PodMetric>, resource: string, o: CalculatorOptions): PodGroups {
  const g: PodGroups = { readyPodCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    if (pod.metadata?.deletionTimestamp || pod.status?.phase === 'Failed') {
      g.ignored.add(name);
      continue;
    }
    if (pod.status?.phase === 'Pending') {
      g.unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      g.missing.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const ready = podCondition(pod, 'Ready');
      const start = pod.status?.startTime ? Date.parse(pod.status.startTime) : undefined;
      let unready: boolean;
      if (!ready || start === undefined) {
        unready = true;
      } else {
        const transition = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : 0;
        if (start + o.cpuInitializationPeriodMs > o.now) {
          unready = ready.status === 'False' || metric.timestampMs < transition + metric.windowMs;
        } else {
          unready = ready.status === 'False' && start + o.initialReadinessDelayMs > transition;
        }
      }
      if (unready) {
        g.unready.add(name);
        continue;
      }
    }
    g.readyPodCount++;
  }
  return g;
}

/**
 * Each pod's request of the resource (milli-units), summed over its containers (or of the one
 * named `container`, for ContainerResource metrics); a container without one is an error.
 */
export function podRequests(pods: readonly Pod[], resource: string, container = ''): Map<string, number> {
  const out = new Map<string, number>();
  for (const pod of pods) {
    let sum = 0;
    for (const c of pod.spec?.containers ?? []) {
      if (container && c.name !== container) continue;
      const req = (c.resources?.requests as Record<string, string | number> | undefined)?.[resource];
      if (req === undefined || req === null) {
        throw new ReplicaCalcError(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata?.name ?? ''}`);
      }
      sum += Number(quantityMilliValue(parseQuantity(req)));
    }
    out.set(pod.metadata?.name ?? '', sum);
  }
  return out;
}

/** Usage over requests of the pods that have both: the ratio to the target, the whole-percent utilization, the average usage. */
export function utilizationRatio(metrics: ReadonlyMap<string, PodMetric>, requests: ReadonlyMap<string, number>, target: number) {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let entries = 0;
  for (const [name, m] of metrics) {
    const request = requests.get(name);
    // A metric of a pod we do not know the request of is extraneous.
    if (request === undefined) continue;
    metricsTotal += m.value;
    requestsTotal += request;
    entries++;
  }
  if (requestsTotal === 0) throw new ReplicaCalcError('no metrics returned matched known pods');
  // Kubernetes truncates to whole percent before comparing with the target.
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ratio: utilization / target, utilization, rawAverage: Math.trunc(metricsTotal / entries) };
}

/** Plain average usage against a per-pod target (AverageValue). */
export function usageRatio(metrics: ReadonlyMap<string, PodMetric>, target: number) {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const average = Math.trunc(total / metrics.size);
  return { ratio: average / target, average };
}

const within = (ratio: number, tolerance: number) => Math.abs(1 - ratio) <= tolerance;

export interface ResourceProposal {
  replicas: number;
  /** Utilization (whole percent) for Utilization targets. */
  utilization?: number;
  /** Average usage per pod in milli-units. */
  rawAverage: number;
  timestampMs: number;
}

function withoutPods(metrics: ReadonlyMap<string, PodMetric>, ...sets: Array<Set<string>>): Map<string, PodMetric> {
  const out = new Map(metrics);
  for (const s of sets) for (const name of s) out.delete(name);
  return out;
}

/**
 * The second pass when some pods are missing metrics or unready on a scale up: missing pods
 * count as using their request (or the target when that is above 100%) on a scale down and
 * nothing on a scale up, unready pods nothing on a scale up. A result within the tolerance, in
 * the other direction, or moving the other way than the ratio says keeps the current count.
 */
function rebalanced(
  current: number, ratio: number, metrics: Map<string, PodMetric>, g: PodGroups, scaleUpWithUnready: boolean,
  missingValue: (name: string, scaleDown: boolean) => number, recompute: (m: Map<string, PodMetric>) => number, tolerance: number,
): number {
  const filled = new Map(metrics);
  const zero: PodMetric = { timestampMs: 0, windowMs: 0, value: 0 };
  if (g.missing.size > 0) {
    if (ratio < 1) for (const name of g.missing) filled.set(name, { timestampMs: 0, windowMs: 0, value: missingValue(name, true) });
    else if (ratio > 1) for (const name of g.missing) filled.set(name, zero);
  }
  if (scaleUpWithUnready) for (const name of g.unready) filled.set(name, zero);
  const newRatio = recompute(filled);
  if (within(newRatio, tolerance) || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) return current;
  const replicas = Math.ceil(newRatio * filled.size);
  if ((newRatio < 1 && replicas > current) || (newRatio > 1 && replicas < current)) return current;
  return replicas;
}

/** GetResourceReplicas: a Utilization target (percent of request). */
export function resourceReplicas(
  current: number, targetUtilization: number, resource: string, pods: readonly Pod[], podMetrics: ReadonlyMap<string, PodMetric>, o: CalculatorOptions,
  container = '',
): ResourceProposal {
  if (pods.length === 0) throw new ReplicaCalcError('no pods returned by selector while calculating replica count');
  const g = groupPods(pods, podMetrics, resource, o);
  const metrics = withoutPods(podMetrics, g.ignored, g.unready);
  if (metrics.size === 0) throw new ReplicaCalcError('did not receive metrics for targeted pods (pods might be unready)');
  const requests = podRequests(pods, resource, container);
  const { ratio, utilization, rawAverage } = utilizationRatio(metrics, requests, targetUtilization);
  const timestampMs = timestampOf(podMetrics);
  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (within(ratio, o.tolerance)) return { replicas: current, utilization, rawAverage, timestampMs };
    return { replicas: Math.ceil(ratio * g.readyPodCount), utilization, rawAverage, timestampMs };
  }
  const fallback = Math.max(100, targetUtilization);
  const replicas = rebalanced(current, ratio, metrics, g, scaleUpWithUnready,
    (name) => Math.trunc(((requests.get(name) ?? 0) * fallback) / 100),
    (m) => utilizationRatio(m, requests, targetUtilization).ratio, o.tolerance);
  return { replicas, utilization, rawAverage, timestampMs };
}

/** GetRawResourceReplicas: an AverageValue target (milli-units per pod). */
export function rawResourceReplicas(
  current: number, targetAverage: number, resource: string, pods: readonly Pod[], podMetrics: ReadonlyMap<string, PodMetric>, o: CalculatorOptions,
): ResourceProposal {
  if (pods.length === 0) throw new ReplicaCalcError('no pods returned by selector while calculating replica count');
  const g = groupPods(pods, podMetrics, resource, o);
  const metrics = withoutPods(podMetrics, g.ignored, g.unready);
  if (metrics.size === 0) throw new ReplicaCalcError('did not receive metrics for targeted pods (pods might be unready)');
  const { ratio, average } = usageRatio(metrics, targetAverage);
  const timestampMs = timestampOf(podMetrics);
  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (within(ratio, o.tolerance)) return { replicas: current, rawAverage: average, timestampMs };
    return { replicas: Math.ceil(ratio * g.readyPodCount), rawAverage: average, timestampMs };
  }
  const replicas = rebalanced(current, ratio, metrics, g, scaleUpWithUnready, () => targetAverage, (m) => usageRatio(m, targetAverage).ratio, o.tolerance);
  return { replicas, rawAverage: average, timestampMs };
}

/** The metrics client reports the first pod's timestamp for the whole list. */
function timestampOf(metrics: ReadonlyMap<string, PodMetric>): number {
  for (const m of metrics.values()) return m.timestampMs;
  return 0;
}
