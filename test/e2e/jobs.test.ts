// Jobs and CronJobs end to end with real kubectl and two simulated nodes (whose pods "run" for a
// second and exit as their annotations say): completions and parallelism, Indexed jobs,
// backoffLimit failing a Job, activeDeadlineSeconds, suspend, ttlSecondsAfterFinished,
// `kubectl create job --from=cronjob/...`, and a CronJob creating its Job on schedule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../lib/cluster.js';
import { useCluster, withManifest } from '../lib/fixture.js';

const run1s = ['--pod-run-duration', '1s'];
const { cluster: c } = useCluster({ nodes: [{ name: 'node-a', args: run1s }, { name: 'node-b', args: run1s }] });
const apply = (yaml: string): Promise<string> => withManifest(c, 'apply', yaml);

const job = (name: string, spec: string, annotations = '{}') => `
apiVersion: batch/v1
kind: Job
metadata: {name: ${name}}
spec:
${spec}
  template:
    metadata: {annotations: ${annotations}}
    spec:
      restartPolicy: Never
      containers: [{name: work, image: "busybox:1"}]
`;

type Condition = { type: string; status: string; reason?: string; message?: string };
const status = async (name: string) => JSON.parse(await c.k('get', 'job', name, '-o', 'jsonpath={.status}')) as Record<string, unknown> & { conditions?: Condition[] };

async function waitFor(name: string, condition: 'complete' | 'failed', timeout = 60): Promise<void> {
  const r = await c.kubectl(['wait', `--for=condition=${condition}`, `job/${name}`, `--timeout=${timeout}s`], { timeoutMs: (timeout + 10) * 1000 });
  assert.equal(r.code, 0, r.stderr);
}

test('a Job runs its completions with at most `parallelism` pods, then is Complete', async () => {
  await apply(job('pi', '  completions: 4\n  parallelism: 2'));
  await waitFor('pi', 'complete');
  const s = await status('pi');
  assert.equal(s.succeeded, 4);
  assert.deepEqual(s.conditions?.map((x) => [x.type, x.status, x.reason]), [
    ['SuccessCriteriaMet', 'True', 'CompletionsReached'], ['Complete', 'True', 'CompletionsReached'],
  ]);
  assert.ok(s.completionTime && s.startTime);
  assert.deepEqual(s.uncountedTerminatedPods, {});
  const line = (await c.k('get', 'job', 'pi', '--no-headers')).trim().split(/\s+/);
  assert.deepEqual(line.slice(0, 3), ['pi', 'Complete', '4/4']);
  const pods = JSON.parse(await c.k('get', 'pods', '-l', 'job-name=pi', '-o', 'json')).items as Array<{ metadata: { finalizers?: string[] }; status: { phase: string } }>;
  assert.equal(pods.length, 4);
  assert.ok(pods.every((p) => p.status.phase === 'Succeeded' && !p.metadata.finalizers?.length), 'counted pods lose the job-tracking finalizer');
  const events = await c.k('get', 'events', '--field-selector', 'involvedObject.kind=Job,involvedObject.name=pi', '-o', 'jsonpath={range .items[*]}{.reason}{"\\n"}{end}');
  assert.match(events, /SuccessfulCreate/);
  assert.match(events, /Completed/);
});

test('an Indexed Job gives each pod its completion index', async () => {
  await apply(job('idx', '  completions: 3\n  parallelism: 3\n  completionMode: Indexed'));
  await waitFor('idx', 'complete');
  assert.equal((await status('idx')).completedIndexes, '0-2');
  const pods = await c.k('get', 'pods', '-l', 'job-name=idx', '-o', 'jsonpath={range .items[*]}{.metadata.annotations.batch\\.kubernetes\\.io/job-completion-index}={.spec.hostname}{"\\n"}{end}');
  assert.deepEqual(pods.trim().split('\n').sort(), ['0=idx-0', '1=idx-1', '2=idx-2']);
});

