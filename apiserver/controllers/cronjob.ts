// cronjob-controller: creates a Job for each scheduled time, as Kubernetes' CronJob controller
// (v2) does. Job names are <cronjob>-<minutes since the epoch> so a time is never run twice;
// startingDeadlineSeconds drops late runs, concurrencyPolicy Forbid skips while one runs and
// Replace deletes the running one; finished Jobs beyond the history limits are deleted; status
// keeps the active Jobs, lastScheduleTime and lastSuccessfulTime. The queue wakes each CronJob
// at its next run.
import { isAlreadyExists, isNotFound } from '../../lib/client/api-error.js';
import { runController } from '../../lib/client/controller.js';
import { referenceTo, type EventRecorder, type ObjectRef } from '../../lib/client/events.js';
import type { Informer } from '../../lib/client/informer.js';
import type { ResourceClient } from '../../lib/client/rest-client.js';
import { objectKey, rfc3339 } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import type { ControllerContext, ControllerDescriptor } from './context.js';
import { checkTimeZone, jobNameFor, mostRecentRun, nextRun, parseZonedSchedule, rfc3339InZone, scheduleWithZone, type ZonedSchedule } from './cron-time.js';
import { controlledBy, indexByController } from './owner-index.js';
import { isNamespaceTerminating } from './pod-control.js';
import { resolveOwner } from './pod-events.js';
import { controllerRefOf, newControllerRef } from './pod-helpers.js';
import { resources } from '../../lib/client/resource-types.js';
import type { CronJob, Job } from './workload-types.js';

const workers = 5;
const typeMeta = { apiVersion: 'batch/v1', kind: 'CronJob' };
/** The queue wakes a CronJob this long after its scheduled time, so the time has surely passed. */
const nextScheduleDeltaMs = 100;
export const scheduledTimestampAnnotation = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

export const cronJobController: ControllerDescriptor = {
  name: 'cronjob-controller',
  setup: (ctx) => new CronJobController(ctx),
};

type Finish = 'Complete' | 'Failed' | undefined;

function finishOf(job: Job): Finish {
  const c = (job.status?.conditions ?? []).find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  return c?.type as Finish;
}

class CronJobController {
  readonly cronJobs: Informer<CronJob>;
  readonly jobs: Informer<Job>;
  readonly api: ResourceClient<CronJob>;
  readonly jobApi: ResourceClient<Job>;
  readonly recorder: EventRecorder;
  private readonly queue: WorkQueue<string>;

  constructor(readonly ctx: ControllerContext) {
    this.cronJobs = ctx.informers.informer<CronJob>(resources.cronJobs);
    this.jobs = ctx.informers.informer<Job>(resources.jobs);
    indexByController(this.jobs);
    this.api = ctx.client.resource<CronJob>(resources.cronJobs);
    this.jobApi = ctx.client.resource<Job>(resources.jobs);
    this.recorder = ctx.recorder('cronjob-controller');
    this.queue = new WorkQueue<string>(ctx.clock);
    const enqueue = (cj: CronJob) => this.queue.add(objectKey(cj));
    this.cronJobs.on({ add: enqueue, update: (_, cj) => enqueue(cj) });
    const owner = (j: Job) => resolveOwner(this.cronJobs, 'CronJob', j.metadata?.namespace ?? '', controllerRefOf(j));
    const jobChanged = (j: Job) => {
      const cj = owner(j);
      if (cj) enqueue(cj);
    };
    this.jobs.on({ add: jobChanged, update: (old, j) => { jobChanged(old); jobChanged(j); }, delete: jobChanged });
  }

  run(signal: AbortSignal): Promise<void> {
    return runController({
      name: 'cronjob-controller', queue: this.queue, workers, signal, waitFor: [this.cronJobs, this.jobs],
      sync: async (key) => {
        const after = await this.sync(key);
        if (after !== undefined) this.queue.addAfter(key, after);
      },
    });
  }

  /** One sync; returns when to look again (ms), if at all. */
  private async sync(key: string): Promise<number | undefined> {
    const cached = this.cronJobs.cache.get(key);
    if (!cached) {
      this.written.delete(key);
      return undefined;
    }
    const cj = structuredClone(newer(cached, this.written.get(key)));
    const jobs = controlledBy(this.jobs, cj.metadata?.uid ?? '');
    const run = new CronJobSync(this, cj);
    const cleaned = await run.cleanupFinishedJobs(jobs);
    const { requeueAfter, changed, error } = await run.syncCronJob(jobs);
    if (cleaned || changed) this.written.set(key, await this.api.updateStatus(run.cronJob));
    if (error) throw error;
    return requeueAfter;
  }

  /**
   * The status this controller last wrote per CronJob: a sync woken by a Job event may run
   * before the CronJob's own watch event arrives, and must not act on the older status.
   */
  private readonly written = new Map<string, CronJob>();
}

class CronJobSync {
  private readonly ref: ObjectRef;

