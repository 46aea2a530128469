// ReplicationControllers: the selector and labels default from the template's labels, a map
// selector that must be non-empty and select the template, and the scale view over that map.
import { forbiddenField, invalidValue, notSupported, path, required, type FieldError, type FieldPath } from '../field-errors.js';
import type { KubeObject } from '../object.js';
import type { ScaleDef, Strategy } from '../resource.js';
import { labelsText } from '../table-helpers.js';
import type { TableDef } from '../table.js';
import { fromMapSelector } from '../selectors/labels.js';
import { validateNonnegative } from './container-validation.js';
import { withDecodeErrors } from './decode.js';
import { goStringMap } from './go-format.js';
import { asObject, ensureObject, num, setDefault, str, stringMap, type JsonObject } from './json.js';
import { defaultPodTemplateSpec } from './pod-defaults.js';
import { validatePodTemplateSpec } from './pod-validation.js';
import { replicatedCells, replicatedColumns } from './replicaset.js';

export function defaultReplicationController(obj: KubeObject): void {
  const spec = ensureObject(obj, 'spec');
  const template = asObject(spec.template);
  const labels = stringMap(asObject(template?.metadata)?.labels);
  if (labels) {
    if (Object.keys(stringMap(spec.selector) ?? {}).length === 0) spec.selector = { ...labels };
    if (Object.keys(obj.metadata.labels ?? {}).length === 0) obj.metadata.labels = { ...labels };
  }
  setDefault(spec, 'replicas', 1);
  if (template) defaultPodTemplateSpec(template);
}

export function validateReplicationControllerSpec(spec: JsonObject, p: FieldPath): FieldError[] {
  const errs = validateNonnegative(spec.minReadySeconds, p.child('minReadySeconds'));
  const selector = stringMap(spec.selector) ?? {};
  if (Object.keys(selector).length === 0) errs.push(required(p.child('selector')));
  errs.push(...validateNonnegative(spec.replicas, p.child('replicas')));
  const template = asObject(spec.template);
  const tp = p.child('template');
  if (!template) return [...errs, required(tp)];
  const labels = stringMap(asObject(template.metadata)?.labels);
  if (Object.keys(selector).length > 0 && !fromMapSelector(selector).matches(labels)) {
    errs.push(invalidValue(tp.child('metadata', 'labels'), goStringMap(labels), '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(template, tp));
  const podSpec = asObject(template.spec) ?? {};
  if (str(podSpec.restartPolicy) !== 'Always') errs.push(notSupported(tp.child('spec', 'restartPolicy'), str(podSpec.restartPolicy), ['Always']));
  if (podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    errs.push(forbiddenField(tp.child('spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in ReplicationController is not Supported'));
  }
  return errs;
}

export const replicationControllerStrategy: Strategy = {
  default: (obj) => withDecodeErrors(obj, () => defaultReplicationController(obj)),
  prepareForCreate(obj) {
    obj.status = { replicas: 0 };
  },
  validate: (obj) => validateReplicationControllerSpec(asObject(obj.spec) ?? {}, path('spec')),
};

export const replicationControllerTable: TableDef = {
  columns: replicatedColumns('Selector is a label query over pods that should match the Replicas count.'),
  cells: (o, now) => replicatedCells(o, now, labelsText(stringMap(asObject(o.spec)?.selector))),
};

/** The scale of an RC: its selector is a label map (labels.SelectorFromSet). */
export const replicationControllerScale: ScaleDef = {
  specReplicas: (o) => num(asObject(o.spec)?.replicas) ?? 1,
  setSpecReplicas: (o, n) => {
    ensureObject(o, 'spec').replicas = n;
  },
  statusReplicas: (o) => num(asObject(o.status)?.replicas) ?? 0,
  selector: (o) => {
    const m = stringMap(asObject(o.spec)?.selector) ?? {};
    return Object.keys(m).length ? fromMapSelector(m).toString() : '';
  },
};
