// The scheduling queue, as kube-scheduler's: pods wait in an active heap ordered by priority
// (then by when they arrived); a pod that failed waits out a backoff (1 s doubling to 10 s); an
// unschedulable pod waits until the cluster changes (a node appears or changes, a pod goes
// away) or five minutes pass, then retries.
import type { Clock, TimerHandle } from '../../lib/client/clock.js';
import type { PodInfo } from './types.js';

export interface QueuedPod {
  info: PodInfo;
  /** When the pod first entered the queue (orders equal priorities; measures latency). */
  timestamp: number;
  attempts: number;
  /** The scheduling cycle in which the pod was last popped. */
  cycle: number;
  lastFailure: number;
}

type Where = 'active' | 'backoff' | 'unschedulable' | 'inflight';

const initialBackoffMs = 1_000;
const maxBackoffMs = 10_000;
const unschedulableTimeoutMs = 5 * 60_000;

export class SchedulingQueue {
  private readonly pods = new Map<string, { qp: QueuedPod; where: Where; seq: number }>();
  private heap: Array<{ key: string; seq: number; priority: number; timestamp: number }> = [];
  private seq = 0;
  private cycle = 0;
  /** The cycle at which the cluster last changed: pods that failed before it deserve a retry. */
  private moveRequestCycle = -1;
  private waiters: Array<(qp: QueuedPod | undefined) => void> = [];
  private timers: TimerHandle[] = [];
  private closed = false;

  constructor(private readonly clock: Clock) {
    const flushBackoff = () => {
      this.flushBackoff();
      this.timers[0] = clock.setTimer(flushBackoff, 1_000);
    };
    const flushStale = () => {
      this.flushUnschedulable();
      this.timers[1] = clock.setTimer(flushStale, 30_000);
    };
    this.timers = [clock.setTimer(flushBackoff, 1_000), clock.setTimer(flushStale, 30_000)];
  }

  get size(): number {
    return this.pods.size;
  }

  /** Pods waiting in each part of the queue (for logs and tests). */
  counts(): Record<Where, number> {
    const c: Record<Where, number> = { active: 0, backoff: 0, unschedulable: 0, inflight: 0 };
    for (const e of this.pods.values()) c[e.where]++;
    return c;
  }

  has(key: string): boolean {
    return this.pods.has(key);
  }

  /** A new pending pod. */
  add(info: PodInfo): void {
    if (this.pods.has(info.key)) {
      this.update(info);
      return;
    }
    this.activate({ info, timestamp: this.clock.now(), attempts: 0, cycle: 0, lastFailure: 0 });
  }

  /**
   * A pending pod changed: the new version replaces the old. An unschedulable pod gets another
   * try only if its spec or metadata changed (not for status writes, the scheduler's own included).
   */
  update(info: PodInfo, specChanged = true): void {
    const cur = this.pods.get(info.key);
    if (!cur) {
      this.add(info);
      return;
    }
    cur.qp.info = info;
    if (cur.where === 'unschedulable' && specChanged) this.activate(cur.qp);
  }

  delete(key: string): void {
    this.pods.delete(key);
  }

  /** The most important active pod, once there is one; undefined after close(). */
  pop(): Promise<QueuedPod | undefined> {
    const qp = this.takeActive();
    if (qp || this.closed) return Promise.resolve(qp);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Scheduled (or given up on): forget the pod. */
  done(key: string): void {
    const e = this.pods.get(key);
    if (e?.where === 'inflight') this.pods.delete(key);
  }

  /**
   * The pod fits nowhere. If the cluster changed while it was being scheduled it retries after
   * its backoff; otherwise it waits for a change.
   */
  requeueUnschedulable(qp: QueuedPod): void {
    const e = this.pods.get(qp.info.key);
    if (!e || e.where !== 'inflight') return;
    qp.attempts++;
    qp.lastFailure = this.clock.now();
    if (this.moveRequestCycle >= qp.cycle) this.place(qp, 'backoff');
    else this.place(qp, 'unschedulable');
  }

  /** Something went wrong (binding failed): retry after the backoff. */
  requeueAfterError(qp: QueuedPod): void {
    const e = this.pods.get(qp.info.key);
    if (!e || e.where !== 'inflight') return;
    qp.attempts++;
    qp.lastFailure = this.clock.now();
    this.place(qp, 'backoff');
  }

  /** The cluster changed in a way that may help unschedulable pods: let them try again. */
  moveAllToActiveOrBackoff(): void {
    this.moveRequestCycle = this.cycle;
    for (const e of this.pods.values()) {
      if (e.where !== 'unschedulable') continue;
      if (this.backoffDone(e.qp)) this.activate(e.qp);
      else this.place(e.qp, 'backoff');
    }
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) t.cancel();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  private backoffMs(qp: QueuedPod): number {
    if (qp.attempts === 0) return 0;
    return Math.min(maxBackoffMs, initialBackoffMs * 2 ** (qp.attempts - 1));
  }

  private backoffDone(qp: QueuedPod): boolean {
    return this.clock.now() >= qp.lastFailure + this.backoffMs(qp);
  }

  private flushBackoff(): void {
    for (const e of this.pods.values()) if (e.where === 'backoff' && this.backoffDone(e.qp)) this.activate(e.qp);
  }

  private flushUnschedulable(): void {
    const now = this.clock.now();
    for (const e of this.pods.values()) {
      if (e.where === 'unschedulable' && now - e.qp.lastFailure > unschedulableTimeoutMs) {
        if (this.backoffDone(e.qp)) this.activate(e.qp);
        else this.place(e.qp, 'backoff');
      }
    }
  }

  private place(qp: QueuedPod, where: Where): void {
    this.pods.set(qp.info.key, { qp, where, seq: ++this.seq });
  }

  private activate(qp: QueuedPod): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      qp.cycle = ++this.cycle;
      this.place(qp, 'inflight');
      waiter(qp);
      return;
    }
    const seq = ++this.seq;
    this.pods.set(qp.info.key, { qp, where: 'active', seq });
    this.push({ key: qp.info.key, seq, priority: qp.info.priority, timestamp: qp.timestamp });
  }

  private takeActive(): QueuedPod | undefined {
    while (this.heap.length) {
      const top = this.popHeap();
      const e = this.pods.get(top.key);
      // Stale heap entries (the pod moved or changed since) are skipped.
      if (!e || e.where !== 'active' || e.seq !== top.seq) continue;
      e.qp.cycle = ++this.cycle;
      e.where = 'inflight';
      return e.qp;
    }
    return undefined;
  }

  private less(a: (typeof this.heap)[number], b: (typeof this.heap)[number]): boolean {
    return a.priority !== b.priority ? a.priority > b.priority : a.timestamp !== b.timestamp ? a.timestamp < b.timestamp : a.seq < b.seq;
  }

  private push(item: (typeof this.heap)[number]): void {
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private popHeap(): (typeof this.heap)[number] {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
