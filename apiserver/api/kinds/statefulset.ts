// StatefulSets: SetDefaults_StatefulSet (claim templates included), ValidateStatefulSetSpec,
// the update rule that only replicas, ordinals, template, updateStrategy, revisionHistoryLimit,
// the PVC retention policy and minReadySeconds may change, and the READY printer.
import { forbiddenField, invalidValue, notSupported, path, required, type FieldError, type FieldPath } from '../field-errors.js';
import type { KubeObject } from '../object.js';
import type { Strategy } from '../resource.js';
import { ageColumn, since, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';
import { validateAnnotations, validateLabels } from '../validation/meta.js';
import { validateNonnegative } from './container-validation.js';
import { withDecodeErrors } from './decode.js';
import { goLabelSelector, goStruct } from './go-format.js';
import { asObject, ensureObject, num, objects, setDefault, setDefaultString, str, stringMap, type JsonObject } from './json.js';
import { defaultPodTemplateSpec, defaultPVCSpec } from './pod-defaults.js';
import { validatePodAnnotations } from './pod-validation.js';
import { semanticEqual } from './semantic.js';
import { containerCells, containersColumn, imagesColumn } from './template-cells.js';
import {
  compileSelector, validateAlwaysRestartNoDeadline, validateSelectorMatchesTemplate, validateSpecSelector,
} from './workload-validation.js';

/** A PersistentVolumeClaim as an object template: its struct fields serialize even when empty. */
export function defaultClaimTemplate(claim: JsonObject): void {
  const meta = ensureObject(claim, 'metadata');
  if (!('creationTimestamp' in meta)) meta.creationTimestamp = null;
  defaultPVCSpec(ensureObject(claim, 'spec'));
  setDefaultString(ensureObject(claim, 'status'), 'phase', 'Pending');
}

export function defaultStatefulSet(obj: KubeObject): void {
  const spec = ensureObject(obj, 'spec');
  setDefaultString(spec, 'podManagementPolicy', 'OrderedReady');
  const update = ensureObject(spec, 'updateStrategy');
  if (!update.type) {
    update.type = 'RollingUpdate';
    setDefault(update, 'rollingUpdate', {});
  }
  const rolling = asObject(update.rollingUpdate);
  if (update.type === 'RollingUpdate' && rolling) setDefault(rolling, 'partition', 0);
  const retention = ensureObject(spec, 'persistentVolumeClaimRetentionPolicy');
  setDefaultString(retention, 'whenDeleted', 'Retain');
  setDefaultString(retention, 'whenScaled', 'Retain');
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplateSpec(ensureObject(spec, 'template'));
  for (const claim of objects(spec.volumeClaimTemplates)) defaultClaimTemplate(claim);
}

const retentionTypes = ['Retain', 'Delete'];

function validateUpdateStrategy(update: JsonObject, p: FieldPath): FieldError[] {
  const rolling = asObject(update.rollingUpdate);
  switch (update.type) {
    case undefined: case null: case '':
      return [required(p)];
    case 'OnDelete':
      return rolling ? [invalidValue(p.child('rollingUpdate'), goStruct('apps.RollingUpdateStatefulSetStrategy', rolling), "only allowed for updateStrategy 'RollingUpdate'")] : [];
    case 'RollingUpdate': {
      if (!rolling) return [];
      return validateNonnegative(rolling.partition, p.child('rollingUpdate').child('partition'));
    }
    default:
      return [invalidValue(p, goStruct('apps.StatefulSetUpdateStrategy', update), "must be 'RollingUpdate' or 'OnDelete'")];
  }
}

export function validateStatefulSetSpec(spec: JsonObject, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const policy = spec.podManagementPolicy;
  if (!policy) errs.push(required(p.child('podManagementPolicy')));
  else if (policy !== 'OrderedReady' && policy !== 'Parallel') errs.push(invalidValue(p.child('podManagementPolicy'), str(policy), "must be 'OrderedReady' or 'Parallel'"));
  errs.push(...validateUpdateStrategy(asObject(spec.updateStrategy) ?? {}, p.child('updateStrategy')));
  const retention = asObject(spec.persistentVolumeClaimRetentionPolicy);
  if (retention) {
    for (const f of ['whenDeleted', 'whenScaled']) {
      if (!retentionTypes.includes(str(retention[f]))) errs.push(notSupported(p.child('persistentVolumeClaimRetentionPolicy', f), str(retention[f]), retentionTypes));
    }
  }
  errs.push(...validateNonnegative(spec.replicas, p.child('replicas')));
  errs.push(...validateNonnegative(spec.minReadySeconds, p.child('minReadySeconds')));
  const ordinals = asObject(spec.ordinals);
  if (ordinals) errs.push(...validateNonnegative(ordinals.start, p.child('ordinals.start')));
  errs.push(...validateSpecSelector(spec.selector, p.child('selector'), 'statefulset'));
  const selector = compileSelector(spec.selector);
  const template = asObject(spec.template) ?? {};
  const tp = p.child('template');
  if (!selector) errs.push(invalidValue(p.child('selector'), goLabelSelector(spec.selector), ''));
  else {
    // StatefulSets check only the template's metadata: their volumes come partly from claim templates.
    const meta = asObject(template.metadata) ?? {};
    errs.push(...validateSelectorMatchesTemplate(selector, template, tp));
    errs.push(...validateLabels(stringMap(meta.labels), tp.child('labels')));
    errs.push(...validateAnnotations(stringMap(meta.annotations), tp.child('annotations')));
    errs.push(...validatePodAnnotations(stringMap(meta.annotations), asObject(template.spec) ?? {}, tp.child('annotations')));
  }
  errs.push(...validateAlwaysRestartNoDeadline(template, tp, 'StatefulSet'));
  return errs;
}

const mutableSpecFields = ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

export function validateStatefulSetUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const spec = asObject(obj.spec) ?? {};
  const oldSpec = asObject(old.spec) ?? {};
  const errs = validateStatefulSetSpec(spec, path('spec'));
  const rest = (s: JsonObject) => Object.fromEntries(Object.entries(s).filter(([k]) => !mutableSpecFields.includes(k)));
  if (!semanticEqual(rest(spec), rest(oldSpec))) {
    errs.push(forbiddenField(path('spec'), "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
  }
  return errs;
}

/** MaxUnavailableStatefulSet is alpha (off) in 1.32: the field is dropped. */
function dropDisabledFields(obj: KubeObject): void {
  const rolling = asObject(asObject(asObject(obj.spec)?.updateStrategy)?.rollingUpdate);
  if (rolling) delete rolling.maxUnavailable;
}

export const statefulSetStrategy: Strategy = {
  default: (obj) => withDecodeErrors(obj, () => defaultStatefulSet(obj)),
  prepareForCreate(obj) {
    dropDisabledFields(obj);
    obj.status = { replicas: 0, availableReplicas: 0 };
  },
  prepareForUpdate: (obj) => dropDisabledFields(obj),
  validate: (obj) => validateStatefulSetSpec(asObject(obj.spec) ?? {}, path('spec')),
  validateUpdate: validateStatefulSetUpdate,
};

export const statefulSetTable: TableDef = {
  columns: [col('Ready', 'Number of the pod with ready state'), ageColumn, containersColumn, imagesColumn],
  cells(o, now) {
    const spec = asObject(o.spec) ?? {};
    const [names, images] = containerCells(spec.template);
    return [`${num(asObject(o.status)?.readyReplicas) ?? 0}/${num(spec.replicas) ?? 0}`, since(o.metadata.creationTimestamp, now), names, images];
  },
};
