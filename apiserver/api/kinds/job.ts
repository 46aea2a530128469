// Jobs: SetDefaults_Job, the generated selector and pod labels (controller-uid, job-name),
// ValidateJob and the update rules (selector, completions and a running job's template are
// immutable), the STATUS COMPLETIONS DURATION printer and the status.successful field.
import { invalidValue, notSupported, path, required, tooLong, type FieldError, type FieldPath } from '../field-errors.js';
import type { KubeObject } from '../object.js';
import type { Strategy } from '../resource.js';
import { ageColumn, humanDuration, since, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';
import type { LabelSelectorSpec } from '../selectors/labels.js';
import { validateLabelSelector } from '../validation/label-selector.js';
import { isDNS1123Label } from '../validation/names.js';
import { validateNonnegative } from './container-validation.js';
import { withDecodeErrors } from './decode.js';
import { goLabelSelector, goStringMap, goStruct } from './go-format.js';
import { asObject, ensureObject, num, objects, setDefault, str, stringMap, type JsonObject } from './json.js';
import { defaultPodTemplateSpec } from './pod-defaults.js';
import { validatePodTemplateSpec } from './pod-validation.js';
import { semanticEqual } from './semantic.js';
import { containerCells, containersColumn, imagesColumn } from './template-cells.js';
import { compileSelector, fieldImmutableErrorMsg, formatLabelSelector, validateSelectorMatchesTemplate } from './workload-validation.js';

export const legacyJobNameLabel = 'job-name';
export const jobNameLabel = 'batch.kubernetes.io/job-name';
export const legacyControllerUidLabel = 'controller-uid';
export const controllerUidLabel = 'batch.kubernetes.io/controller-uid';

const maxInt32 = 2147483647;

/** SetDefaults_Job over a JobSpec (CronJob templates get only the pod template defaults). */
export function defaultJob(obj: KubeObject): void {
  const spec = ensureObject(obj, 'spec');
  if ((spec.completions === undefined || spec.completions === null) && (spec.parallelism === undefined || spec.parallelism === null)) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setDefault(spec, 'parallelism', 1);
  const perIndex = spec.backoffLimitPerIndex !== undefined && spec.backoffLimitPerIndex !== null;
  setDefault(spec, 'backoffLimit', perIndex ? maxInt32 : 6);
  const template = ensureObject(spec, 'template');
  const templateLabels = stringMap(asObject(template.metadata)?.labels);
  if (templateLabels && Object.keys(obj.metadata.labels ?? {}).length === 0) obj.metadata.labels = { ...templateLabels };
  setDefault(spec, 'completionMode', 'NonIndexed');
  setDefault(spec, 'suspend', false);
  const failurePolicy = asObject(spec.podFailurePolicy);
  for (const rule of objects(failurePolicy?.rules)) {
    for (const pattern of objects(rule.onPodConditions)) if (!pattern.status) pattern.status = 'True';
  }
  setDefault(spec, 'podReplacementPolicy', failurePolicy ? 'Failed' : 'TerminatingOrFailed');
  defaultPodTemplateSpec(template);
}

/** generateSelector: labels that tie the job's pods to this job (unless the selector is manual). */
export function generateJobSelector(obj: KubeObject): void {
  const spec = ensureObject(obj, 'spec');
  if (spec.manualSelector === true) return;
  const meta = ensureObject(ensureObject(spec, 'template'), 'metadata');
  const labels = (asObject(meta.labels) ?? {}) as Record<string, unknown>;
  const name = obj.metadata.name ?? '';
  const uid = obj.metadata.uid ?? '';
  // Labels the user already set are kept; a conflict is then refused by validation.
  for (const key of [legacyJobNameLabel, jobNameLabel]) if (!(key in labels)) labels[key] = name;
  for (const key of [legacyControllerUidLabel, controllerUidLabel]) if (!(key in labels)) labels[key] = uid;
  meta.labels = labels;
  const selector = ensureObject(spec, 'selector');
  const matchLabels = ensureObject(selector, 'matchLabels');
  if (!(controllerUidLabel in matchLabels)) matchLabels[controllerUidLabel] = uid;
}

function validateHasLabel(labels: Record<string, string> | undefined, p: FieldPath, key: string, expected: string): FieldError[] {
  if (!labels || !(key in labels)) return [required(p.child('labels').key(key), `must be '${expected}'`)];
  return labels[key] === expected ? [] : [invalidValue(p.child('labels').key(key), goStringMap(labels), `must be '${expected}'`)];
}

function validateGeneratedSelector(obj: KubeObject, requirePrefixed: boolean): FieldError[] {
  const spec = asObject(obj.spec) ?? {};
  if (spec.manualSelector === true || !spec.selector) return [];
  const errs: FieldError[] = [];
  const uid = obj.metadata.uid ?? '';
  const name = obj.metadata.name ?? '';
  if (!uid) errs.push(required(path('metadata', 'uid')));
  const labels = stringMap(asObject(asObject(spec.template)?.metadata)?.labels);
  const mp = path('spec', 'template', 'metadata');
  errs.push(...validateHasLabel(labels, mp, legacyControllerUidLabel, uid));
  errs.push(...validateHasLabel(labels, mp, legacyJobNameLabel, name));
  const expected: Record<string, string> = { [legacyControllerUidLabel]: uid, [legacyJobNameLabel]: name };
  if (requirePrefixed) {
    errs.push(...validateHasLabel(labels, mp, controllerUidLabel, uid));
    errs.push(...validateHasLabel(labels, mp, jobNameLabel, name));
    expected[controllerUidLabel] = uid;
    expected[jobNameLabel] = name;
  }
  const selector = compileSelector(spec.selector);
  if (selector && !selector.matches(expected)) errs.push(invalidValue(path('spec', 'selector'), goLabelSelector(spec.selector), '`selector` not auto-generated'));
  return errs;
}

const completionModes = ['NonIndexed', 'Indexed'];
const replacementPolicies = ['Failed', 'TerminatingOrFailed'];

/** validateJobSpec: what a Job spec and a CronJob's job template share. */
export function validateJobSpecCommon(spec: JsonObject, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex', 'maxFailedIndexes']) {
    errs.push(...validateNonnegative(spec[f], p.child(f)));
  }
  const maxFailed = num(spec.maxFailedIndexes);
  const perIndex = num(spec.backoffLimitPerIndex);
  if (maxFailed !== undefined && perIndex === undefined) errs.push(required(p.child('backoffLimitPerIndex'), 'when maxFailedIndexes is specified'));
  if (typeof spec.managedBy === 'string' && spec.managedBy.length > 63) errs.push(tooLong(p.child('managedBy'), 63));
  const mode = spec.completionMode;
  if (mode !== undefined && mode !== null) {
    if (!completionModes.includes(str(mode))) errs.push(notSupported(p.child('completionMode'), str(mode), completionModes));
    if (mode === 'Indexed') {
      if (spec.completions === undefined || spec.completions === null) errs.push(required(p.child('completions'), 'when completion mode is Indexed'));
      const parallelism = num(spec.parallelism);
      if (parallelism !== undefined && parallelism > 100000) errs.push(invalidValue(p.child('parallelism'), parallelism, 'must be less than or equal to 100000 when completion mode is Indexed'));
      const completions = num(spec.completions);
      if (completions !== undefined && maxFailed !== undefined && maxFailed > completions) errs.push(invalidValue(p.child('maxFailedIndexes'), maxFailed, 'must be less than or equal to completions'));
    }
  }
  if (mode === undefined || mode === null || mode === 'NonIndexed') {
    if (perIndex !== undefined) errs.push(invalidValue(p.child('backoffLimitPerIndex'), perIndex, 'requires indexed completion mode'));
    if (maxFailed !== undefined) errs.push(invalidValue(p.child('maxFailedIndexes'), maxFailed, 'requires indexed completion mode'));
  }
  if (spec.successPolicy && mode !== 'Indexed') errs.push(invalidValue(p.child('successPolicy'), goStruct('batch.SuccessPolicy', spec.successPolicy), 'requires indexed completion mode'));
  const replacement = spec.podReplacementPolicy;
  if (replacement !== undefined && replacement !== null) {
    if (spec.podFailurePolicy) {
      if (replacement !== 'Failed') errs.push(notSupported(p.child('podReplacementPolicy'), str(replacement), ['Failed']));
    } else if (!replacementPolicies.includes(str(replacement))) {
      errs.push(notSupported(p.child('podReplacementPolicy'), str(replacement), replacementPolicies));
    }
  }
  const template = asObject(spec.template) ?? {};
  errs.push(...validatePodTemplateSpec(template, p.child('template')));
  const restartPolicy = str(asObject(template.spec)?.restartPolicy);
  const rp = p.child('template', 'spec', 'restartPolicy');
  if (restartPolicy === 'Always' || restartPolicy === '') errs.push(required(rp, 'valid values: "OnFailure", "Never"'));
  else if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') errs.push(notSupported(rp, restartPolicy, ['OnFailure', 'Never']));
  else if (spec.podFailurePolicy && restartPolicy !== 'Never') errs.push(invalidValue(rp, restartPolicy, 'only "Never" is supported when podFailurePolicy is specified'));
  return errs;
}

