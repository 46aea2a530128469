// PriorityClasses: PreemptLowerPriority by default; user classes stay below one billion and
// "system-" names are reserved for the two built-in classes; value and policy are immutable.
import { forbiddenField, notSupported, path, type FieldError } from '../field-errors.js';
import type { KubeObject } from '../object.js';
import type { Strategy } from '../resource.js';
import { age, ageColumn, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';
import { immutable } from './common.js';

export type PriorityClass = KubeObject & { value?: number; globalDefault?: boolean; preemptionPolicy?: string; description?: string };

export const highestUserDefinablePriority = 1000000000;
const systemClasses: Record<string, number> = { 'system-node-critical': 2000001000, 'system-cluster-critical': 2000000000 };
const preemptionPolicies = ['Never', 'PreemptLowerPriority'];

/** Why a "system-" class is not one of the known ones, or undefined when it is. */
function systemClassError(pc: PriorityClass): string | undefined {
  const name = pc.metadata.name ?? '';
  const value = systemClasses[name];
  if (value === undefined) return `${name} is not a known system priority class`;
  if (pc.value !== value) return `value of ${name} PriorityClass must be ${value}`;
  if (pc.globalDefault) return `globalDefault of ${name} PriorityClass must be false`;
  return undefined;
}

function validatePriorityClass(pc: PriorityClass): FieldError[] {
  const errs: FieldError[] = [];
  if ((pc.metadata.name ?? '').startsWith('system-')) {
    const why = systemClassError(pc);
    if (why) errs.push(forbiddenField(path('metadata', 'name'), `priority class names with 'system-' prefix are reserved for system use only. error: ${why}`));
  } else if ((pc.value ?? 0) > highestUserDefinablePriority) {
    errs.push(forbiddenField(path('value'), `maximum allowed value of a user defined priority is ${highestUserDefinablePriority}`));
  }
  if (pc.preemptionPolicy != null && !preemptionPolicies.includes(pc.preemptionPolicy)) {
    errs.push(notSupported(path('preemptionPolicy'), pc.preemptionPolicy, preemptionPolicies));
  }
  return errs;
}

export const priorityClassStrategy: Strategy = {
  default(obj) {
    (obj as PriorityClass).preemptionPolicy ??= 'PreemptLowerPriority';
  },
  validate: (obj) => validatePriorityClass(obj as PriorityClass),
  validateUpdate(obj, old) {
    const pc = obj as PriorityClass;
    const errs: FieldError[] = [];
    if (pc.value !== (old as PriorityClass).value) errs.push(forbiddenField(path('value'), 'may not be changed in an update.'));
    errs.push(...immutable(pc.preemptionPolicy, (old as PriorityClass).preemptionPolicy, path('preemptionPolicy')));
    return errs;
  },
};

export const priorityClassTable: TableDef = {
  columns: [
    col('Value', 'value represents the integer value of this priority class.', 0, 'integer'),
    col('Global-Default', 'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.', 0, 'boolean'),
    ageColumn,
    col('PreemptionPolicy', 'preemptionPolicy is the Policy for preempting pods with lower priority.'),
  ],
  cells(o, now) {
    const pc = o as PriorityClass;
    return [pc.value ?? 0, pc.globalDefault ?? false, age(o, now), pc.preemptionPolicy ?? ''];
  },
};
