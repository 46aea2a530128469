// DaemonSets: SetDefaults_DaemonSet, the strategy (templateGeneration kept in the
// deprecated.daemonset.template.generation annotation and bumped with the template),
// ValidateDaemonSetSpec, an immutable selector, and the printer's columns.
import { invalidValue, notSupported, path, required, type FieldError, type FieldPath } from '../field-errors.js';
import type { KubeObject } from '../object.js';
import type { Strategy } from '../resource.js';
import { labelsText, col } from '../table-helpers.js';
import { ageColumn, since, type TableDef } from '../table.js';
import { validateNonnegative } from './container-validation.js';
import { withDecodeErrors } from './decode.js';
import { goIntOrString, goLabelSelector, goStruct } from './go-format.js';
import { asObject, ensureObject, num, setDefault, setDefaultString, stringMap, type JsonObject } from './json.js';
import { defaultPodTemplateSpec } from './pod-defaults.js';
import { validatePodTemplateSpec } from './pod-validation.js';
import { semanticEqual } from './semantic.js';
import { containerCells, containersColumn, imagesColumn } from './template-cells.js';
import {
  compileSelector, formatLabelSelector, intOrPercentValue, validateAlwaysRestartNoDeadline, validateImmutableSelector,
  validateNotMoreThan100Percent, validatePositiveIntOrPercent, validateSelectorMatchesTemplate,
} from './workload-validation.js';
import { validateLabelSelector } from '../validation/label-selector.js';
import type { LabelSelectorSpec } from '../selectors/labels.js';

/** apps/v1 keeps the internal spec.templateGeneration in this annotation. */
export const templateGenerationAnnotation = 'deprecated.daemonset.template.generation';

export function defaultDaemonSet(obj: KubeObject): void {
  const spec = ensureObject(obj, 'spec');
  const update = ensureObject(spec, 'updateStrategy');
  setDefaultString(update, 'type', 'RollingUpdate');
  if (update.type === 'RollingUpdate') {
    const rolling = ensureObject(update, 'rollingUpdate');
    setDefault(rolling, 'maxUnavailable', 1);
    setDefault(rolling, 'maxSurge', 0);
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplateSpec(ensureObject(spec, 'template'));
}

function templateGeneration(o: KubeObject): number {
  const v = Number(o.metadata.annotations?.[templateGenerationAnnotation]);
  return Number.isInteger(v) ? v : 0;
}

function setTemplateGeneration(o: KubeObject, n: number): void {
  o.metadata.annotations = { ...o.metadata.annotations, [templateGenerationAnnotation]: String(n) };
}

function validateRollingUpdateDaemonSet(ru: JsonObject, p: FieldPath): FieldError[] {
  const errs = [
    ...validatePositiveIntOrPercent(ru.maxUnavailable, p.child('maxUnavailable')),
    ...validatePositiveIntOrPercent(ru.maxSurge, p.child('maxSurge')),
    ...validateNotMoreThan100Percent(ru.maxUnavailable, p.child('maxUnavailable')),
    ...validateNotMoreThan100Percent(ru.maxSurge, p.child('maxSurge')),
  ];
  const unavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
  const surge = intOrPercentValue(ru.maxSurge) !== 0;
  if (unavailable && surge) errs.push(invalidValue(p.child('maxSurge'), goIntOrString(ru.maxSurge), 'may not be set when maxUnavailable is non-zero'));
  if (!unavailable && !surge) errs.push(required(p.child('maxUnavailable'), 'cannot be 0 when maxSurge is 0'));
  return errs;
}

function validateUpdateStrategy(update: JsonObject, p: FieldPath): FieldError[] {
  switch (update.type) {
    case 'OnDelete': return [];
    case 'RollingUpdate': {
      const ru = asObject(update.rollingUpdate);
      return ru ? validateRollingUpdateDaemonSet(ru, p.child('rollingUpdate')) : [required(p.child('rollingUpdate'))];
    }
    default:
      return [notSupported(p, goStruct('apps.DaemonSetUpdateStrategy', update), ['RollingUpdate', 'OnDelete'])];
  }
}

export function validateDaemonSetSpec(obj: KubeObject, p: FieldPath): FieldError[] {
  const spec = asObject(obj.spec) ?? {};
  const template = asObject(spec.template) ?? {};
  const errs = validateLabelSelector(spec.selector as LabelSelectorSpec | undefined, p.child('selector'));
  const selector = compileSelector(spec.selector);
  if (selector) errs.push(...validateSelectorMatchesTemplate(selector, template, p.child('template')));
  const sel = asObject(spec.selector);
  if (sel && Object.keys(asObject(sel.matchLabels) ?? {}).length + (Array.isArray(sel.matchExpressions) ? sel.matchExpressions.length : 0) === 0) {
    errs.push(invalidValue(p.child('selector'), goLabelSelector(sel), 'empty selector is invalid for daemonset'));
  }
  errs.push(...validatePodTemplateSpec(template, p.child('template')));
  errs.push(...validateAlwaysRestartNoDeadline(template, p.child('template'), 'DaemonSet'));
  errs.push(...validateNonnegative(spec.minReadySeconds, p.child('minReadySeconds')));
  errs.push(...validateNonnegative(templateGeneration(obj), p.child('templateGeneration')));
  errs.push(...validateUpdateStrategy(asObject(spec.updateStrategy) ?? {}, p.child('updateStrategy')));
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, p.child('revisionHistoryLimit')));
  return errs;
}

export const daemonSetStrategy: Strategy = {
  default: (obj) => withDecodeErrors(obj, () => defaultDaemonSet(obj)),
  prepareForCreate(obj) {
    obj.status = { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 };
    setTemplateGeneration(obj, Math.max(1, templateGeneration(obj)));
  },
  prepareForUpdate(obj, old) {
    // templateGeneration is the server's: kept, and bumped with every template change.
    const changed = !semanticEqual(asObject(obj.spec)?.template, asObject(old.spec)?.template);
    setTemplateGeneration(obj, templateGeneration(old) + (changed ? 1 : 0));
  },
  validate: (obj) => validateDaemonSetSpec(obj, path('spec')),
  validateUpdate: (obj, old) => [
    ...validateDaemonSetSpec(obj, path('spec')),
    ...validateImmutableSelector(asObject(obj.spec)?.selector, asObject(old.spec)?.selector, path('spec', 'selector')),
  ],
};

export const daemonSetTable: TableDef = {
  columns: [
    col('Desired', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).', 0, 'integer'),
    col('Current', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.', 0, 'integer'),
    col('Ready', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.', 0, 'integer'),
    col('Up-to-date', 'The total number of nodes that are running updated daemon pod', 0, 'integer'),
    col('Available', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)', 0, 'integer'),
    col('Node Selector', "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node."),
    ageColumn, containersColumn, imagesColumn,
    col('Selector', 'A label query over pods that are managed by the daemon set.', 1),
  ],
  cells(o, now) {
    const spec = asObject(o.spec) ?? {};
    const status = asObject(o.status) ?? {};
    const n = (v: unknown) => num(v) ?? 0;
    const [names, images] = containerCells(spec.template);
    return [
      n(status.desiredNumberScheduled), n(status.currentNumberScheduled), n(status.numberReady), n(status.updatedNumberScheduled),
      n(status.numberAvailable), labelsText(stringMap(asObject(asObject(spec.template)?.spec)?.nodeSelector)),
      since(o.metadata.creationTimestamp, now), names, images, formatLabelSelector(spec.selector),
    ];
  },
};
