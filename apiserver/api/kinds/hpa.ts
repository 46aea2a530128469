// HorizontalPodAutoscalers (autoscaling/v2 stored, v1 served too): SetDefaults (minReplicas 1,
// CPU at 80% when no metric is given, behavior rules filled in), validation and the
// REFERENCE TARGETS MINPODS MAXPODS REPLICAS printer.
import {
  forbiddenField, invalidEach, invalidValue, notSupported, path, required, type FieldError, type FieldPath,
} from '../field-errors.js';
import type { KubeObject } from '../object.js';
import { formatQuantity, parseQuantity, tryParseQuantity } from '../../../lib/quantity.js';
import type { Strategy, VersionDef } from '../resource.js';
import { ageColumn, since, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';
import { isDNS1123Label, isValidPathSegmentName } from '../validation/names.js';
import { validateContainerResourceName } from './common.js';
import { withDecodeErrors } from './decode.js';
import { hpaFromV1, hpaToV1 } from './hpa-conversion.js';
import { asObject, ensureObject, num, objects, setDefault, str, type JsonObject } from './json.js';

const defaultCPUUtilization = 80;

function fillRules(rules: JsonObject | undefined, defaults: JsonObject): JsonObject {
  if (!rules) return defaults;
  for (const k of ['selectPolicy', 'stabilizationWindowSeconds', 'policies']) setDefault(rules, k, defaults[k]);
  for (const k of Object.keys(rules)) if (rules[k] === null) delete rules[k];
  return rules;
}

function canonicalizeTarget(target: JsonObject | undefined): void {
  if (!target) return;
  for (const k of ['value', 'averageValue']) {
    if (target[k] !== undefined && target[k] !== null) target[k] = formatQuantity(parseQuantity(typeof target[k] === 'number' ? target[k] as number : String(target[k])));
  }
}

export function defaultHPA(obj: KubeObject): void {
  const spec = ensureObject(obj, 'spec');
  setDefault(spec, 'minReplicas', 1);
  if (objects(spec.metrics).length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: defaultCPUUtilization } } }];
  }
  for (const m of objects(spec.metrics)) {
    for (const source of ['resource', 'containerResource', 'pods', 'object', 'external']) canonicalizeTarget(asObject(asObject(m[source])?.target));
  }
  const behavior = asObject(spec.behavior);
  if (behavior) {
    behavior.scaleUp = fillRules(asObject(behavior.scaleUp), {
      stabilizationWindowSeconds: 0, selectPolicy: 'Max',
      policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }],
    });
    behavior.scaleDown = fillRules(asObject(behavior.scaleDown), { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });
  }
}

function validateCrossVersionObjectReference(ref: JsonObject, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['kind', 'name']) {
    const v = str(ref[f]);
    if (!v) errs.push(required(p.child(f)));
    else errs.push(...invalidEach(p.child(f), v, isValidPathSegmentName(v)));
  }
  return errs;
}

const targetTypes = ['Utilization', 'Value', 'AverageValue'];

function validateMetricTarget(t: JsonObject, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(t.type);
  if (!type) errs.push(required(p.child('type'), 'must specify a metric target type'));
  if (!targetTypes.includes(type)) errs.push(invalidValue(p.child('type'), type, 'must be either Utilization, Value, or AverageValue'));
  for (const f of ['value', 'averageValue']) {
    if (t[f] === undefined || t[f] === null) continue;
    const q = tryParseQuantity(t[f]);
    if (!q || q.mantissa <= 0n) errs.push(invalidValue(p.child(f), String(t[f]), 'must be positive'));
  }
  const util = num(t.averageUtilization);
  if (util !== undefined && util < 1) errs.push(invalidValue(p.child('averageUtilization'), util, 'must be greater than 0'));
  return errs;
}

function validateMetricIdentifier(m: JsonObject, p: FieldPath): FieldError[] {
  const name = str(m.name);
  if (!name) return [required(p.child('name'), 'must specify a metric name')];
  return invalidEach(p.child('name'), name, isValidPathSegmentName(name));
}

const sourceChecks: Record<string, (s: JsonObject, p: FieldPath) => FieldError[]> = {
  object: (s, p) => {
    const target = asObject(s.target) ?? {};
    const errs = [
      ...validateCrossVersionObjectReference(asObject(s.describedObject) ?? {}, p.child('describedObject')),
      ...validateMetricIdentifier(asObject(s.metric) ?? {}, p.child('metric')),
      ...validateMetricTarget(target, p.child('target')),
    ];
    if (target.value == null && target.averageValue == null) errs.push(required(p.child('target').child('averageValue'), 'must set either a target value or averageValue'));
    return errs;
  },
  external: (s, p) => {
    const target = asObject(s.target) ?? {};
    const errs = [...validateMetricIdentifier(asObject(s.metric) ?? {}, p.child('metric')), ...validateMetricTarget(target, p.child('target'))];
    if (target.value == null && target.averageValue == null) errs.push(required(p.child('target').child('averageValue'), 'must set either a target value for metric or a per-pod target'));
    if (target.value != null && target.averageValue != null) errs.push(forbiddenField(p.child('target').child('value'), 'may not set both a target value for metric and a per-pod target'));
    return errs;
  },
  pods: (s, p) => {
    const target = asObject(s.target) ?? {};
    const errs = [...validateMetricIdentifier(asObject(s.metric) ?? {}, p.child('metric')), ...validateMetricTarget(target, p.child('target'))];
    if (target.averageValue == null) errs.push(required(p.child('target').child('averageValue'), 'must specify a positive target averageValue'));
    return errs;
  },
  resource: (s, p) => resourceSource(s, p, false),
  containerResource: (s, p) => resourceSource(s, p, true),
};

