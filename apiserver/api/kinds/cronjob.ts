// CronJobs: SetDefaults_CronJob, ValidateCronJobCreate/Update (schedule, time zone,
// concurrency policy, job template) and the SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE printer.
import { invalidValue, notSupported, path, required, type FieldError, type FieldPath } from '../field-errors.js';
import type { KubeObject } from '../object.js';
import type { Strategy } from '../resource.js';
import { ageColumn, since, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';
import { maxLenError } from '../validation/names.js';
import { validateNonnegative } from './container-validation.js';
import { CronParseError, parseCronSchedule } from './cron-schedule.js';
import { withDecodeErrors } from './decode.js';
import { goLabelSelector } from './go-format.js';
import { asObject, ensureObject, objects, setDefault, setDefaultString, str, type JsonObject } from './json.js';
import { validateJobSpecCommon } from './job.js';
import { defaultPodTemplateSpec } from './pod-defaults.js';
import { containerCells, containersColumn, imagesColumn } from './template-cells.js';
import { formatLabelSelector } from './workload-validation.js';

export function defaultCronJob(obj: KubeObject): void {
  const spec = ensureObject(obj, 'spec');
  setDefaultString(spec, 'concurrencyPolicy', 'Allow');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'successfulJobsHistoryLimit', 3);
  setDefault(spec, 'failedJobsHistoryLimit', 1);
  const jobTemplate = ensureObject(spec, 'jobTemplate');
  const meta = ensureObject(jobTemplate, 'metadata');
  if (!('creationTimestamp' in meta)) meta.creationTimestamp = null;
  defaultPodTemplateSpec(ensureObject(ensureObject(jobTemplate, 'spec'), 'template'));
}

function validateSchedule(schedule: string, allowTZ: boolean, timeZone: unknown, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  try {
    parseCronSchedule(schedule);
  } catch (err) {
    if (!(err instanceof CronParseError)) throw err;
    errs.push(invalidValue(p, schedule, err.message));
  }
  if (allowTZ && schedule.includes('TZ') && timeZone !== undefined && timeZone !== null) {
    errs.push(invalidValue(p, schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
  } else if (!allowTZ && schedule.includes('TZ')) {
    errs.push(invalidValue(p, schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  return errs;
}

const tzComponent = /^[A-Za-z.\-_0-9+]{1,14}$/;

/** Whether the IANA database (as Node ships it) knows the zone: time.LoadLocation. */
function knownTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function validateTimeZone(timeZone: unknown, p: FieldPath): FieldError[] {
  if (timeZone === undefined || timeZone === null) return [];
  const tz = str(timeZone);
  if (tz.length === 0) return [invalidValue(p, tz, 'timeZone must be nil or non-empty string')];
  if (tz.split('/').some((part) => part === '.' || part === '..' || part.startsWith('-') || !tzComponent.test(part))) {
    return [invalidValue(p, tz, `unknown time zone ${tz}`)];
  }
  const errs: FieldError[] = [];
  if (tz.toLowerCase() === 'local') errs.push(invalidValue(p, tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'));
  else if (!knownTimeZone(tz)) errs.push(invalidValue(p, tz, `unknown time zone ${tz}`));
  return errs;
}

const concurrencyPolicies = ['Allow', 'Forbid', 'Replace'];

function validateCronJobSpec(spec: JsonObject, oldSpec: JsonObject | undefined, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const schedule = str(spec.schedule);
  if (!schedule) errs.push(required(p.child('schedule')));
  else errs.push(...validateSchedule(schedule, !!oldSpec && str(oldSpec.schedule).includes('TZ'), spec.timeZone, p.child('schedule')));
  errs.push(...validateNonnegative(spec.startingDeadlineSeconds, p.child('startingDeadlineSeconds')));
  if (!oldSpec || oldSpec.timeZone !== spec.timeZone) errs.push(...validateTimeZone(spec.timeZone, p.child('timeZone')));
  const policy = str(spec.concurrencyPolicy);
  if (!policy) errs.push(required(p.child('concurrencyPolicy')));
  else if (!concurrencyPolicies.includes(policy)) errs.push(notSupported(p.child('concurrencyPolicy'), policy, concurrencyPolicies));
  const tp = p.child('jobTemplate');
  const jobSpec = asObject(asObject(spec.jobTemplate)?.spec) ?? {};
  errs.push(...validateJobSpecCommon(jobSpec, tp.child('spec')));
  if (jobSpec.selector) errs.push(invalidValue(tp.child('spec', 'selector'), goLabelSelector(jobSpec.selector), '`selector` will be auto-generated'));
  if (jobSpec.manualSelector === true) errs.push(notSupported(tp.child('spec', 'manualSelector'), true, ['nil', 'false']));
  errs.push(...validateNonnegative(spec.successfulJobsHistoryLimit, p.child('successfulJobsHistoryLimit')));
  errs.push(...validateNonnegative(spec.failedJobsHistoryLimit, p.child('failedJobsHistoryLimit')));
  return errs;
}

/** The job names a CronJob creates add 11 characters, and must stay DNS-1035 labels. */
const maxCronJobNameLength = 63 - 11;

export const cronJobStrategy: Strategy = {
  default: (obj) => withDecodeErrors(obj, () => defaultCronJob(obj)),
  prepareForCreate(obj) {
    obj.status = {};
  },
  validate(obj) {
    const errs = validateCronJobSpec(asObject(obj.spec) ?? {}, undefined, path('spec'));
    const name = obj.metadata.name ?? '';
    if (name.length > maxCronJobNameLength) errs.push(invalidValue(path('metadata', 'name'), name, maxLenError(maxCronJobNameLength)));
    return errs;
  },
  validateUpdate: (obj, old) => validateCronJobSpec(asObject(obj.spec) ?? {}, asObject(old.spec) ?? {}, path('spec')),
};

const printBool = (v: unknown) => (typeof v === 'boolean' ? (v ? 'True' : 'False') : '<unset>');

export const cronJobTable: TableDef = {
  columns: [
    col('Schedule', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    col('Timezone', 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.'),
    col('Suspend', 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.', 0, 'boolean'),
    col('Active', 'A list of pointers to currently running jobs.', 0, 'integer'),
    col('Last Schedule', 'Information when was the last time the job was successfully scheduled.'),
    ageColumn, containersColumn, imagesColumn,
    col('Selector', 'A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors', 1),
  ],
  cells(o, now) {
    const spec = asObject(o.spec) ?? {};
    const status = asObject(o.status) ?? {};
    const jobSpec = asObject(asObject(spec.jobTemplate)?.spec) ?? {};
    const [names, images] = containerCells(jobSpec.template);
    const last = str(status.lastScheduleTime);
    return [
      str(spec.schedule), typeof spec.timeZone === 'string' ? spec.timeZone : '<none>', printBool(spec.suspend), objects(status.active).length,
      last ? since(last, now) : '<none>', since(o.metadata.creationTimestamp, now), names, images, formatLabelSelector(jobSpec.selector),
    ];
  },
};
