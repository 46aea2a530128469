// One HPA sync (horizontal.go's reconcileAutoscaler, reimplemented): read the target's scale,
// compute a proposal per metric, take the highest, stabilize and bound it (hpa-behavior.ts),
// write the new scale, and report it all in status, conditions and events as
// kube-controller-manager does. I/O goes through HpaDeps so tests can drive it directly.
import { formatQuantity, parseQuantity, quantityMilliValue } from '../../lib/quantity.js';
import { rfc3339, type Pod } from '../../lib/client/types.js';
import { parseLabelSelector, type LabelSelector } from '../api/selectors/labels.js';
import {
  newHistory, normalizeLegacy, normalizeWithBehavior, recordScale, type Behavior, type HpaHistory, type Normalized,
} from './hpa-behavior.js';
import { rawResourceReplicas, resourceReplicas, defaultCalculatorOptions, type CalculatorOptions, type PodMetric } from './hpa-replicas.js';
import type { Scale } from './hpa-sources.js';

export interface HpaCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface MetricTarget {
  type?: string;
  averageUtilization?: number;
  averageValue?: string;
  value?: string;
}

export interface MetricSpec {
  type?: string;
  resource?: { name?: string; target?: MetricTarget };
  containerResource?: { name?: string; container?: string; target?: MetricTarget };
  [k: string]: unknown;
}

export interface Hpa {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; [k: string]: unknown };
  spec?: {
    scaleTargetRef?: { apiVersion?: string; kind?: string; name?: string };
    minReplicas?: number;
    maxReplicas?: number;
    metrics?: MetricSpec[];
    behavior?: Behavior;
  };
  status?: HpaStatus;
}

export interface HpaStatus {
  currentReplicas?: number;
  desiredReplicas?: number;
  lastScaleTime?: string;
  currentMetrics?: unknown[] | null;
  conditions?: HpaCondition[];
}

export interface HpaDeps {
  getScale(namespace: string, ref: NonNullable<NonNullable<Hpa['spec']>['scaleTargetRef']>): Promise<Scale & { path: string }>;
  updateScale(scale: Scale & { path: string }, replicas: number): Promise<void>;
  podMetrics(namespace: string, selector: string, resource: string, container: string): Promise<Map<string, PodMetric>>;
  pods(namespace: string, selector: LabelSelector): Pod[];
  event(hpa: Hpa, type: 'Normal' | 'Warning', reason: string, message: string): void;
  updateStatus(hpa: Hpa, status: HpaStatus): Promise<void>;
  now(): number;
}

/** SetCondition: replaces the condition of that type, keeping its transition time when the status is unchanged. */
export function setCondition(status: HpaStatus, type: string, s: 'True' | 'False', reason: string, message: string, now: number): void {
  const conditions = status.conditions ?? [];
  const existing = conditions.find((c) => c.type === type);
  const lastTransitionTime = existing && existing.status === s ? existing.lastTransitionTime : rfc3339(now);
  const next = { type, status: s, lastTransitionTime, reason, message };
  status.conditions = existing ? conditions.map((c) => (c === existing ? next : c)) : [...conditions, next];
}

class MetricError extends Error {
  constructor(message: string, readonly condition: { reason: string; message: string }) {
    super(message);
  }
}

interface Proposal {
  replicas: number;
  name: string;
  status: unknown;
}

export class HpaReconciler {
  private readonly histories = new Map<string, HpaHistory>();

  constructor(private readonly deps: HpaDeps, private readonly calc: Omit<CalculatorOptions, 'now'> = defaultCalculatorOptions) {}

  forget(key: string): void {
    this.histories.delete(key);
  }

  private history(key: string): HpaHistory {
    let h = this.histories.get(key);
    if (!h) this.histories.set(key, (h = newHistory()));
    return h;
  }

