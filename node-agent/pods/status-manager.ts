// Reports pod statuses to the API through pods/status, like kubelet's status manager: the
// latest status per pod wins, writes for one pod never overlap or go out of order, unchanged
// statuses are not sent, and static pods report through their mirror pod.
import { logger } from '../../lib/log.js';
import { isNotFound } from '../../lib/client/api-error.js';
import type { ResourceClient } from '../../lib/client/rest-client.js';
import type { Pod } from '../kube-types.js';
import { agentMetrics } from '../stats/agent-metrics.js';

const log = logger('status-manager');

type PodStatus = NonNullable<Pod['status']>;

/** Where a pod's status goes: the API pod itself, or a static pod's mirror. */
export interface StatusTarget {
  namespace: string;
  name: string;
  uid: string;
}

interface Entry {
  target: StatusTarget;
  status: PodStatus;
  /** JSON of the last status the API accepted. */
  written?: string;
  /** The API's status when this entry was queued: keys it has that we dropped are nulled. */
  apiStatus?: PodStatus;
  writing: boolean;
  dirty: boolean;
  waiters: Array<() => void>;
  /** When the pod was first seen, until it runs (kubelet_pod_start_duration_seconds). */
  firstSeenMs?: number;
}

/** Status fields whose absence must be written as null (merge patch), e.g. a cleared reason. */
const CLEARABLE = ['reason', 'message', 'podIP', 'podIPs', 'nominatedNodeName', 'initContainerStatuses'] as const;

export class StatusManager {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly pods: ResourceClient<Pod>) {}

  /** The status last set for a pod (what the next sync builds on). */
  get(uid: string): PodStatus | undefined {
    return this.entries.get(uid)?.status;
  }

  /** Sets the pod's status; it is written in the background. Resolves once written (or dropped). */
  set(uid: string, target: StatusTarget, status: PodStatus, apiStatus: PodStatus | undefined): Promise<void> {
    let e = this.entries.get(uid);
    if (!e) {
      // A pod already running when first seen (adopted after a restart) has no start to measure.
      e = { target, status, writing: false, dirty: false, waiters: [], firstSeenMs: status.phase === 'Running' ? undefined : Date.now() };
      this.entries.set(uid, e);
    }
    if (e.firstSeenMs !== undefined && status.phase === 'Running') {
      agentMetrics.podStarted((Date.now() - e.firstSeenMs) / 1000);
      e.firstSeenMs = undefined;
    }
    e.target = target;
    e.status = status;
    e.apiStatus = apiStatus;
    if (e.written === JSON.stringify(status) && sameApi(apiStatus, status)) return Promise.resolve();
    e.dirty = true;
    const done = new Promise<void>((r) => e.waiters.push(r));
    if (!e.writing) void this.drain(uid, e);
    return done;
  }

  /** Forgets a pod that is gone. */
  remove(uid: string): void {
    const e = this.entries.get(uid);
    if (!e) return;
    for (const w of e.waiters.splice(0)) w();
    this.entries.delete(uid);
  }

  private async drain(uid: string, e: Entry): Promise<void> {
    e.writing = true;
    try {
      while (e.dirty) {
        e.dirty = false;
        const status = e.status;
        const json = JSON.stringify(status);
        const waiters = e.waiters.splice(0);
        try {
          await this.write(e.target, status, e.apiStatus);
          e.written = json;
        } catch (err) {
          if (isNotFound(err)) {
            log.debug({ pod: `${e.target.namespace}/${e.target.name}` }, 'pod gone: status dropped');
          } else {
            log.warn({ pod: `${e.target.namespace}/${e.target.name}`, err: (err as Error).message }, 'status update failed: retrying');
            e.dirty = true;
            e.waiters.push(...waiters);
            await new Promise((r) => setTimeout(r, 1000).unref());
            if (!this.entries.has(uid)) return;
            continue;
          }
        }
        for (const w of waiters) w();
      }
    } finally {
      e.writing = false;
    }
  }

  private async write(target: StatusTarget, status: PodStatus, apiStatus: PodStatus | undefined): Promise<void> {
    const patch: Record<string, unknown> = { ...status };
    for (const k of CLEARABLE) if (apiStatus?.[k] !== undefined && status[k] === undefined) patch[k] = null;
    await this.pods.patch(target.namespace, target.name, { metadata: { uid: target.uid }, status: patch }, 'merge', { subresource: 'status' });
  }
}

/** Whether the API already shows exactly this status (nothing to write). */
function sameApi(api: PodStatus | undefined, status: PodStatus): boolean {
  return api !== undefined && JSON.stringify(api) === JSON.stringify(status);
}
