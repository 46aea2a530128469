// ReplicaSets (apps/v1): replicas defaulted to 1, ValidateReplicaSetSpec, an immutable selector,
// the DESIRED CURRENT READY printer and the status.replicas field selector.
import { invalidValue, path, type FieldError, type FieldPath } from '../field-errors.js';
import type { KubeObject } from '../object.js';
import type { Strategy } from '../resource.js';
import { ageColumn, since, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';
import { validateNonnegative } from './container-validation.js';
import { withDecodeErrors } from './decode.js';
import { goLabelSelector } from './go-format.js';
import { asObject, ensureObject, num, setDefault, type JsonObject } from './json.js';
import { defaultPodTemplateSpec } from './pod-defaults.js';
import { containerCells, containersColumn, imagesColumn } from './template-cells.js';
import {
  compileSelector, formatLabelSelector, validateImmutableSelector, validateReplicatedTemplate, validateSpecSelector,
} from './workload-validation.js';

export function defaultReplicaSet(obj: KubeObject): void {
  const spec = ensureObject(obj, 'spec');
  setDefault(spec, 'replicas', 1);
  defaultPodTemplateSpec(ensureObject(spec, 'template'));
}

export function validateReplicaSetSpec(spec: JsonObject, p: FieldPath): FieldError[] {
  const errs = [...validateNonnegative(spec.replicas, p.child('replicas')), ...validateNonnegative(spec.minReadySeconds, p.child('minReadySeconds'))];
  // Kubernetes' message says "deployment" here too.
  errs.push(...validateSpecSelector(spec.selector, p.child('selector'), 'deployment'));
  const selector = compileSelector(spec.selector);
  if (!selector) errs.push(invalidValue(p.child('selector'), goLabelSelector(spec.selector), 'invalid label selector'));
  else errs.push(...validateReplicatedTemplate(asObject(spec.template), selector, p.child('template'), 'ReplicaSet'));
  return errs;
}

export const replicaSetStrategy: Strategy = {
  default: (obj) => withDecodeErrors(obj, () => defaultReplicaSet(obj)),
  prepareForCreate(obj) {
    obj.status = { replicas: 0 };
  },
  validate: (obj) => validateReplicaSetSpec(asObject(obj.spec) ?? {}, path('spec')),
  validateUpdate: (obj, old) => [
    ...validateReplicaSetSpec(asObject(obj.spec) ?? {}, path('spec')),
    ...validateImmutableSelector(asObject(obj.spec)?.selector, asObject(old.spec)?.selector, path('spec', 'selector')),
  ],
};

/** DESIRED CURRENT READY, shared by ReplicaSets and ReplicationControllers. */
export function replicatedColumns(selectorDoc: string): TableDef['columns'] {
  return [
    col('Desired', 'Replicas is the number of desired replicas.', 0, 'integer'),
    col('Current', 'Replicas is the most recently observed number of replicas.', 0, 'integer'),
    col('Ready', 'The number of ready replicas for this replica set.', 0, 'integer'),
    ageColumn, containersColumn, imagesColumn, col('Selector', selectorDoc, 1),
  ];
}

export function replicatedCells(o: KubeObject, now: number, selectorText: string): ReturnType<TableDef['cells']> {
  const spec = asObject(o.spec) ?? {};
  const status = asObject(o.status) ?? {};
  const [names, images] = containerCells(spec.template);
  return [num(spec.replicas) ?? 0, num(status.replicas) ?? 0, num(status.readyReplicas) ?? 0, since(o.metadata.creationTimestamp, now), names, images, selectorText];
}

export const replicaSetTable: TableDef = {
  columns: replicatedColumns('Selector is a label query over pods that should match the replica count.'),
  cells: (o, now) => replicatedCells(o, now, formatLabelSelector(asObject(o.spec)?.selector)),
};

export const statusReplicasSelector = { 'status.replicas': (o: KubeObject) => String(num(asObject(o.status)?.replicas) ?? 0) };
