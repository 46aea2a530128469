// Deployments: SetDefaults_Deployment, the strategy (status kept, generation bumped by spec and
// annotation changes, selector immutable), ValidateDeploymentSpec and the printer's columns.
import {
  forbiddenField, GoValue, invalidValue, notSupported, path, required, type FieldError, type FieldPath,
} from '../field-errors.js';
import type { KubeObject } from '../object.js';
import type { Strategy } from '../resource.js';
import { ageColumn, since, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';
import { validateNonnegative } from './container-validation.js';
import { withDecodeErrors } from './decode.js';
import { goIntOrString, goLabelSelector, goLiteral } from './go-format.js';
import { asObject, ensureObject, num, setDefault, setDefaultString, type JsonObject } from './json.js';
import { defaultPodTemplateSpec } from './pod-defaults.js';
import { semanticEqual } from './semantic.js';
import { containerCells, containersColumn, imagesColumn } from './template-cells.js';
import {
  compileSelector, intOrPercentValue, validateImmutableSelector, validateNotMoreThan100Percent, validatePositiveIntOrPercent,
  validateReplicatedTemplate, validateSpecSelector,
} from './workload-validation.js';

export function defaultDeployment(obj: KubeObject): void {
  const spec = ensureObject(obj, 'spec');
  setDefault(spec, 'replicas', 1);
  const strategy = ensureObject(spec, 'strategy');
  setDefaultString(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const rolling = ensureObject(strategy, 'rollingUpdate');
    setDefault(rolling, 'maxUnavailable', '25%');
    setDefault(rolling, 'maxSurge', '25%');
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplateSpec(ensureObject(spec, 'template'));
}

function validateRollingUpdate(ru: JsonObject, p: FieldPath): FieldError[] {
  const errs = [
    ...validatePositiveIntOrPercent(ru.maxUnavailable, p.child('maxUnavailable')),
    ...validatePositiveIntOrPercent(ru.maxSurge, p.child('maxSurge')),
  ];
  if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
    errs.push(invalidValue(p.child('maxUnavailable'), goIntOrString(ru.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
  }
  errs.push(...validateNotMoreThan100Percent(ru.maxUnavailable, p.child('maxUnavailable')));
  return errs;
}

function validateDeploymentStrategy(strategy: JsonObject, p: FieldPath): FieldError[] {
  const ru = asObject(strategy.rollingUpdate);
  switch (strategy.type) {
    case 'Recreate':
      return ru ? [forbiddenField(p.child('rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'")] : [];
    case 'RollingUpdate':
      return ru ? validateRollingUpdate(ru, p.child('rollingUpdate')) : [required(p.child('rollingUpdate'), 'this should be defaulted and never be nil')];
    default: {
      const rolling = ru ? '(*apps.RollingUpdateDeployment)(0xc000000000)' : '(*apps.RollingUpdateDeployment)(nil)';
      return [notSupported(p, new GoValue(`apps.DeploymentStrategy{Type:${goLiteral(String(strategy.type ?? ''))}, RollingUpdate:${rolling}}`), ['Recreate', 'RollingUpdate'])];
    }
  }
}

export function validateDeploymentSpec(spec: JsonObject, p: FieldPath): FieldError[] {
  const errs = validateNonnegative(spec.replicas, p.child('replicas'));
  errs.push(...validateSpecSelector(spec.selector, p.child('selector'), 'deployment'));
  const selector = compileSelector(spec.selector);
  if (!selector) errs.push(invalidValue(p.child('selector'), goLabelSelector(spec.selector), 'invalid label selector'));
  else errs.push(...validateReplicatedTemplate(asObject(spec.template), selector, p.child('template'), 'ReplicaSet'));
  errs.push(...validateDeploymentStrategy(asObject(spec.strategy) ?? {}, p.child('strategy')));
  errs.push(...validateNonnegative(spec.minReadySeconds, p.child('minReadySeconds')));
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, p.child('revisionHistoryLimit')));
  const deadline = num(spec.progressDeadlineSeconds);
  if (deadline !== undefined) {
    errs.push(...validateNonnegative(deadline, p.child('progressDeadlineSeconds')));
    if (deadline <= (num(spec.minReadySeconds) ?? 0)) errs.push(invalidValue(p.child('progressDeadlineSeconds'), deadline, 'must be greater than minReadySeconds'));
  }
  return errs;
}

export const deploymentStrategy: Strategy = {
  default: (obj) => withDecodeErrors(obj, () => defaultDeployment(obj)),
  prepareForCreate(obj) {
    obj.status = {};
  },
  prepareForUpdate(obj, old) {
    // Annotations are copied to the ReplicaSets, so changing them is a new generation too.
    if (!semanticEqual(obj.metadata.annotations, old.metadata.annotations)) obj.metadata.generation = (old.metadata.generation ?? 0) + 1;
  },
  validate: (obj) => validateDeploymentSpec(asObject(obj.spec) ?? {}, path('spec')),
  validateUpdate: (obj, old) => [
    ...validateDeploymentSpec(asObject(obj.spec) ?? {}, path('spec')),
    ...validateImmutableSelector(asObject(obj.spec)?.selector, asObject(old.spec)?.selector, path('spec', 'selector')),
  ],
};

const counts = (o: KubeObject) => {
  const spec = asObject(o.spec) ?? {};
  const status = asObject(o.status) ?? {};
  return { spec, status, n: (v: unknown) => num(v) ?? 0 };
};

export const deploymentTable: TableDef = {
  columns: [
    col('Ready', 'Number of the pod with ready state'),
    col('Up-to-date', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    col('Available', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    ageColumn, containersColumn, imagesColumn,
    col('Selector', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', 1),
  ],
  cells(o, now) {
    const { spec, status, n } = counts(o);
    const [names, images] = containerCells(spec.template);
    const selector = compileSelector(spec.selector);
    return [
      `${n(status.readyReplicas)}/${n(spec.replicas)}`, n(status.updatedReplicas), n(status.availableReplicas),
      since(o.metadata.creationTimestamp, now), names, images, selector ? (spec.selector ? selector.toString() : '') : '<invalid>',
    ];
  },
};
