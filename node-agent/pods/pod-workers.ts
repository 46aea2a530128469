// One worker per pod, as kubelet's podWorkers: work for a pod is serialized (a sync never
// overlaps the next), updates that arrive meanwhile collapse into one more pass, and a pod
// moves one way through syncing -> terminating -> terminated, then is forgotten once it is
// also gone from its source. Timers bring a pod back (backoff expiry, periodic resync).
import { logger } from '../../lib/log.js';
import type { Pod } from '../kube-types.js';

const log = logger('pod-workers');

export type PodPhaseOfLife = 'syncing' | 'terminating' | 'terminated';

export interface SyncOutcome {
  /** The pod reached a terminal phase: terminate it. */
  terminal?: boolean;
  /** Come back after this long (backoff expiry, a failed step). */
  requeueMs?: number;
}

/** The work itself, supplied by the pod syncer. */
export interface PodLifecycle {
  sync(pod: Pod): Promise<SyncOutcome>;
  /** Stops everything of the pod; `gracePeriod` overrides the pod's own. */
  terminate(pod: Pod, gracePeriod: number | undefined): Promise<void>;
  /** After termination: volumes and cgroups go; a deleted API pod is removed from the API. */
  terminated(pod: Pod): Promise<void>;
  /** The pod is gone from its source: remove what is left of it from the node. */
  forget(uid: string, pod: Pod | undefined): Promise<void>;
}

interface Worker {
  uid: string;
  pod: Pod;
  state: PodPhaseOfLife;
  /** Gone from its source (API or manifest dir). */
  removed: boolean;
  pending: boolean;
  running: boolean;
  timer?: NodeJS.Timeout;
  /** Consecutive failures, for the retry delay. */
  failures: number;
}

/** Whether two versions of a pod differ in more than status and bookkeeping. */
export function differsSemantically(a: Pod, b: Pod): boolean {
  const view = (p: Pod) => JSON.stringify([
    p.spec, p.metadata?.labels, p.metadata?.annotations, p.metadata?.deletionTimestamp, p.metadata?.deletionGracePeriodSeconds,
  ]);
  return view(a) !== view(b);
}

/** kubelet re-syncs every pod at least this often (syncFrequency). */
const RESYNC_MS = 60_000;
const MAX_RETRY_MS = 10_000;

export class PodWorkers {
  private readonly workers = new Map<string, Worker>();
  private stopped = false;
  private readonly idle = new Set<() => void>();

  /** `resyncMs`: every pod is synced at least this often (kubelet's --sync-frequency). */
  constructor(private readonly lifecycle: PodLifecycle, private readonly resyncMs = RESYNC_MS) {}

  /**
   * A pod was added or changed in its source. Changes of its status alone (mostly our own
   * writes coming back) do not call for a sync, as kubelet's pod config filters them.
   */
  update(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    if (!uid || this.stopped) return;
    let w = this.workers.get(uid);
    if (!w) {
      w = { uid, pod, state: 'syncing', removed: false, pending: false, running: false, failures: 0 };
      this.workers.set(uid, w);
    } else if (!w.removed && !differsSemantically(w.pod, pod)) {
      w.pod = pod;
      return;
    }
    w.pod = pod;
    w.removed = false;
    this.kick(w);
  }

  /** The pod is gone from its source. */
  remove(uid: string): void {
    const w = this.workers.get(uid);
    if (!w) return;
    w.removed = true;
    this.kick(w);
  }

  /** Something about the pod changed on the node (runtime event, probe verdict). */
  trigger(uid: string): void {
    const w = this.workers.get(uid);
    if (w) this.kick(w);
  }

  has(uid: string): boolean {
    return this.workers.has(uid);
  }

  pod(uid: string): Pod | undefined {
    return this.workers.get(uid)?.pod;
  }

  state(uid: string): PodPhaseOfLife | undefined {
    return this.workers.get(uid)?.state;
  }

  uids(): string[] {
    return [...this.workers.keys()];
  }

  /** Stops scheduling new work and waits for passes in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.workers.values()) if (w.timer) clearTimeout(w.timer);
    while ([...this.workers.values()].some((w) => w.running)) await new Promise<void>((r) => this.idle.add(r));
  }

  private kick(w: Worker): void {
    w.pending = true;
    if (!w.running && !this.stopped) void this.loop(w);
  }

  private later(w: Worker, ms: number): void {
    if (w.timer) clearTimeout(w.timer);
    w.timer = setTimeout(() => {
      w.timer = undefined;
      this.kick(w);
    }, ms);
    w.timer.unref();
  }

  private async loop(w: Worker): Promise<void> {
    w.running = true;
    try {
      while (w.pending && !this.stopped) {
        w.pending = false;
        let next = this.resyncMs;
        try {
          next = await this.step(w);
          w.failures = 0;
        } catch (err) {
          w.failures++;
          next = Math.min(MAX_RETRY_MS, 500 * 2 ** Math.min(w.failures, 5));
          log.warn({ pod: `${w.pod.metadata?.namespace}/${w.pod.metadata?.name}`, state: w.state, err: (err as Error).message }, 'pod sync failed');
        }
        if (!this.workers.has(w.uid)) return;
        if (next >= 0) this.later(w, next);
      }
    } finally {
      w.running = false;
      for (const r of this.idle) r();
      this.idle.clear();
    }
  }

  /** One pass; returns when to come back (-1: never). */
  private async step(w: Worker): Promise<number> {
    const pod = w.pod;
    if (w.state === 'syncing') {
      if (w.removed || pod.metadata?.deletionTimestamp) {
        w.state = 'terminating';
      } else {
        const out = await this.lifecycle.sync(pod);
        if (!out.terminal) return Math.min(out.requeueMs ?? this.resyncMs, this.resyncMs);
        w.state = 'terminating';
      }
    }
    if (w.state === 'terminating') {
      const grace = w.removed && !pod.metadata?.deletionTimestamp ? undefined : pod.metadata?.deletionGracePeriodSeconds;
      await this.lifecycle.terminate(pod, grace);
      w.state = 'terminated';
    }
    if (w.state === 'terminated') {
      await this.lifecycle.terminated(pod);
      if (w.removed) {
        await this.lifecycle.forget(w.uid, pod);
        if (w.timer) clearTimeout(w.timer);
        this.workers.delete(w.uid);
        return -1;
      }
      return this.resyncMs;
    }
    return this.resyncMs;
  }
}
