// ValidatePersistentVolumeClaimSpec for claims embedded in pods (generic ephemeral volumes).
import { forbiddenField, invalidEach, invalidValue, notSupported, required, type FieldError, type FieldPath } from '../field-errors.js';
import { tryParseQuantity } from '../quantity.js';
import { validateLabelSelector } from '../validation/label-selector.js';
import { isDNS1123Subdomain } from '../validation/names.js';
import type { LabelSelectorSpec } from '../selectors/labels.js';
import { asObject, str, strings, type JsonObject } from './json.js';

const accessModes = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const volumeModes = ['Block', 'Filesystem'];

export function validatePVCSpec(spec: JsonObject, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const modes = strings(spec.accessModes);
  if (modes.length === 0) errs.push(required(p.child('accessModes'), 'at least 1 access mode is required'));
  if (spec.selector) errs.push(...validateLabelSelector(spec.selector as LabelSelectorSpec, p.child('selector')));
  let rwop = false;
  let other = false;
  for (const m of modes) {
    if (!accessModes.includes(m)) errs.push(notSupported(p.child('accessModes'), m, accessModes));
    if (m === 'ReadWriteOncePod') rwop = true;
    else if (accessModes.includes(m)) other = true;
  }
  if (rwop && other) errs.push(forbiddenField(p.child('accessModes'), 'may not use ReadWriteOncePod with other access modes'));
  const storagePath = p.child('resources').key('storage');
  const storage = asObject(asObject(spec.resources)?.requests)?.storage;
  const q = storage === undefined ? undefined : tryParseQuantity(storage);
  if (storage === undefined) errs.push(required(storagePath));
  else if (!q || q.mantissa <= 0n) errs.push(invalidValue(storagePath, String(storage), 'must be greater than zero'));
  const className = str(spec.storageClassName);
  if (className) errs.push(...invalidEach(p.child('storageClassName'), className, isDNS1123Subdomain(className)));
  if (typeof spec.volumeMode === 'string' && !volumeModes.includes(spec.volumeMode)) errs.push(notSupported(p.child('volumeMode'), spec.volumeMode, volumeModes));
  return errs;
}
