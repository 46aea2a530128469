// Runs the scheduler inside `k8ts server`, leader-elected on the kube-system/kube-scheduler
// Lease like kube-scheduler, so only one server schedules at a time.
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { logger } from '../../lib/log.js';
import { apiEventSink, EventRecorder, referenceTo } from '../../lib/client/events.js';
import { apiLeaseLock, LeaderElector } from '../../lib/client/leader-election.js';
import type { KubeClient } from '../../lib/client/rest-client.js';
import { resources } from '../../lib/client/resource-types.js';
import type { Lease } from '../../lib/client/types.js';
import { Scheduler } from './scheduler.js';

const log = logger('scheduler');

export interface RunningScheduler {
  stop(): Promise<void>;
}

export function startScheduler(opts: { client: KubeClient; leaderElect: boolean }): RunningScheduler {
  const stopper = new AbortController();
  setMaxListeners(0, stopper.signal);
  const runs: Promise<void>[] = [];
  const lead = (signal: AbortSignal) => {
    runs.push(new Scheduler({ client: opts.client }).run(signal).catch((err: unknown) => log.error({ err: (err as Error).message }, 'scheduler failed')));
  };
  if (!opts.leaderElect) lead(stopper.signal);
  else {
    const identity = `${hostname()}_${randomUUID()}`;
    const recorder = new EventRecorder(apiEventSink(opts.client), { component: 'kube-scheduler' });
    const elector: LeaderElector = new LeaderElector({
      lock: apiLeaseLock(opts.client.resource<Lease>(resources.leases), 'kube-system', 'kube-scheduler'),
      identity,
      onStartedLeading: (signal) => {
        const lease = elector.lease;
        if (lease) recorder.event(referenceTo(lease, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' }), 'Normal', 'LeaderElection', `${identity} became leader`);
        lead(signal);
      },
    });
    runs.push(elector.run(stopper.signal)
      .catch((err: unknown) => log.error({ err: (err as Error).message }, 'leader election failed'))
      .finally(() => recorder.close()));
  }
  return {
    async stop() {
      stopper.abort();
      await Promise.allSettled(runs);
    },
  };
}