/** ValidateJobSpec: the common checks plus the selector, which must select the template. */
export function validateJobSpec(spec: JsonObject, p: FieldPath): FieldError[] {
  const errs = validateJobSpecCommon(spec, p);
  if (!spec.selector) errs.push(required(p.child('selector')));
  else errs.push(...validateLabelSelector(spec.selector as LabelSelectorSpec, p.child('selector')));
  const selector = compileSelector(spec.selector);
  const template = asObject(spec.template) ?? {};
  if (selector) errs.push(...validateSelectorMatchesTemplate(selector, template, p.child('template')));
  return errs;
}

function validateJob(obj: KubeObject, requirePrefixed: boolean): FieldError[] {
  const spec = asObject(obj.spec) ?? {};
  const errs = [...validateGeneratedSelector(obj, requirePrefixed), ...validateJobSpec(spec, path('spec'))];
  const completions = num(spec.completions);
  if (spec.completionMode === 'Indexed' && completions !== undefined && completions > 0) {
    const hostname = `${obj.metadata.name ?? ''}-${completions - 1}`;
    if (isDNS1123Label(hostname).length) {
      errs.push(invalidValue(path('metadata', 'name'), obj.metadata.name ?? '', `will not able to create pod with invalid DNS label: ${hostname}`));
    }
  }
  return errs;
}

