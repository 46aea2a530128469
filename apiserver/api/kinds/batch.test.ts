import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../object.js';
import { rowCells } from '../table.js';
import { cronJobStrategy, cronJobTable } from './cronjob.js';
import { CronParseError, nextActivation, parseCronSchedule } from './cron-schedule.js';
import { jobFieldSelectors, jobStatusStrategy, jobStrategy, jobTable } from './job.js';
import { createObject, updateObject } from './workload-testing.js';

const uid = '11111111-2222-3333-4444-555555555555';
const podTemplate = (restartPolicy?: string) => ({
  spec: { containers: [{ name: 'pi', image: 'perl:5.34' }], ...(restartPolicy ? { restartPolicy } : {}) },
});
const job = (spec: Record<string, unknown> = {}, name = 'pi'): KubeObject => ({
  apiVersion: 'batch/v1', kind: 'Job', metadata: { name }, spec: { template: podTemplate('Never'), ...spec },
});
const cronJob = (spec: Record<string, unknown> = {}, name = 'hello'): KubeObject => ({
  apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name },
  spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: podTemplate('OnFailure') } }, ...spec },
});
const now = Date.parse('2024-01-01T00:10:00Z');
const row = (t: Parameters<typeof rowCells>[0], o: KubeObject) => rowCells(t, { ...o, metadata: { ...o.metadata, creationTimestamp: '2024-01-01T00:00:00Z' } }, now);
const generatedLabels = {
  'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': uid, 'job-name': 'pi',
};

