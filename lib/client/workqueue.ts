// The work queue controllers pull keys from, with client-go's guarantees: an item is queued at
// most once (adds while it waits are merged), is never handed to two workers at once (adds
// while it is being processed requeue it after done()), can be delayed (addAfter) or retried
// with backoff (addRateLimited), and shutDown() wakes every waiting worker.
import { realClock, type Clock, type TimerHandle } from './clock.js';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.js';

export class WorkQueue<T = string> {
  private readonly queue: T[] = [];
  private head = 0;
  /** Items that need processing (queued, or re-added while processing). */
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  /** Delayed adds: the earliest time wins. */
  private readonly waiting = new Map<T, { at: number; timer: TimerHandle }>();
  private readonly getters: Array<(item: T | undefined) => void> = [];
  private shuttingDown = false;
  readonly rateLimiter: RateLimiter<T>;

  constructor(private readonly clock: Clock = realClock, rateLimiter?: RateLimiter<T>) {
    this.rateLimiter = rateLimiter ?? defaultControllerRateLimiter<T>(clock);
  }

  /** Items queued and not yet handed out. */
  get length(): number {
    return this.queue.length - this.head;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  add(item: T): void {
    if (this.shuttingDown || this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.processing.has(item)) return;
    const getter = this.getters.shift();
    if (getter) {
      this.dirty.delete(item);
      this.processing.add(item);
      getter(item);
      return;
    }
    this.queue.push(item);
  }

  /** Adds the item once `ms` have passed (at once when ms <= 0). */
  addAfter(item: T, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(item);
      return;
    }
    const at = this.clock.now() + ms;
    const cur = this.waiting.get(item);
    if (cur && cur.at <= at) return;
    cur?.timer.cancel();
    const timer = this.clock.setTimer(() => {
      this.waiting.delete(item);
      this.add(item);
    }, ms);
    this.waiting.set(item, { at, timer });
  }

  /** Adds the item after the rate limiter's delay (a retry after a failure). */
  addRateLimited(item: T): void {
    this.addAfter(item, this.rateLimiter.when(item));
  }

  /** The item succeeded: reset its backoff. */
  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  retries(item: T): number {
    return this.rateLimiter.retries(item);
  }

  /** The next item, once there is one; undefined once the queue shuts down. Call done(item) after. */
  get(): Promise<T | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    if (this.length > 0) {
      const item = this.queue[this.head++];
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.dirty.delete(item);
      this.processing.add(item);
      return Promise.resolve(item);
    }
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Marks the item processed; if it was added meanwhile, it is queued again. */
  done(item: T): void {
    this.processing.delete(item);
    if (this.dirty.has(item)) {
      this.dirty.delete(item);
      this.add(item);
    }
  }

  /** Stops handing out items: waiting and future get() calls resolve undefined. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const w of this.waiting.values()) w.timer.cancel();
    this.waiting.clear();
    for (const g of this.getters.splice(0)) g(undefined);
  }
}