/** Scheduling directives a suspended job that never started may still change. */
const schedulingDirectives = (template: JsonObject): JsonObject => {
  const t = structuredClone(template);
  const meta = ensureObject(t, 'metadata');
  delete meta.labels;
  delete meta.annotations;
  const spec = ensureObject(t, 'spec');
  for (const f of ['nodeSelector', 'tolerations', 'schedulingGates']) delete spec[f];
  const affinity = asObject(spec.affinity);
  if (affinity) {
    delete affinity.nodeAffinity;
    if (Object.keys(affinity).length === 0) delete spec.affinity;
  }
  return t;
};

function validateJobUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const spec = asObject(obj.spec) ?? {};
  const oldSpec = asObject(old.spec) ?? {};
  const oldLabels = stringMap(asObject(asObject(oldSpec.template)?.metadata)?.labels) ?? {};
  const errs = validateJob(obj, jobNameLabel in oldLabels);
  const sp = path('spec');
  errs.push(...validateJobSpec(spec, sp));
  const immutable = (field: string, value: unknown = spec[field]) => {
    if (!semanticEqual(spec[field], oldSpec[field])) errs.push(invalidValue(sp.child(field), value, fieldImmutableErrorMsg));
  };
  if (spec.completionMode !== 'Indexed') immutable('completions', num(spec.completions) ?? null);
  else if (!semanticEqual(spec.completions, oldSpec.completions) && num(spec.completions) !== undefined && spec.completions !== spec.parallelism) {
    errs.push(invalidValue(sp.child('completions'), num(spec.completions) ?? null, 'can only be modified in tandem with spec.parallelism'));
  }
  if (!semanticEqual(spec.selector, oldSpec.selector)) errs.push(invalidValue(sp.child('selector'), goLabelSelector(spec.selector), fieldImmutableErrorMsg));
  const template = asObject(spec.template) ?? {};
  const oldTemplate = asObject(oldSpec.template) ?? {};
  const suspendedNeverStarted = oldSpec.suspend === true && !asObject(old.status)?.startTime;
  const comparable = (t: JsonObject) => (suspendedNeverStarted ? schedulingDirectives(t) : t);
  if (!semanticEqual(comparable(template), comparable(oldTemplate))) {
    errs.push(invalidValue(sp.child('template'), goStruct('core.PodTemplateSpec', template), fieldImmutableErrorMsg));
  }
  immutable('completionMode', str(spec.completionMode));
  for (const f of ['podFailurePolicy', 'backoffLimitPerIndex', 'managedBy', 'successPolicy']) immutable(f, goStruct('', spec[f]));
  return errs;
}