test('Job defaults: one completion, backoff 6, NonIndexed, and a generated selector and pod labels', () => {
  const { obj, errors } = createObject(jobStrategy, job());
  assert.deepEqual(errors, []);
  const spec = obj.spec as Record<string, unknown>;
  assert.deepEqual(
    [spec.completions, spec.parallelism, spec.backoffLimit, spec.completionMode, spec.suspend, spec.podReplacementPolicy],
    [1, 1, 6, 'NonIndexed', false, 'TerminatingOrFailed'],
  );
  assert.deepEqual(spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
  assert.deepEqual((spec.template as { metadata: unknown }).metadata, { labels: generatedLabels, creationTimestamp: null });
  // The job itself carries its template's labels, as the API server's readers default them.
  assert.deepEqual(obj.metadata.labels, generatedLabels);
  assert.deepEqual(obj.status, {});
  // Only parallelism given: completions stay unset; backoffLimitPerIndex raises the backoff default.
  const open = createObject(jobStrategy, job({ parallelism: 3, completionMode: 'Indexed', completions: 3, backoffLimitPerIndex: 1 })).obj.spec as Record<string, unknown>;
  assert.deepEqual([open.completions, open.parallelism, open.backoffLimit], [3, 3, 2147483647]);
  const parallel = createObject(jobStrategy, job({ parallelism: 3 })).obj.spec as Record<string, unknown>;
  assert.deepEqual([parallel.completions, parallel.parallelism], [undefined, 3]);
});

test('Job validation: restart policy, counts, indexed-only fields and a manual selector', () => {
  assert.deepEqual(createObject(jobStrategy, job({ template: podTemplate() })).errors, [
    'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
  ]);
  assert.deepEqual(createObject(jobStrategy, job({ parallelism: -1, backoffLimit: -2, maxFailedIndexes: 1 })).errors, [
    'spec.parallelism: Invalid value: -1: must be greater than or equal to 0',
    'spec.backoffLimit: Invalid value: -2: must be greater than or equal to 0',
    'spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified',
    'spec.maxFailedIndexes: Invalid value: 1: requires indexed completion mode',
  ]);
  assert.deepEqual(createObject(jobStrategy, job({ completionMode: 'Indexed', completions: 2 }, 'x'.repeat(63))).errors, [
    `metadata.name: Invalid value: "${'x'.repeat(63)}": will not able to create pod with invalid DNS label: ${'x'.repeat(63)}-1`,
  ]);
  assert.deepEqual(createObject(jobStrategy, job({ completionMode: 'Sideways' })).errors, [
    'spec.completionMode: Unsupported value: "Sideways": supported values: "NonIndexed", "Indexed"',
  ]);
  const manual = job({ manualSelector: true, selector: { matchLabels: { app: 'pi' } }, template: { metadata: { labels: { app: 'other' } }, ...podTemplate('Never') } });
  assert.deepEqual(createObject(jobStrategy, manual).errors, [
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
  ]);
  // A selector the user sets without manualSelector must still select the generated labels.
  assert.deepEqual(createObject(jobStrategy, job({ selector: { matchLabels: { app: 'pi' } } })).errors, [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"pi", "batch.kubernetes.io/controller-uid":"11111111-2222-3333-4444-555555555555"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` not auto-generated',
    'spec.template.metadata.labels: Invalid value: map[string]string{"batch.kubernetes.io/controller-uid":"11111111-2222-3333-4444-555555555555", "batch.kubernetes.io/job-name":"pi", "controller-uid":"11111111-2222-3333-4444-555555555555", "job-name":"pi"}: `selector` does not match template `labels`',
  ]);
});

test('Job updates: selector, completions and the template of a started job are immutable; parallelism is not', () => {
  const old = createObject(jobStrategy, job()).obj;
  old.status = { startTime: '2024-01-01T00:00:00Z', active: 1 };
  const scaled = structuredClone(old);
  (scaled.spec as Record<string, unknown>).parallelism = 4;
  assert.deepEqual(updateObject(jobStrategy, old, scaled).errors, []);
  const changed = structuredClone(old);
  const spec = changed.spec as { completions: number; template: { spec: { containers: Array<{ image: string }> } } };
  spec.completions = 5;
  spec.template.spec.containers[0].image = 'perl:5.36';
  const errors = updateObject(jobStrategy, old, changed).errors;
  assert.equal(errors.length, 2);
  assert.equal(errors[0], 'spec.completions: Invalid value: 5: field is immutable');
  assert.match(errors[1], /^spec\.template: Invalid value: core\.PodTemplateSpec\{.*Image:"perl:5\.36".*ObjectMeta:\{.*Labels:map\[string\]string\{"batch\.kubernetes\.io\/controller-uid":.*: field is immutable$/);
  // A suspended job that never started may change its scheduling directives.
  const suspended = createObject(jobStrategy, job({ suspend: true })).obj;
  const placed = structuredClone(suspended);
  (placed.spec as { template: { spec: Record<string, unknown> } }).template.spec.nodeSelector = { zone: 'a' };
  assert.deepEqual(updateObject(jobStrategy, suspended, placed).errors, []);
  const status = structuredClone(old);
  status.status = { active: -1 };
  assert.deepEqual(updateObject(jobStatusStrategy, old, status, 'status').errors, ['status.active: Invalid value: -1: must be greater than or equal to 0']);
});

test('Job table: STATUS COMPLETIONS DURATION and status.successful', () => {
  const j = createObject(jobStrategy, job()).obj;
  assert.deepEqual(row(jobTable, j), ['pi', 'Running', '0/1', '', '10m', 'pi', 'perl:5.34', `batch.kubernetes.io/controller-uid=${uid}`]);
  j.status = {
    startTime: '2024-01-01T00:00:00Z', completionTime: '2024-01-01T00:00:42Z', succeeded: 1,
    conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: 'Complete', status: 'True' }],
  };
  assert.deepEqual(row(jobTable, j).slice(1, 5), ['Complete', '1/1', '42s', '10m']);
  assert.equal(jobFieldSelectors['status.successful'](j), '1');
  const parallel = createObject(jobStrategy, job({ parallelism: 3 })).obj;
  parallel.status = { startTime: '2024-01-01T00:07:00Z', conditions: [{ type: 'Failed', status: 'True' }] };
  assert.deepEqual(row(jobTable, parallel).slice(1, 4), ['Failed', '0/1 of 3', '3m']);
});

test('CronJob defaults and the SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE printer', () => {
  const { obj, errors } = createObject(cronJobStrategy, cronJob());
  assert.deepEqual(errors, []);
  const spec = obj.spec as Record<string, unknown>;
  assert.deepEqual([spec.concurrencyPolicy, spec.suspend, spec.successfulJobsHistoryLimit, spec.failedJobsHistoryLimit], ['Allow', false, 3, 1]);
  const jobTemplate = spec.jobTemplate as { metadata: unknown; spec: Record<string, unknown> };
  assert.deepEqual(jobTemplate.metadata, { creationTimestamp: null });
  // The job template's own defaults (completions, backoffLimit) are left to the Job it creates.
  assert.equal(jobTemplate.spec.backoffLimit, undefined);
  assert.deepEqual(obj.status, {});
  assert.deepEqual(row(cronJobTable, obj), ['hello', '*/5 * * * *', '<none>', 'False', 0, '<none>', '10m', 'pi', 'perl:5.34', '<none>']);
  obj.status = { active: [{ name: 'hello-1' }], lastScheduleTime: '2024-01-01T00:05:00Z' };
  (obj.spec as Record<string, unknown>).timeZone = 'Europe/Paris';
  assert.deepEqual(row(cronJobTable, obj).slice(1, 6), ['*/5 * * * *', 'Europe/Paris', 'False', 1, '5m']);
});

test('CronJob validation: robfig/cron messages, time zones, policy, the name limit and the job template', () => {
  const errorsFor = (spec: Record<string, unknown>, name?: string) => createObject(cronJobStrategy, cronJob(spec, name)).errors;
  assert.deepEqual(errorsFor({ schedule: 'foo' }), ['spec.schedule: Invalid value: "foo": expected exactly 5 fields, found 1: [foo]']);
  assert.deepEqual(errorsFor({ schedule: '61 * * * *' }), ['spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61']);
  assert.deepEqual(errorsFor({ schedule: '* * * * mon-x' }), [
    'spec.schedule: Invalid value: "* * * * mon-x": failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax',
  ]);
  assert.deepEqual(errorsFor({ schedule: '@fortnightly' }), ['spec.schedule: Invalid value: "@fortnightly": unrecognized descriptor: @fortnightly']);
  assert.deepEqual(errorsFor({ schedule: 'TZ=UTC 0 * * * *' }), [
    'spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
  ]);
  assert.deepEqual(errorsFor({ schedule: '' }), ['spec.schedule: Required value']);
  assert.deepEqual(errorsFor({ timeZone: 'Mars/Olympus' }), ['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus']);
  assert.deepEqual(errorsFor({ timeZone: 'Local' }), [
    'spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones',
  ]);
  assert.deepEqual(errorsFor({ timeZone: 'Asia/Tokyo', concurrencyPolicy: 'Sometimes' }), [
    'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
  ]);
  assert.deepEqual(errorsFor({}, 'n'.repeat(53)), [`metadata.name: Invalid value: "${'n'.repeat(53)}": must be no more than 52 characters`]);
  assert.deepEqual(errorsFor({ jobTemplate: { spec: { template: podTemplate('Always'), selector: { matchLabels: { a: 'b' } } } } }), [
    'spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
    'spec.jobTemplate.spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"a":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` will be auto-generated',
  ]);
  // An old object that already used TZ= in its schedule keeps validating.
  const old = createObject(cronJobStrategy, cronJob()).obj;
  (old.spec as Record<string, unknown>).schedule = 'TZ=UTC 0 * * * *';
  const next = structuredClone(old);
  (next.spec as Record<string, unknown>).suspend = true;
  assert.deepEqual(updateObject(cronJobStrategy, old, next).errors, []);
});

test('cron schedules: ranges, steps, names, descriptors and the next activation', () => {
  const next = (spec: string, after: string) => nextActivation(parseCronSchedule(spec), new Date(after))?.toISOString();
  assert.equal(next('*/15 * * * *', '2024-01-01T00:07:30Z'), '2024-01-01T00:15:00.000Z');
  assert.equal(next('0 9 * * mon-fri', '2024-01-05T10:00:00Z'), '2024-01-08T09:00:00.000Z');
  assert.equal(next('30 2 1 */3 *', '2024-02-10T00:00:00Z'), '2024-04-01T02:30:00.000Z');
  assert.equal(next('0 0 13 * 5', '2024-01-01T00:00:00Z'), '2024-01-05T00:00:00.000Z'); // dom OR dow when both are restricted
  assert.equal(next('@monthly', '2024-01-31T12:00:00Z'), '2024-02-01T00:00:00.000Z');
  assert.equal(next('@every 90s', '2024-01-01T00:00:00.500Z'), '2024-01-01T00:01:30.000Z');
  assert.equal(next('0 0 30 2 *', '2024-01-01T00:00:00Z'), undefined);
  assert.throws(() => parseCronSchedule('5-1 * * * *'), new CronParseError('beginning of range (5) beyond end of range (1): 5-1'));
  assert.throws(() => parseCronSchedule('*/0 * * * *'), new CronParseError('step of range should be a positive number: */0'));
});
