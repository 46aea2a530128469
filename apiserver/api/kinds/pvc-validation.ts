// ValidatePersistentVolumeClaimSpec: for PersistentVolumeClaims and for claims embedded in pods
// (generic ephemeral volumes). Access modes are checked the same way for PersistentVolumes.
import { forbiddenField, invalidEach, invalidValue, notSupported, required, type FieldError, type FieldPath } from '../field-errors.js';
import { tryParseQuantity } from '../../../lib/quantity.js';
import { validateLabelSelector } from '../validation/label-selector.js';
import { isDNS1123Subdomain } from '../validation/names.js';
import type { LabelSelectorSpec } from '../selectors/labels.js';
import { asObject, str, strings, type JsonObject } from './json.js';

export const accessModes = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
export const volumeModes = ['Block', 'Filesystem'];

/** accessModes: known values, ReadWriteOncePod alone. Required is checked by the caller (its detail differs). */
export function validateAccessModes(modes: readonly string[], p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let rwop = false;
  let other = false;
  for (const m of modes) {
    if (!accessModes.includes(m)) errs.push(notSupported(p, m, accessModes));
    if (m === 'ReadWriteOncePod') rwop = true;
    else if (accessModes.includes(m)) other = true;
  }
  if (rwop && other) errs.push(forbiddenField(p, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

/** dataSource: a name, a kind, and a group unless it names a PersistentVolumeClaim. */
function validateDataSource(ds: JsonObject, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const group = str(ds.apiGroup);
  if (!str(ds.name)) errs.push(required(p.child('name')));
  if (!str(ds.kind)) errs.push(required(p.child('kind')));
  if (!group && ds.kind !== 'PersistentVolumeClaim') errs.push(invalidValue(p, str(ds.kind), "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
  if (group) errs.push(...invalidEach(p.child('apiGroup'), group, isDNS1123Subdomain(group)));
  return errs;
}

export function validatePVCSpec(spec: JsonObject, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const modes = strings(spec.accessModes);
  if (modes.length === 0) errs.push(required(p.child('accessModes'), 'at least 1 access mode is required'));
  if (spec.selector) errs.push(...validateLabelSelector(spec.selector as LabelSelectorSpec, p.child('selector')));
  errs.push(...validateAccessModes(modes, p.child('accessModes')));
  const storagePath = p.child('resources').key('storage');
  const storage = asObject(asObject(spec.resources)?.requests)?.storage;
  const q = storage === undefined ? undefined : tryParseQuantity(storage);
  if (storage === undefined) errs.push(required(storagePath));
  else if (!q || q.mantissa <= 0n) errs.push(invalidValue(storagePath, String(storage), 'must be greater than zero'));
  const className = str(spec.storageClassName);
  if (className) errs.push(...invalidEach(p.child('storageClassName'), className, isDNS1123Subdomain(className)));
  if (typeof spec.volumeMode === 'string' && !volumeModes.includes(spec.volumeMode)) errs.push(notSupported(p.child('volumeMode'), spec.volumeMode, volumeModes));
  const ds = asObject(spec.dataSource);
  if (ds) errs.push(...validateDataSource(ds, p.child('dataSource')));
  return errs;
}