  /**
   * One Resource (or, for one container, ContainerResource) metric's proposal and status, or a
   * MetricError with its ScalingActive condition.
   */
  private async resourceProposal(hpa: Hpa, spec: MetricSpec, specReplicas: number, selector: string, pods: Pod[]): Promise<Proposal> {
    const perContainer = spec.type === 'ContainerResource';
    const source = (perContainer ? spec.containerResource : spec.resource) ?? {};
    const name = source.name ?? '';
    const container = perContainer ? spec.containerResource?.container ?? '' : '';
    const target = source.target ?? {};
    const kind = perContainer ? 'container resource' : 'resource';
    const reason = perContainer ? 'FailedGetContainerResourceMetric' : 'FailedGetResourceMetric';
    const status = (current: object) => (perContainer
      ? { type: 'ContainerResource', containerResource: { name, container, current } }
      : { type: 'Resource', resource: { name, current } });
    const fail = (err: Error, what: string): never => {
      const inner = `failed to get ${name} ${what}: ${err.message}`;
      this.deps.event(hpa, 'Warning', reason, inner);
      throw new MetricError(`failed to get ${name} ${kind} metric value: ${inner}`, {
        reason, message: `the HPA was unable to compute the replica count: ${inner}`,
      });
    };
    const opts = { ...this.calc, now: this.deps.now() };
    const metrics = async () => {
      try {
        return await this.deps.podMetrics(hpa.metadata?.namespace ?? '', selector, name, container);
      } catch (err) {
        throw new Error(`unable to get metrics for resource ${name}: ${(err as Error).message}`);
      }
    };
    if (target.averageValue !== undefined && target.averageValue !== null) {
      let proposal;
      try {
        proposal = rawResourceReplicas(specReplicas, milli(target.averageValue), name, pods, await metrics(), opts);
      } catch (err) {
        return fail(err as Error, 'usage');
      }
      return { replicas: proposal.replicas, name: `${name} ${kind}`, status: status({ averageValue: milliQuantity(proposal.rawAverage) }) };
    }
    if (target.averageUtilization === undefined || target.averageUtilization === null) {
      const err = new Error('invalid resource metric source: neither an average utilization target nor an average value (usage) target was set');
      return fail(err, 'utilization');
    }
    let proposal;
    try {
      proposal = resourceReplicas(specReplicas, target.averageUtilization, name, pods, await metrics(), opts, container);
    } catch (err) {
      return fail(err as Error, 'utilization');
    }
    return {
      replicas: proposal.replicas, name: `${name} ${kind} utilization (percentage of request)`,
      status: status({ averageValue: milliQuantity(proposal.rawAverage), averageUtilization: proposal.utilization }),
    };
  }

  /**
   * Pods, Object and External metrics come from custom.metrics.k8s.io and
   * external.metrics.k8s.io, which nothing serves here: they fail as on a cluster without an
   * adapter.
   */
  private unsupported(hpa: Hpa, spec: MetricSpec): MetricError {
    const api = spec.type === 'External' ? 'external' : 'custom';
    const reasons: Record<string, string> = { Pods: 'FailedGetPodsMetric', Object: 'FailedGetObjectMetric', External: 'FailedGetExternalMetric' };
    const reason = reasons[spec.type ?? ''];
    if (!reason) {
      const message = `unknown metric source type "${spec.type}"`;
      return new MetricError(message, { reason: 'InvalidMetricSourceType', message: `the HPA was unable to compute the replica count: ${message}` });
    }
    const metric = ((spec[spec.type === 'Pods' ? 'pods' : spec.type === 'Object' ? 'object' : 'external'] as { metric?: { name?: string } } | undefined)?.metric?.name) ?? '';
    const inner = `unable to get ${api === 'external' ? 'external ' : ''}metric ${metric}: unable to fetch metrics from ${api} metrics API: no ${api} metrics API (${api}.metrics.k8s.io) registered`;
    this.deps.event(hpa, 'Warning', reason, inner);
    return new MetricError(`failed to get ${spec.type === 'Pods' ? 'pods' : spec.type === 'Object' ? 'object' : 'external'} metric value: ${inner}`, {
      reason, message: `the HPA was unable to compute the replica count: ${inner}`,
    });
  }