  constructor(private readonly c: CronJobController, readonly cronJob: CronJob) {
    this.ref = referenceTo(cronJob, typeMeta);
  }

  private get status(): NonNullable<CronJob['status']> {
    return (this.cronJob.status ??= {});
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.c.recorder.event(this.ref, type, reason, message);
  }

  private removeActive(uid: string | undefined): void {
    const rest = (this.status.active ?? []).filter((r) => r.uid !== uid);
    if (rest.length) this.status.active = rest;
    else delete this.status.active;
  }

  /** Deletes finished Jobs beyond successfulJobsHistoryLimit and failedJobsHistoryLimit, oldest first. */
  async cleanupFinishedJobs(jobs: Job[]): Promise<boolean> {
    const spec = this.cronJob.spec;
    if (spec?.successfulJobsHistoryLimit == null && spec?.failedJobsHistoryLimit == null) return false;
    let changed = false;
    for (const [kind, limit] of [['Complete', spec?.successfulJobsHistoryLimit], ['Failed', spec?.failedJobsHistoryLimit]] as const) {
      if (limit === undefined || limit === null) continue;
      const finished = jobs.filter((j) => finishOf(j) === kind).sort(byStartTime);
      for (const j of finished.slice(0, Math.max(0, finished.length - limit))) {
        if (await this.deleteJob(j)) changed = true;
      }
    }
    return changed;
  }

  private async deleteJob(job: Job): Promise<boolean> {
    try {
      await this.c.jobApi.delete(job.metadata?.namespace ?? '', job.metadata?.name ?? '', { propagationPolicy: 'Background' });
    } catch (err) {
      if (!isNotFound(err)) {
        this.event('Warning', 'FailedDelete', `Deleted job: ${(err as Error).message}`);
        return false;
      }
    }
    this.removeActive(job.metadata?.uid);
    this.event('Normal', 'SuccessfulDelete', `Deleted job ${job.metadata?.name}`);
    return true;
  }

