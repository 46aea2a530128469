// ValidateTemplateObjectMeta: embedded templates (ephemeral volume claims) may carry only labels
// and annotations; any other metadata "cannot be set".
import { forbiddenField, type FieldError, type FieldPath } from '../field-errors.js';
import type { ObjectMeta } from '../object.js';
import { validateAnnotations, validateLabels } from '../validation/meta.js';
import { stringMap } from './json.js';

export function validateTemplateObjectMeta(meta: ObjectMeta, p: FieldPath): FieldError[] {
  const errs = [
    ...validateAnnotations(stringMap(meta.annotations), p.child('annotations')),
    ...validateLabels(stringMap(meta.labels), p.child('labels')),
  ];
  for (const [k, v] of Object.entries(meta)) {
    if (k === 'labels' || k === 'annotations' || v === undefined || v === null) continue;
    if (v === '' || v === 0 || (Array.isArray(v) && v.length === 0)) continue;
    errs.push(forbiddenField(p.child(k), 'cannot be set'));
  }
  return errs;
}
