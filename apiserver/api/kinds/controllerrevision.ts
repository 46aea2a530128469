// ControllerRevisions: snapshots of a controller's template. Data is required and immutable;
// the printer shows the owning controller as kind.group/name.
import { invalidValue, path, required, type FieldError } from '../field-errors.js';
import type { KubeObject } from '../object.js';
import type { Strategy } from '../resource.js';
import { ageColumn, since, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';
import { validateNonnegative } from './container-validation.js';
import { goStruct } from './go-format.js';
import { semanticEqual } from './semantic.js';
import { fieldImmutableErrorMsg } from './workload-validation.js';

function validateControllerRevision(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (obj.data === undefined || obj.data === null) errs.push(required(path('data'), 'data is mandatory'));
  errs.push(...validateNonnegative(obj.revision, path('revision')));
  return errs;
}

export const controllerRevisionStrategy: Strategy = {
  validate: validateControllerRevision,
  validateUpdate: (obj, old) => [
    ...validateControllerRevision(obj),
    ...(semanticEqual(obj.data, old.data) ? [] : [invalidValue(path('data'), goStruct('runtime.RawExtension', { raw: obj.data }), fieldImmutableErrorMsg)]),
  ],
};

/** "statefulset.apps/web": the controller owner as GroupKind/name, lowercased. */
export function controllerName(o: KubeObject): string {
  const ref = (o.metadata.ownerReferences ?? []).find((r) => r.controller === true);
  if (!ref) return '<none>';
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
  const kind = group ? `${ref.kind}.${group}` : ref.kind;
  return kind ? `${kind.toLowerCase()}/${ref.name}` : ref.name;
}

export const controllerRevisionTable: TableDef = {
  columns: [
    col('Controller', 'Controller of the object'),
    col('Revision', 'Revision indicates the revision of the state represented by Data.'),
    ageColumn,
  ],
  cells: (o, now) => [controllerName(o), typeof o.revision === 'number' ? o.revision : 0, since(o.metadata.creationTimestamp, now)],
};