function resourceSource(s: JsonObject, p: FieldPath, container: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(s.name);
  if (!name) errs.push(required(p.child('name'), 'must specify a resource name'));
  else if (container) errs.push(...validateContainerResourceName(name, p.child('name')));
  if (container) {
    const c = str(s.container);
    if (!c) errs.push(required(p.child('container'), 'must specify a container'));
    else errs.push(...invalidEach(p.child('container'), c, isDNS1123Label(c)));
  }
  const target = asObject(s.target) ?? {};
  errs.push(...validateMetricTarget(target, p.child('target')));
  if (target.averageUtilization == null && target.averageValue == null) errs.push(required(p.child('target').child('averageUtilization'), 'must set either a target raw value or a target utilization'));
  if (target.averageUtilization != null && target.averageValue != null) errs.push(forbiddenField(p.child('target').child('averageValue'), 'may not set both a target raw value and a target utilization'));
  return errs;
}

const metricTypes: Record<string, string> = { Object: 'object', Pods: 'pods', Resource: 'resource', External: 'external', ContainerResource: 'containerResource' };
const metricTypeList = Object.keys(metricTypes).sort();

function validateMetricSpec(m: JsonObject, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(m.type);
  if (!type) errs.push(required(p.child('type'), 'must specify a metric source type'));
  if (!(type in metricTypes)) errs.push(notSupported(p.child('type'), type, metricTypeList));
  const present = ['object', 'external', 'pods', 'resource', 'containerResource'].filter((k) => asObject(m[k]));
  if (present.length > 0) errs.push(...sourceChecks[present[0]](asObject(m[present[0]])!, p.child(present[0])));
  const expected = metricTypes[type];
  if (expected && !asObject(m[expected])) errs.push(required(p.child(expected), 'must populate information for the given metric source'));
  if (!expected) errs.push(notSupported(p.child('type'), type, metricTypeList));
  if (present.length !== 1) for (const k of present.filter((x) => x !== expected)) errs.push(forbiddenField(p.child(k), 'must populate the given metric source only'));
  return errs;
}

const selectPolicies = ['Disabled', 'Max', 'Min'];

function validateScalingRules(rules: JsonObject | undefined, p: FieldPath): FieldError[] {
  if (!rules) return [];
  const errs: FieldError[] = [];
  const window = num(rules.stabilizationWindowSeconds);
  if (window !== undefined && window < 0) errs.push(invalidValue(p.child('stabilizationWindowSeconds'), window, 'must be greater than or equal to zero'));
  if (window !== undefined && window > 3600) errs.push(invalidValue(p.child('stabilizationWindowSeconds'), window, 'must be less than or equal to 3600'));
  if (typeof rules.selectPolicy === 'string' && !selectPolicies.includes(rules.selectPolicy)) errs.push(notSupported(p.child('selectPolicy'), rules.selectPolicy, selectPolicies));
  const policies = objects(rules.policies);
  if (policies.length === 0) errs.push(required(p.child('policies'), 'must specify at least one Policy'));
  policies.forEach((policy, i) => {
    const pp = p.child('policies').index(i);
    if (policy.type !== 'Pods' && policy.type !== 'Percent') errs.push(notSupported(pp.child('type'), str(policy.type), ['Percent', 'Pods']));
    const value = num(policy.value) ?? 0;
    if (value <= 0) errs.push(invalidValue(pp.child('value'), value, 'must be greater than zero'));
    const period = num(policy.periodSeconds) ?? 0;
    if (period <= 0) errs.push(invalidValue(pp.child('periodSeconds'), period, 'must be greater than zero'));
    if (period > 1800) errs.push(invalidValue(pp.child('periodSeconds'), period, 'must be less than or equal to 1800'));
  });
  return errs;
}

