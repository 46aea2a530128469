// PodDisruptionBudgets (policy/v1): ValidatePodDisruptionBudgetSpec and the MIN AVAILABLE
// MAX UNAVAILABLE ALLOWED DISRUPTIONS printer.
import { invalidValue, notSupported, path, type FieldError, type FieldPath } from '../field-errors.js';
import type { LabelSelectorSpec } from '../selectors/labels.js';
import type { Strategy } from '../resource.js';
import { ageColumn, since, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';
import { validateLabelSelector } from '../validation/label-selector.js';
import { goStruct } from './go-format.js';
import { asObject, num, str, type JsonObject } from './json.js';
import { validateNotMoreThan100Percent, validatePositiveIntOrPercent } from './workload-validation.js';

const evictionPolicies = ['AlwaysAllow', 'IfHealthyBudget'];
const present = (v: unknown) => v !== undefined && v !== null;

export function validatePDBSpec(spec: JsonObject, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (present(spec.minAvailable) && present(spec.maxUnavailable)) {
    errs.push(invalidValue(p, goStruct('policy.PodDisruptionBudgetSpec', spec), 'minAvailable and maxUnavailable cannot be both set'));
  }
  for (const f of ['minAvailable', 'maxUnavailable']) {
    if (!present(spec[f])) continue;
    errs.push(...validatePositiveIntOrPercent(spec[f], p.child(f)), ...validateNotMoreThan100Percent(spec[f], p.child(f)));
  }
  errs.push(...validateLabelSelector(spec.selector as LabelSelectorSpec | undefined, p.child('selector')));
  if (present(spec.unhealthyPodEvictionPolicy) && !evictionPolicies.includes(str(spec.unhealthyPodEvictionPolicy))) {
    errs.push(notSupported(p.child('unhealthyPodEvictionPolicy'), str(spec.unhealthyPodEvictionPolicy), evictionPolicies));
  }
  return errs;
}

export const pdbStrategy: Strategy = {
  prepareForCreate(obj) {
    obj.status = { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 };
  },
  validate: (obj) => validatePDBSpec(asObject(obj.spec) ?? {}, path('spec')),
};

const intOrStringText = (v: unknown) => (present(v) ? String(v) : 'N/A');

export const pdbTable: TableDef = {
  columns: [
    col('Min Available', 'The minimum number of pods that must be available.'),
    col('Max Unavailable', 'The maximum number of pods that may be unavailable.'),
    col('Allowed Disruptions', 'Calculated number of pods that may be disrupted at this time.', 0, 'integer'),
    ageColumn,
  ],
  cells(o, now) {
    const spec = asObject(o.spec) ?? {};
    return [intOrStringText(spec.minAvailable), intOrStringText(spec.maxUnavailable), num(asObject(o.status)?.disruptionsAllowed) ?? 0, since(o.metadata.creationTimestamp, now)];
  },
};