export const jobStrategy: Strategy = {
  default: (obj) => withDecodeErrors(obj, () => defaultJob(obj)),
  prepareForCreate(obj) {
    generateJobSelector(obj);
    obj.status = {};
    // JobManagedBy is alpha (off) in 1.32.
    delete ensureObject(obj, 'spec').managedBy;
    // Readers default a Job's labels from its template once the selector labels exist.
    const templateLabels = stringMap(asObject(asObject(asObject(obj.spec)?.template)?.metadata)?.labels);
    if (templateLabels && Object.keys(obj.metadata.labels ?? {}).length === 0) obj.metadata.labels = { ...templateLabels };
  },
  validate: (obj) => validateJob(obj, true),
  validateUpdate: validateJobUpdate,
};

export const jobStatusStrategy: Strategy = {
  validateUpdate(obj) {
    const status = asObject(obj.status) ?? {};
    const sp = path('status');
    return ['active', 'succeeded', 'failed', 'ready', 'terminating'].flatMap((f) => validateNonnegative(status[f], sp.child(f)));
  },
};

function hasCondition(status: JsonObject, type: string): boolean {
  const c = objects(status.conditions).find((x) => x.type === type);
  return c?.status === 'True';
}

/** The STATUS column of printJob. */
export function jobStatus(o: KubeObject): string {
  const status = asObject(o.status) ?? {};
  if (hasCondition(status, 'Complete')) return 'Complete';
  if (hasCondition(status, 'Failed')) return 'Failed';
  if (o.metadata.deletionTimestamp) return 'Terminating';
  if (hasCondition(status, 'Suspended')) return 'Suspended';
  if (hasCondition(status, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

export function jobCompletions(spec: JsonObject, status: JsonObject): string {
  const succeeded = num(status.succeeded) ?? 0;
  const completions = num(spec.completions);
  if (completions !== undefined) return `${succeeded}/${completions}`;
  const parallelism = num(spec.parallelism) ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

export function jobDuration(status: JsonObject, now: number): string {
  const start = str(status.startTime);
  if (!start) return '';
  const end = str(status.completionTime);
  return humanDuration((end ? Date.parse(end) : now) - Date.parse(start));
}

export const jobTable: TableDef = {
  columns: [
    col('Status', 'Status of the job.'),
    col('Completions', 'The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.'),
    col('Duration', 'Time required to complete the job.'),
    ageColumn, containersColumn, imagesColumn,
    col('Selector', 'A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors', 1),
  ],
  cells(o, now) {
    const spec = asObject(o.spec) ?? {};
    const status = asObject(o.status) ?? {};
    const [names, images] = containerCells(spec.template);
    return [jobStatus(o), jobCompletions(spec, status), jobDuration(status, now), since(o.metadata.creationTimestamp, now), names, images, formatLabelSelector(spec.selector)];
  },
};

export const jobFieldSelectors = { 'status.successful': (o: KubeObject) => String(num(asObject(o.status)?.succeeded) ?? 0) };