export function validateHPASpec(spec: JsonObject, p: FieldPath, minReplicasLowerBound = 1): FieldError[] {
  const errs: FieldError[] = [];
  const min = num(spec.minReplicas);
  const max = num(spec.maxReplicas) ?? 0;
  if (min !== undefined && min < minReplicasLowerBound) errs.push(invalidValue(p.child('minReplicas'), min, `must be greater than or equal to ${minReplicasLowerBound}`));
  if (max < 1) errs.push(invalidValue(p.child('maxReplicas'), max, 'must be greater than 0'));
  if (min !== undefined && max < min) errs.push(invalidValue(p.child('maxReplicas'), max, 'must be greater than or equal to `minReplicas`'));
  errs.push(...validateCrossVersionObjectReference(asObject(spec.scaleTargetRef) ?? {}, p.child('scaleTargetRef')));
  const metrics = objects(spec.metrics);
  metrics.forEach((m, i) => errs.push(...validateMetricSpec(m, p.child('metrics').index(i))));
  if (min === 0 && !metrics.some((m) => m.type === 'Object' || m.type === 'External')) {
    errs.push(forbiddenField(p.child('metrics'), 'must specify at least one Object or External metric to support scaling to zero replicas'));
  }
  const behavior = asObject(spec.behavior);
  if (behavior) {
    errs.push(...validateScalingRules(asObject(behavior.scaleUp), p.child('behavior', 'scaleUp')));
    errs.push(...validateScalingRules(asObject(behavior.scaleDown), p.child('behavior', 'scaleDown')));
  }
  return errs;
}

export const hpaStrategy: Strategy = {
  default: (obj) => withDecodeErrors(obj, () => defaultHPA(obj)),
  prepareForCreate(obj) {
    obj.status = { currentMetrics: null, desiredReplicas: 0 };
  },
  validate: (obj) => validateHPASpec(asObject(obj.spec) ?? {}, path('spec')),
  // An HPA already at minReplicas 0 keeps the lower bound it was created with.
  validateUpdate: (obj, old) => validateHPASpec(asObject(obj.spec) ?? {}, path('spec'), num(asObject(old.spec)?.minReplicas) === 0 ? 0 : 1),
};

export const hpaStatusStrategy: Strategy = {
  validateUpdate(obj) {
    const status = asObject(obj.status) ?? {};
    const errs: FieldError[] = [];
    for (const f of ['currentReplicas', 'desiredReplicas']) {
      const v = num(status[f]);
      if (v !== undefined && v < 0) errs.push(invalidValue(path('status', f), v, 'must be greater than or equal to 0'));
    }
    return errs;
  },
};

/** The served versions: v2 (stored) and v1 through the annotation round trip. */
export const hpaVersions: VersionDef[] = [{ name: 'v2' }, { name: 'v1', toStorage: hpaFromV1, fromStorage: hpaToV1 }];

/** formatHPAMetrics: "cpu: 40%/80%", "<unknown>" before the first status, "+ N more...". */
export function formatHPAMetrics(specs: JsonObject[], statuses: JsonObject[]): string {
  if (specs.length === 0) return '<none>';
  const list = specs.map((spec, i) => {
    const st = statuses[i];
    const value = (src: string, field: string) => {
      const s = asObject(st?.[src]);
      if (!s) return '<unknown>';
      const v = asObject(s.current)?.[field];
      return v === undefined || v === null ? '<unknown>' : String(v);
    };
    const target = (src: string) => asObject(asObject(spec[src])?.target) ?? {};
    switch (spec.type) {
      case 'External': case 'Object': {
        const key = spec.type === 'External' ? 'external' : 'object';
        const t = target(key);
        if (t.averageValue != null) return `${value(key, 'averageValue')}/${t.averageValue} (avg)`;
        return `${value(key, 'value')}/${t.value ?? '0'}`;
      }
      case 'Pods':
        return `${value('pods', 'averageValue')}/${target('pods').averageValue ?? '0'}`;
      case 'Resource': case 'ContainerResource': {
        const key = spec.type === 'Resource' ? 'resource' : 'containerResource';
        const name = str(asObject(spec[key])?.name);
        const t = target(key);
        if (t.averageValue != null) return `${name}: ${value(key, 'averageValue')}/${t.averageValue}`;
        const util = asObject(asObject(st?.[key])?.current)?.averageUtilization;
        const current = typeof util === 'number' ? `${util}%` : '<unknown>';
        return `${name}: ${current}/${typeof t.averageUtilization === 'number' ? `${t.averageUtilization}%` : '<auto>'}`;
      }
      default:
        return '<unknown type>';
    }
  });
  if (list.length > 2) return `${list.slice(0, 2).join(', ')} + ${list.length - 2} more...`;
  return list.join(', ');
}

export const hpaTable: TableDef = {
  columns: [
    col('Reference', 'scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.'),
    col('Targets', 'metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).'),
    col('MinPods', 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.'),
    col('MaxPods', 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.'),
    col('Replicas', 'currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.'),
    ageColumn,
  ],
  cells(o, now) {
    const spec = asObject(o.spec) ?? {};
    const status = asObject(o.status) ?? {};
    const ref = asObject(spec.scaleTargetRef) ?? {};
    const min = num(spec.minReplicas);
    return [
      `${str(ref.kind)}/${str(ref.name)}`, formatHPAMetrics(objects(spec.metrics), objects(status.currentMetrics)),
      min === undefined ? '<unset>' : String(min), num(spec.maxReplicas) ?? 0, num(status.currentReplicas) ?? 0, since(o.metadata.creationTimestamp, now),
    ];
  },
};
