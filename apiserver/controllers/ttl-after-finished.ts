// ttl-after-finished-controller: deletes finished Jobs ttlSecondsAfterFinished after they
// finished (their Complete or Failed condition's time), in the foreground so their pods go
// first, as Kubernetes' TTL-after-finished controller does. The Job is re-read live before the
// delete, and the delete carries its UID, so a changed TTL or a replaced Job is respected.
import { isNotFound } from '../../lib/client/api-error.js';
import { runController } from '../../lib/client/controller.js';
import { objectKey, splitKey } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import type { ControllerDescriptor } from './context.js';
import { resources } from '../../lib/client/resource-types.js';
import type { Job } from './workload-types.js';

/** When the Job may be deleted (ms), or undefined when it has no TTL or has not finished. */
export function expiresAt(job: Job, now: number): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null || job.metadata?.deletionTimestamp) return undefined;
  const done = (job.status?.conditions ?? []).find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  if (!done) return undefined;
  const at = Date.parse(done.lastTransitionTime ?? '');
  return (Number.isFinite(at) ? at : now) + ttl * 1000;
}

export const ttlAfterFinishedController: ControllerDescriptor = {
  name: 'ttl-after-finished-controller',
  setup(ctx) {
    const jobs = ctx.informers.informer<Job>(resources.jobs);
    const api = ctx.client.resource<Job>(resources.jobs);
    const queue = new WorkQueue<string>(ctx.clock);
    const consider = (j: Job) => {
      if (expiresAt(j, ctx.clock.now()) !== undefined) queue.add(objectKey(j));
    };
    jobs.on({ add: consider, update: (_, j) => consider(j) });

    async function sync(key: string): Promise<void> {
      const cached = jobs.cache.get(key);
      if (!cached) return;
      const at = expiresAt(cached, ctx.clock.now());
      if (at === undefined) return;
      if (at > ctx.clock.now()) {
        queue.addAfter(key, at - ctx.clock.now());
        return;
      }
      // The TTL may have changed since the cache saw it: decide on the live object.
      const { namespace, name } = splitKey(key);
      let live: Job;
      try {
        live = await api.get(namespace, name);
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
      const liveAt = expiresAt(live, ctx.clock.now());
      if (liveAt === undefined) return;
      if (liveAt > ctx.clock.now()) {
        queue.addAfter(key, liveAt - ctx.clock.now());
        return;
      }
      try {
        await api.delete(namespace, name, { propagationPolicy: 'Foreground', preconditions: { uid: live.metadata?.uid } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return { run: (signal) => runController({ name: 'ttl-after-finished-controller', queue, workers: 5, sync, waitFor: [jobs], signal }) };
  },
};
