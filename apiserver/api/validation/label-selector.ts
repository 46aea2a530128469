// Validation of a spec's LabelSelector (matchLabels / matchExpressions) with apimachinery's
// messages (metav1 validation.ValidateLabelSelector).
import { forbiddenField, invalidEach, invalidValue, required, type FieldError, type FieldPath } from '../field-errors.js';
import type { LabelSelectorSpec } from '../selectors/labels.js';
import { validateLabels } from './meta.js';
import { isLabelValue, isQualifiedName } from './names.js';

export function validateLabelSelector(sel: LabelSelectorSpec | null | undefined, p: FieldPath): FieldError[] {
  if (!sel) return [];
  const errs = validateLabels(sel.matchLabels, p.child('matchLabels'));
  (sel.matchExpressions ?? []).forEach((expr, i) => {
    const ep = p.child('matchExpressions').index(i);
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In': case 'NotIn':
        if (values.length === 0) errs.push(required(ep.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists': case 'DoesNotExist':
        if (values.length > 0) errs.push(forbiddenField(ep.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalidValue(ep.child('operator'), expr.operator ?? '', 'not a valid selector operator'));
    }
    errs.push(...invalidEach(ep.child('key'), expr.key ?? '', isQualifiedName(expr.key ?? '')));
    values.forEach((v, vi) => errs.push(...invalidEach(ep.child('values').index(vi), v, isLabelValue(v))));
  });
  return errs;
}
