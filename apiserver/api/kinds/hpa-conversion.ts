// HorizontalPodAutoscalers are stored as autoscaling/v2 and also served as autoscaling/v1. As in
// Kubernetes, v1 carries targetCPUUtilizationPercentage in the spec and everything else v2 knows
// (other metrics, current metrics, conditions, behavior) in round-trip annotations.
import { clone, type KubeObject } from '../object.js';
import { asObject, num, objects, type JsonObject } from './json.js';

export const metricSpecsAnnotation = 'autoscaling.alpha.kubernetes.io/metrics';
export const metricStatusesAnnotation = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const conditionsAnnotation = 'autoscaling.alpha.kubernetes.io/conditions';
export const behaviorAnnotation = 'autoscaling.alpha.kubernetes.io/behavior';
const roundTripAnnotations = [metricSpecsAnnotation, metricStatusesAnnotation, conditionsAnnotation, behaviorAnnotation];

/** Drops undefined fields so converted objects serialize like Go's omitempty. */
function compact(o: JsonObject): JsonObject {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

const isCPUUtilization = (m: JsonObject) => m.type === 'Resource' && asObject(m.resource)?.name === 'cpu' && num(asObject(asObject(m.resource)?.target)?.averageUtilization) !== undefined;

// ---- metric specs ------------------------------------------------------------------------

function metricSpecToV1(m: JsonObject): JsonObject {
  const out: JsonObject = { type: m.type };
  const target = (src: JsonObject | undefined) => asObject(src?.target) ?? {};
  const metric = (src: JsonObject | undefined) => asObject(src?.metric) ?? {};
  const resource = asObject(m.resource);
  if (resource) out.resource = compact({ name: resource.name, targetAverageUtilization: target(resource).averageUtilization, targetAverageValue: target(resource).averageValue });
  const container = asObject(m.containerResource);
  if (container) {
    out.containerResource = compact({
      name: container.name, targetAverageUtilization: target(container).averageUtilization, targetAverageValue: target(container).averageValue, container: container.container,
    });
  }
  const pods = asObject(m.pods);
  if (pods) out.pods = compact({ metricName: metric(pods).name ?? '', targetAverageValue: target(pods).averageValue ?? '0', selector: metric(pods).selector });
  const object = asObject(m.object);
  if (object) {
    out.object = compact({
      target: object.describedObject, metricName: metric(object).name ?? '', targetValue: target(object).value ?? '0',
      selector: metric(object).selector, averageValue: target(object).averageValue,
    });
  }
  const external = asObject(m.external);
  if (external) {
    out.external = compact({
      metricName: metric(external).name ?? '', metricSelector: metric(external).selector, targetValue: target(external).value, targetAverageValue: target(external).averageValue,
    });
  }
  return out;
}

function metricSpecFromV1(m: JsonObject): JsonObject {
  const out: JsonObject = { type: m.type };
  const resourceTarget = (src: JsonObject) => compact({
    type: src.targetAverageUtilization === undefined || src.targetAverageUtilization === null ? 'AverageValue' : 'Utilization',
    averageUtilization: src.targetAverageUtilization ?? undefined, averageValue: src.targetAverageValue ?? undefined,
  });
  const resource = asObject(m.resource);
  if (resource) out.resource = { name: resource.name, target: resourceTarget(resource) };
  const container = asObject(m.containerResource);
  if (container) out.containerResource = { name: container.name, container: container.container, target: resourceTarget(container) };
  const pods = asObject(m.pods);
  if (pods) out.pods = { metric: compact({ name: pods.metricName, selector: pods.selector }), target: { type: 'AverageValue', averageValue: pods.targetAverageValue } };
  const object = asObject(m.object);
  if (object) {
    out.object = {
      describedObject: object.target, metric: compact({ name: object.metricName, selector: object.selector }),
      target: compact({ type: object.averageValue ? 'AverageValue' : 'Value', value: object.targetValue, averageValue: object.averageValue }),
    };
  }
  const external = asObject(m.external);
  if (external) {
    out.external = {
      metric: compact({ name: external.metricName, selector: external.metricSelector }),
      target: compact({ type: external.targetValue ? 'Value' : 'AverageValue', value: external.targetValue, averageValue: external.targetAverageValue }),
    };
  }
  return out;
}

// ---- metric statuses ---------------------------------------------------------------------

function metricStatusToV1(m: JsonObject): JsonObject {
  const out: JsonObject = { type: m.type };
  const current = (src: JsonObject | undefined) => asObject(src?.current) ?? {};
  const metric = (src: JsonObject | undefined) => asObject(src?.metric) ?? {};
  const resource = asObject(m.resource);
  if (resource) out.resource = compact({ name: resource.name, currentAverageUtilization: current(resource).averageUtilization, currentAverageValue: current(resource).averageValue ?? '0' });
  const container = asObject(m.containerResource);
  if (container) {
    out.containerResource = compact({
      name: container.name, currentAverageUtilization: current(container).averageUtilization, currentAverageValue: current(container).averageValue ?? '0', container: container.container,
    });
  }
  const pods = asObject(m.pods);
  if (pods) out.pods = compact({ metricName: metric(pods).name ?? '', currentAverageValue: current(pods).averageValue ?? '0', selector: metric(pods).selector });
  const object = asObject(m.object);
  if (object) {
    out.object = compact({
      target: object.describedObject, metricName: metric(object).name ?? '', currentValue: current(object).value ?? '0',
      selector: metric(object).selector, averageValue: current(object).averageValue,
    });
  }
  const external = asObject(m.external);
  if (external) {
    out.external = compact({
      metricName: metric(external).name ?? '', metricSelector: metric(external).selector, currentValue: current(external).value ?? '0', currentAverageValue: current(external).averageValue,
    });
  }
  return out;
}

function metricStatusFromV1(m: JsonObject): JsonObject {
  const out: JsonObject = { type: m.type };
  const resourceCurrent = (src: JsonObject) => compact({ averageUtilization: src.currentAverageUtilization ?? undefined, averageValue: src.currentAverageValue ?? undefined });
  const resource = asObject(m.resource);
  if (resource) out.resource = { name: resource.name, current: resourceCurrent(resource) };
  const container = asObject(m.containerResource);
  if (container) out.containerResource = { name: container.name, container: container.container, current: resourceCurrent(container) };
  const pods = asObject(m.pods);
  if (pods) out.pods = { metric: compact({ name: pods.metricName, selector: pods.selector }), current: { averageValue: pods.currentAverageValue } };
  const object = asObject(m.object);
  if (object) {
    out.object = { describedObject: object.target, metric: compact({ name: object.metricName, selector: object.selector }), current: compact({ value: object.currentValue, averageValue: object.averageValue }) };
  }
  const external = asObject(m.external);
  if (external) {
    out.external = { metric: compact({ name: external.metricName, selector: external.metricSelector }), current: compact({ value: external.currentValue, averageValue: external.currentAverageValue }) };
  }
  return out;
}

// ---- behavior (Kubernetes marshals its internal type here: Go field names) ---------------

function rulesToInternal(r: unknown): JsonObject | null {
  const rules = asObject(r);
  if (!rules) return null;
  return {
    StabilizationWindowSeconds: rules.stabilizationWindowSeconds ?? null,
    SelectPolicy: rules.selectPolicy ?? null,
    Policies: objects(rules.policies).map((p) => ({ Type: p.type, Value: p.value, PeriodSeconds: p.periodSeconds })),
  };
}

function rulesFromInternal(r: unknown): JsonObject | undefined {
  const rules = asObject(r);
  if (!rules) return undefined;
  return compact({
    stabilizationWindowSeconds: rules.StabilizationWindowSeconds ?? undefined,
    selectPolicy: rules.SelectPolicy ?? undefined,
    policies: objects(rules.Policies).map((p) => ({ type: p.Type, value: p.Value, periodSeconds: p.PeriodSeconds })),
  });
}

function parseAnnotation(v: string | undefined): unknown {
  if (v === undefined) return undefined;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

// ---- whole objects -----------------------------------------------------------------------

/** An autoscaling/v2 (stored) HPA as autoscaling/v1 shows it. */
export function hpaToV1(stored: KubeObject): KubeObject {
  const obj = clone(stored);
  const spec = asObject(obj.spec) ?? {};
  const status = asObject(obj.status) ?? {};
  const annotations: Record<string, string> = { ...obj.metadata.annotations };
  for (const k of roundTripAnnotations) delete annotations[k];
  const metrics = objects(spec.metrics);
  const other = metrics.filter((m) => !isCPUUtilization(m)).map(metricSpecToV1);
  if (other.length) annotations[metricSpecsAnnotation] = JSON.stringify(other);
  const current = objects(status.currentMetrics);
  if (current.length) annotations[metricStatusesAnnotation] = JSON.stringify(current.map(metricStatusToV1));
  if (spec.behavior) {
    const b = asObject(spec.behavior) ?? {};
    annotations[behaviorAnnotation] = JSON.stringify({ ScaleUp: rulesToInternal(b.scaleUp), ScaleDown: rulesToInternal(b.scaleDown) });
  }
  const conditions = objects(status.conditions);
  if (conditions.length) annotations[conditionsAnnotation] = JSON.stringify(conditions);
  obj.metadata.annotations = Object.keys(annotations).length ? annotations : undefined;
  if (!obj.metadata.annotations) delete obj.metadata.annotations;
  const cpu = metrics.find((m) => m.type === 'Resource' && asObject(m.resource)?.name === 'cpu');
  const cpuStatus = current.find((m) => m.type === 'Resource' && asObject(m.resource)?.name === 'cpu');
  obj.spec = compact({
    scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas ?? 0,
    targetCPUUtilizationPercentage: num(asObject(asObject(cpu?.resource)?.target)?.averageUtilization),
  });
  obj.status = compact({
    observedGeneration: status.observedGeneration, lastScaleTime: status.lastScaleTime,
    currentReplicas: num(status.currentReplicas) ?? 0, desiredReplicas: num(status.desiredReplicas) ?? 0,
    currentCPUUtilizationPercentage: num(asObject(asObject(cpuStatus?.resource)?.current)?.averageUtilization),
  });
  return obj;
}

/** An autoscaling/v1 HPA converted to the stored autoscaling/v2 form. */
export function hpaFromV1(v1: KubeObject): KubeObject {
  const obj = clone(v1);
  const spec = asObject(obj.spec) ?? {};
  const status = asObject(obj.status) ?? {};
  const annotations: Record<string, string> = { ...obj.metadata.annotations };
  const metrics: JsonObject[] = [];
  const pct = num(spec.targetCPUUtilizationPercentage);
  if (pct !== undefined) metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: pct } } });
  metrics.push(...objects(parseAnnotation(annotations[metricSpecsAnnotation])).map(metricSpecFromV1));
  // v1 always had CPU autoscaling at 80% when nothing else was said.
  if (metrics.length === 0) metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } });
  let currentMetrics: JsonObject[] | null = objects(parseAnnotation(annotations[metricStatusesAnnotation])).map(metricStatusFromV1);
  const currentPct = num(status.currentCPUUtilizationPercentage);
  if (currentMetrics.length === 0) {
    currentMetrics = currentPct !== undefined ? [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: currentPct } } }] : null;
  }
  const behavior = asObject(parseAnnotation(annotations[behaviorAnnotation]));
  const conditions = parseAnnotation(annotations[conditionsAnnotation]);
  for (const k of roundTripAnnotations) delete annotations[k];
  obj.metadata.annotations = annotations;
  if (Object.keys(annotations).length === 0) delete obj.metadata.annotations;
  obj.spec = compact({
    scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas, metrics,
    behavior: behavior ? compact({ scaleUp: rulesFromInternal(behavior.ScaleUp), scaleDown: rulesFromInternal(behavior.ScaleDown) }) : undefined,
  });
  obj.status = compact({
    observedGeneration: status.observedGeneration, lastScaleTime: status.lastScaleTime, currentReplicas: status.currentReplicas,
    desiredReplicas: num(status.desiredReplicas) ?? 0, currentMetrics, conditions: Array.isArray(conditions) ? conditions : undefined,
  });
  return obj;
}