  async syncCronJob(jobs: Job[]): Promise<{ requeueAfter?: number; changed: boolean; error?: unknown }> {
    const cj = this.cronJob;
    const now = this.c.ctx.clock.now();
    let changed = false;
    const children = new Set<string>();
    for (const j of jobs) {
      const uid = j.metadata?.uid ?? '';
      children.add(uid);
      const listed = (this.status.active ?? []).some((r) => r.uid === uid);
      const finish = finishOf(j);
      if (!listed && !finish) {
        // Perhaps only the cache is behind: ask the API before calling the Job unexpected.
        const live = await this.c.api.get(cj.metadata?.namespace ?? '', cj.metadata?.name ?? '');
        if ((live.status?.active ?? []).some((r) => r.uid === uid)) {
          this.cronJob.status = live.status;
          this.cronJob.metadata = live.metadata;
          continue;
        }
        this.event('Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata?.name}`);
      } else if (listed && finish) {
        this.removeActive(uid);
        this.event('Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata?.name}, condition: ${finish}`);
        changed = true;
      } else if (finish === 'Complete' && j.status?.completionTime) {
        const t = j.status.completionTime;
        if (!this.status.lastSuccessfulTime || Date.parse(t) > Date.parse(this.status.lastSuccessfulTime)) {
          this.status.lastSuccessfulTime = t;
          changed = true;
        }
      }
    }
    // Active Jobs that are gone (checked live: the cache may just be slow).
    for (const r of [...(this.status.active ?? [])]) {
      if (children.has(r.uid ?? '')) continue;
      try {
        await this.c.jobApi.get(r.namespace ?? '', r.name ?? '');
      } catch (err) {
        if (!isNotFound(err)) return { changed, error: err };
        this.event('Normal', 'MissingJob', `Active job went missing: ${r.name}`);
        this.removeActive(r.uid);
        changed = true;
      }
    }
    if (cj.metadata?.deletionTimestamp) return { changed };
    const zone = cj.spec?.timeZone;
    if (zone) {
      const bad = checkTimeZone(zone);
      if (bad) {
        this.event('Warning', 'UnknownTimeZone', `invalid timeZone: "${zone}": ${bad}`);
        return { changed };
      }
    }
    if (cj.spec?.suspend) return { changed };
    const spec = cj.spec?.schedule ?? '';
    if (spec.includes('TZ')) {
      this.event('Warning', 'UnsupportedSchedule', `CRON_TZ or TZ used in schedule "${spec}" is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`);
    }
    let sched: ZonedSchedule;
    try {
      sched = parseZonedSchedule(scheduleWithZone(spec, zone ?? undefined));
    } catch (err) {
      this.event('Warning', 'UnparseableSchedule', `unparseable schedule: "${spec}" : ${(err as Error).message}`);
      return { changed };
    }
    const created = Date.parse(cj.metadata?.creationTimestamp ?? '') || now;
    const lastScheduled = this.status.lastScheduleTime ? Date.parse(this.status.lastScheduleTime) : undefined;
    const deadline = cj.spec?.startingDeadlineSeconds;
    let earliest = lastScheduled ?? created;
    if (deadline !== undefined && deadline !== null) earliest = Math.max(earliest, now - deadline * 1000);
    const recent = mostRecentRun(sched, earliest, now);
    const requeue = () => this.nextWake(sched, lastScheduled ?? created, now);
    if (recent.time === undefined) return { changed, requeueAfter: requeue() };
    const scheduled = recent.time;
    if (recent.missed === 'many') {
      this.event('Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    }
    if (deadline !== undefined && deadline !== null && scheduled + deadline * 1000 < now) {
      this.event('Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`);
      return { changed, requeueAfter: requeue() };
    }
    const name = jobNameFor(cj.metadata?.name ?? '', scheduled);
    if ((this.status.active ?? []).some((r) => r.name === name) || lastScheduled === scheduled) return { changed, requeueAfter: requeue() };
    if (cj.spec?.concurrencyPolicy === 'Forbid' && (this.status.active ?? []).length > 0) {
      this.event('Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return { changed, requeueAfter: requeue() };
    }
    if (cj.spec?.concurrencyPolicy === 'Replace') {
      for (const r of [...(this.status.active ?? [])]) {
        let job: Job;
        try {
          job = await this.c.jobApi.get(r.namespace ?? '', r.name ?? '');
        } catch (err) {
          this.event('Warning', 'FailedGet', `Get job: ${(err as Error).message}`);
          return { changed, error: err };
        }
        if (!(await this.deleteJob(job))) return { changed, error: new Error(`could not replace job ${job.metadata?.namespace}/${job.metadata?.name}`) };
        changed = true;
      }
    }
    let job: Job;
    try {
      job = await this.c.jobApi.create(this.jobFor(scheduled, name, sched.zone));
      this.event('Normal', 'SuccessfulCreate', `Created job ${job.metadata?.name}`);
    } catch (err) {
      if (isNamespaceTerminating(err)) return { changed, error: err };
      if (!isAlreadyExists(err)) {
        this.event('Warning', 'FailedCreate', `Error creating job: ${(err as Error).message}`);
        return { changed, error: err };
      }
      // Created earlier, but the status update was lost: record it now (if it is ours).
      job = await this.c.jobApi.get(cj.metadata?.namespace ?? '', name);
      const ours = job.metadata?.ownerReferences?.some((r) => r.controller && r.uid === cj.metadata?.uid);
      if (!ours || (this.status.active ?? []).some((r) => r.uid === job.metadata?.uid)) return { changed };
    }
    this.status.active = [...(this.status.active ?? []), {
      kind: 'Job', namespace: job.metadata?.namespace, name: job.metadata?.name, uid: job.metadata?.uid,
      apiVersion: 'batch/v1', resourceVersion: job.metadata?.resourceVersion,
    }];
    this.status.lastScheduleTime = rfc3339(scheduled);
    return { changed: true, requeueAfter: this.nextWake(sched, scheduled, now) };
  }

  /** getJobFromTemplate2: the template's Job, named for the time, owned by the CronJob. */
  private jobFor(scheduled: number, name: string, zone: string): Job {
    const cj = this.cronJob;
    const template = cj.spec?.jobTemplate;
    return {
      metadata: {
        name, namespace: cj.metadata?.namespace,
        labels: { ...template?.metadata?.labels },
        annotations: { ...template?.metadata?.annotations, [scheduledTimestampAnnotation]: rfc3339InZone(scheduled, zone) },
        ownerReferences: [newControllerRef(cj, typeMeta.apiVersion, typeMeta.kind)],
      },
      spec: structuredClone(template?.spec) as Job['spec'],
    };
  }

  /** nextScheduleTimeDuration: until the run after the most recent one (or after `from`), plus a margin. */
  private nextWake(sched: ZonedSchedule, from: number, now: number): number | undefined {
    const recent = mostRecentRun(sched, from, now).time ?? from;
    const next = nextRun(sched, recent);
    return next === undefined ? undefined : Math.max(0, next + nextScheduleDeltaMs - now);
  }
}

function byStartTime(a: Job, b: Job): number {
  const sa = a.status?.startTime;
  const sb = b.status?.startTime;
  if (!sa || !sb) return sa ? -1 : sb ? 1 : (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1;
  if (sa !== sb) return Date.parse(sa) - Date.parse(sb);
  return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1;
}

/** Go's time.RFC1123Z in UTC: "Mon, 02 Jan 2006 15:04:05 +0000". */
function rfc1123z(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}


/** Whichever copy has the higher resourceVersion (this server's are increasing integers). */
function newer(cached: CronJob, written: CronJob | undefined): CronJob {
  if (!written || written.metadata?.uid !== cached.metadata?.uid) return cached;
  const a = Number(cached.metadata?.resourceVersion);
  const b = Number(written.metadata?.resourceVersion);
  return Number.isFinite(a) && Number.isFinite(b) && b > a ? written : cached;
}
