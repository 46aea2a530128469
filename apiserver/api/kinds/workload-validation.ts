// Validation shared by the controllers of pods (apps validation and friends): the spec selector,
// the pod template it must select, int-or-percent fields and immutable fields on update.
import {
  forbiddenField, invalidValue, notSupported, required, type FieldError, type FieldPath,
} from '../field-errors.js';
import { fromLabelSelectorSpec, type LabelSelector, type LabelSelectorSpec } from '../selectors/labels.js';
import { validateLabelSelector } from '../validation/label-selector.js';
import { isLabelValue, isQualifiedName, regexError } from '../validation/names.js';
import { goIntOrString, goLabelSelector, goStringMap } from './go-format.js';
import { asObject, objects, str, stringMap, strings, type JsonObject } from './json.js';
import { validatePodTemplateSpec } from './pod-validation.js';
import { semanticEqual } from './semantic.js';

export const fieldImmutableErrorMsg = 'field is immutable';

/** The compiled selector, or undefined where LabelSelectorAsSelector would fail. */
export function compileSelector(sel: unknown): LabelSelector | undefined {
  const s = sel as LabelSelectorSpec | null | undefined;
  if (s) {
    for (const [k, v] of Object.entries(asObject(s.matchLabels) ?? {})) {
      if (isQualifiedName(k).length || isLabelValue(String(v)).length) return undefined;
    }
    for (const e of objects(s.matchExpressions)) {
      const values = strings(e.values);
      if (isQualifiedName(str(e.key)).length) return undefined;
      if ((e.operator === 'In' || e.operator === 'NotIn') && values.length === 0) return undefined;
      if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && values.length > 0) return undefined;
      if (values.some((v) => isLabelValue(v).length)) return undefined;
    }
  }
  try {
    return fromLabelSelectorSpec(s);
  } catch {
    return undefined;
  }
}

/** metav1.FormatLabelSelector: "app=x", "<none>" for nil or empty, "<error>" when invalid. */
export function formatLabelSelector(sel: unknown): string {
  const compiled = compileSelector(sel);
  if (!compiled) return '<error>';
  return compiled.empty || !sel ? '<none>' : compiled.toString();
}

/** A spec selector: required, valid and not empty (`what` names the kind in the message). */
export function validateSpecSelector(sel: unknown, p: FieldPath, what: string): FieldError[] {
  if (sel === undefined || sel === null) return [required(p)];
  const s = asObject(sel) ?? {};
  const errs = validateLabelSelector(s as LabelSelectorSpec, p);
  if (Object.keys(asObject(s.matchLabels) ?? {}).length + objects(s.matchExpressions).length === 0) {
    errs.push(invalidValue(p, goLabelSelector(s), `empty selector is invalid for ${what}`));
  }
  return errs;
}

/** The template's labels must be selected by a non-empty selector. */
export function validateSelectorMatchesTemplate(selector: LabelSelector, template: JsonObject, p: FieldPath): FieldError[] {
  const labels = stringMap(asObject(template.metadata)?.labels);
  if (selector.empty || selector.matches(labels)) return [];
  return [invalidValue(p.child('metadata', 'labels'), goStringMap(labels), '`selector` does not match template `labels`')];
}

/** ValidatePodTemplateSpecForReplicaSet: selected, valid, restartPolicy Always, no deadline. */
export function validateReplicatedTemplate(template: JsonObject | undefined, selector: LabelSelector, p: FieldPath, kind: string): FieldError[] {
  if (!template) return [required(p)];
  const errs = [...validateSelectorMatchesTemplate(selector, template, p), ...validatePodTemplateSpec(template, p)];
  errs.push(...validateAlwaysRestartNoDeadline(template, p, kind));
  return errs;
}

export function validateAlwaysRestartNoDeadline(template: JsonObject, p: FieldPath, kind: string): FieldError[] {
  const errs: FieldError[] = [];
  const spec = asObject(template.spec) ?? {};
  const restartPolicy = str(spec.restartPolicy);
  if (restartPolicy !== 'Always') errs.push(notSupported(p.child('spec', 'restartPolicy'), restartPolicy, ['Always']));
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null) {
    errs.push(forbiddenField(p.child('spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${kind} is not Supported`));
  }
  return errs;
}

const percentRe = /^[0-9]+%$/;
const percentMsg = regexError("a valid percent string must be a numeric string followed by an ending '%'", '[0-9]+%', '1%', '93%');

/** ValidatePositiveIntOrPercent. */
export function validatePositiveIntOrPercent(v: unknown, p: FieldPath): FieldError[] {
  if (typeof v === 'string') return percentRe.test(v) ? [] : [invalidValue(p, goIntOrString(v), percentMsg)];
  const n = typeof v === 'number' ? v : 0;
  return n < 0 ? [invalidValue(p, n, 'must be greater than or equal to 0')] : [];
}

/** getIntOrPercentValue: the number of a percentage, an int, or 0 (as IntValue parses). */
export function intOrPercentValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return 0;
  if (percentRe.test(v)) return Number(v.slice(0, -1));
  return /^[+-]?\d+$/.test(v) ? Number(v) : 0;
}

export function validateNotMoreThan100Percent(v: unknown, p: FieldPath): FieldError[] {
  if (typeof v !== 'string' || !percentRe.test(v) || Number(v.slice(0, -1)) <= 100) return [];
  return [invalidValue(p, goIntOrString(v), 'must not be greater than 100%')];
}

/** ValidateImmutableField for a spec selector. */
export function validateImmutableSelector(next: unknown, prev: unknown, p: FieldPath): FieldError[] {
  return semanticEqual(next, prev) ? [] : [invalidValue(p, goLabelSelector(next), fieldImmutableErrorMsg)];
}