  /** computeReplicasForMetrics: the highest proposal; -1 when none is usable (or some fail and the rest would scale down). */
  private async computeReplicas(hpa: Hpa, status: HpaStatus, scale: Scale, now: number): Promise<{ replicas: number; metric: string; statuses: unknown[]; error?: string }> {
    const specs = hpa.spec?.metrics ?? [];
    const selectorText = scale.status?.selector ?? '';
    if (!selectorText) {
      this.deps.event(hpa, 'Warning', 'SelectorRequired', 'selector is required');
      setCondition(status, 'ScalingActive', 'False', 'InvalidSelector', 'the HPA target\'s scale is missing a selector', now);
      return { replicas: -1, metric: '', statuses: [], error: 'selector is required' };
    }
    let selector: LabelSelector;
    try {
      selector = parseLabelSelector(selectorText);
    } catch (err) {
      this.deps.event(hpa, 'Warning', 'InvalidSelector', `couldn't convert selector into a corresponding internal selector object: ${(err as Error).message}`);
      setCondition(status, 'ScalingActive', 'False', 'InvalidSelector', 'the HPA target\'s scale has an invalid selector', now);
      return { replicas: -1, metric: '', statuses: [], error: (err as Error).message };
    }
    const pods = this.deps.pods(hpa.metadata?.namespace ?? '', selector);
    const specReplicas = scale.spec?.replicas ?? 0;
    const statuses: unknown[] = specs.map(() => ({ type: '' }));
    let replicas = 0;
    let metric = '';
    let invalid = 0;
    let first: MetricError | undefined;
    for (const [i, spec] of specs.entries()) {
      try {
        if (spec.type !== 'Resource' && spec.type !== 'ContainerResource') throw this.unsupported(hpa, spec);
        const p = await this.resourceProposal(hpa, spec, specReplicas, selectorText, pods);
        statuses[i] = p.status;
        if (replicas === 0 || p.replicas > replicas) {
          replicas = p.replicas;
          metric = p.name;
        }
      } catch (err) {
        if (!(err instanceof MetricError)) throw err;
        first ??= err;
        invalid++;
      }
    }
    const error = first && `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${first.message}`;
    if (first && (invalid >= specs.length || replicas < specReplicas)) {
      setCondition(status, 'ScalingActive', 'False', first.condition.reason, first.condition.message, now);
      return { replicas: -1, metric: '', statuses, error };
    }
    setCondition(status, 'ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${metric}`, now);
    return { replicas, metric, statuses, error };
  }

  async reconcile(key: string, hpa: Hpa): Promise<void> {
    const now = this.deps.now();
    const status: HpaStatus = structuredClone(hpa.status ?? {});
    const spec = hpa.spec ?? {};
    const ref = spec.scaleTargetRef ?? {};
    const minReplicas = spec.minReplicas ?? 1;
    const maxReplicas = spec.maxReplicas ?? 0;
    const write = () => (sameStatus(hpa.status, status) ? Promise.resolve() : this.deps.updateStatus(hpa, status));

    let scale: Scale & { path: string };
    try {
      scale = await this.deps.getScale(hpa.metadata?.namespace ?? '', ref);
    } catch (err) {
      const message = (err as Error).message;
      this.deps.event(hpa, 'Warning', 'FailedGetScale', message);
      setCondition(status, 'AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${message}`, now);
      await write();
      return;
    }
    setCondition(status, 'AbleToScale', 'True', 'SucceededGetScale', 'the HPA controller was able to get the target\'s current scale', now);
    const current = scale.spec?.replicas ?? 0;
    const history = this.history(key);
    if (history.recommendations.length === 0) history.recommendations.push({ replicas: current, timestampMs: now });

    let desired = 0;
    let reason = '';
    let statuses: unknown[] = [];
    let rescale = true;
    if (current === 0 && minReplicas !== 0) {
      setCondition(status, 'ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero', now);
      rescale = false;
    } else if (current > maxReplicas) {
      reason = 'Current number of replicas above Spec.MaxReplicas';
      desired = maxReplicas;
    } else if (current < minReplicas) {
      reason = 'Current number of replicas below Spec.MinReplicas';
      desired = minReplicas;
    } else {
      const computed = await this.computeReplicas(hpa, status, scale, now);
      statuses = computed.statuses;
      if (computed.replicas === -1) {
        status.currentReplicas = current;
        status.currentMetrics = statuses.length ? statuses : null;
        await write();
        if (computed.error) this.deps.event(hpa, 'Warning', 'FailedComputeMetricsReplicas', computed.error);
        return;
      }
      desired = computed.replicas;
      if (desired > current) reason = `${computed.metric} above target`;
      if (desired < current) reason = 'All metrics below target';
      const n: Normalized = spec.behavior
        ? normalizeWithBehavior(history, now, spec.behavior, current, desired, minReplicas, maxReplicas)
        : normalizeLegacy(history, now, current, desired, minReplicas, maxReplicas);
      setCondition(status, 'AbleToScale', 'True', n.ableToScale.reason, n.ableToScale.message, now);
      setCondition(status, 'ScalingLimited', n.scalingLimited.status, n.scalingLimited.reason, n.scalingLimited.message, now);
      desired = n.replicas;
      rescale = desired !== current;
    }

    if (rescale) {
      try {
        await this.deps.updateScale(scale, desired);
      } catch (err) {
        const message = (err as Error).message;
        setCondition(status, 'AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${message}`, now);
        this.deps.event(hpa, 'Warning', 'FailedRescale', `New size: ${desired}; reason: ${reason}; error: ${message}`);
        status.currentReplicas = current;
        status.currentMetrics = statuses.length ? statuses : null;
        await write();
        return;
      }
      setCondition(status, 'AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`, now);
      this.deps.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`);
      recordScale(history, spec.behavior, current, desired, now);
      status.lastScaleTime = rfc3339(now);
    } else {
      desired = current;
    }
    status.currentReplicas = current;
    status.desiredReplicas = desired;
    status.currentMetrics = statuses.length ? statuses : null;
    await write();
  }
}

const milli = (q: string) => Number(quantityMilliValue(parseQuantity(q)));

/** resource.NewMilliQuantity(v, DecimalSI) as text. */
const milliQuantity = (v: number) => formatQuantity({ mantissa: BigInt(Math.trunc(v)), exponent: -3, format: 'DecimalSI' });

function sameStatus(a: HpaStatus | undefined, b: HpaStatus): boolean {
  return JSON.stringify(a ?? {}) === JSON.stringify(b);
}