test('failing pods past backoffLimit fail the Job: FailureTarget then Failed, BackoffLimitExceeded', async () => {
  await apply(job('bad', '  backoffLimit: 0', '{k8ts.io/simulated-exit-code: "1"}'));
  await waitFor('bad', 'failed');
  const s = await status('bad');
  assert.equal(s.failed, 1);
  assert.deepEqual(s.conditions?.map((x) => [x.type, x.reason, x.message]), [
    ['FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
    ['Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
  ]);
  assert.match(await c.k('get', 'job', 'bad', '--no-headers'), /^bad\s+Failed\s+0\/1\s/);
  const events = await c.k('get', 'events', '--field-selector', 'involvedObject.name=bad,type=Warning', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}');
  assert.match(events, /BackoffLimitExceeded: Job has reached the specified backoff limit/);
});

test('a retried failure waits out the pod backoff before the next pod', async () => {
  await apply(job('retry', '  backoffLimit: 1', '{k8ts.io/simulated-exit-code: "1"}'));
  await waitFor('retry', 'failed', 90);
  const pods = JSON.parse(await c.k('get', 'pods', '-l', 'job-name=retry', '-o', 'json')).items as Array<{ metadata: { creationTimestamp: string } }>;
  assert.equal(pods.length, 2);
  const [a, b] = pods.map((p) => Date.parse(p.metadata.creationTimestamp)).sort();
  assert.ok(b - a >= 10_000, `the second pod came ${b - a} ms after the first`);
  assert.equal((await status('retry')).failed, 2);
});

test('activeDeadlineSeconds fails a Job that runs too long (DeadlineExceeded), deleting its pods', async () => {
  await apply(job('slow', '  activeDeadlineSeconds: 2', '{k8ts.io/simulated-run-seconds: "600"}'));
  await waitFor('slow', 'failed');
  const failed = (await status('slow')).conditions?.find((x) => x.type === 'Failed');
  assert.deepEqual([failed?.reason, failed?.message], ['DeadlineExceeded', 'Job was active longer than specified deadline']);
  await eventually(async () => (await c.k('get', 'pods', '-l', 'job-name=slow', '-o', 'name')).trim() === '', 30_000);
});

test('a suspended Job runs nothing until resumed', async () => {
  await apply(job('later', '  suspend: true'));
  await eventually(async () => (await status('later')).conditions?.some((x) => x.type === 'Suspended' && x.status === 'True'));
  assert.match(await c.k('get', 'job', 'later', '--no-headers'), /^later\s+Suspended\s/);
  assert.equal((await c.k('get', 'pods', '-l', 'job-name=later', '-o', 'name')).trim(), '');
  await c.k('patch', 'job', 'later', '--type=merge', '-p', '{"spec":{"suspend":false}}');
  await waitFor('later', 'complete');
  const resumed = (await status('later')).conditions?.find((x) => x.type === 'Suspended');
  assert.deepEqual([resumed?.status, resumed?.reason], ['False', 'JobResumed']);
});

test('ttlSecondsAfterFinished deletes the finished Job and its pods', async () => {
  await apply(job('brief', '  ttlSecondsAfterFinished: 1'));
  await waitFor('brief', 'complete');
  await eventually(async () => (await c.kubectl(['get', 'job', 'brief'])).code === 1, 30_000);
  await eventually(async () => (await c.k('get', 'pods', '-l', 'job-name=brief', '-o', 'name')).trim() === '', 30_000);
});

const cronJob = `
apiVersion: batch/v1
kind: CronJob
metadata: {name: tick}
spec:
  schedule: "*/1 * * * *"
  timeZone: Europe/Paris
  successfulJobsHistoryLimit: 2
  jobTemplate:
    metadata: {labels: {from: tick}}
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: tick, image: "busybox:1"}]
`;

test('kubectl create job --from=cronjob/... makes a Job owned by the CronJob', async () => {
  await apply(cronJob);
  const out = await c.k('create', 'job', 'manual-tick', '--from=cronjob/tick');
  assert.equal(out.trim(), 'job.batch/manual-tick created');
  const j = JSON.parse(await c.k('get', 'job', 'manual-tick', '-o', 'json'));
  assert.equal(j.metadata.annotations['cronjob.kubernetes.io/instantiate'], 'manual');
  assert.deepEqual([j.metadata.ownerReferences[0].kind, j.metadata.ownerReferences[0].name], ['CronJob', 'tick']);
  await waitFor('manual-tick', 'complete');
});

test('a CronJob creates its Job on schedule, named after the scheduled minute', async () => {
  // Up to a minute until the next */1 time, plus the run.
  const name = await eventually(async () => {
    const names = (await c.k('get', 'jobs', '-l', 'from=tick', '-o', 'jsonpath={.items[*].metadata.name}')).split(' ').filter((n) => /^tick-\d+$/.test(n));
    return names[0];
  }, 80_000, 1000);
  const minute = Number(name.slice('tick-'.length));
  const j = JSON.parse(await c.k('get', 'job', name, '-o', 'json'));
  const scheduled = j.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp'];
  assert.equal(Date.parse(scheduled), minute * 60_000);
  assert.match(scheduled, /\+0[12]:00$/, 'written in the CronJob time zone');
  await waitFor(name, 'complete');
  await eventually(async () => {
    const s = JSON.parse(await c.k('get', 'cronjob', 'tick', '-o', 'jsonpath={.status}'));
    return s.lastScheduleTime === new Date(minute * 60_000).toISOString().replace('.000Z', 'Z') && !!s.lastSuccessfulTime;
  }, 30_000);
  const events = await c.k('get', 'events', '--field-selector', 'involvedObject.kind=CronJob,involvedObject.name=tick', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}');
  assert.match(events, new RegExp(`SuccessfulCreate: Created job ${name}`));
  assert.match(events, new RegExp(`SawCompletedJob: Saw completed job: ${name}, condition: Complete`));
});
