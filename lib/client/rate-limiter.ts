// How long to wait before retrying an item, as client-go's workqueue rate limiters decide:
// per-item exponential backoff, an overall token bucket, and the larger of the two.
import type { Clock } from './clock.js';

export interface RateLimiter<T> {
  /** Delay (ms) before the item should be processed again; counts as one more failure. */
  when(item: T): number;
  /** The item succeeded: its failures are forgotten. */
  forget(item: T): void;
  /** How many times the item has failed since it was last forgotten. */
  retries(item: T): number;
}

/** base * 2^failures, capped at max (client-go: 5 ms .. 1000 s). */
export class ItemExponentialRateLimiter<T> implements RateLimiter<T> {
  private readonly failures = new Map<T, number>();

  constructor(private readonly baseMs = 5, private readonly maxMs = 1_000_000) {}

  when(item: T): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    // Past 2^50 the product only overflows the cap; stop doubling there.
    return Math.min(this.baseMs * 2 ** Math.min(n, 50), this.maxMs);
  }

  forget(item: T): void {
    this.failures.delete(item);
  }

  retries(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}

/** A token bucket shared by all items: qps refill, `burst` capacity; each retry takes a token. */
export class BucketRateLimiter<T> implements RateLimiter<T> {
  private tokens: number;
  private last: number;

  constructor(private readonly clock: Clock, private readonly qps = 10, private readonly burst = 100) {
    this.tokens = burst;
    this.last = clock.now();
  }

  when(_item: T): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    // A negative balance is a reservation: wait until it would have been refilled.
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  forget(_item: T): void {}

  retries(_item: T): number {
    return 0;
  }
}

/** The longest delay any of the limiters asks for. */
export class MaxOfRateLimiter<T> implements RateLimiter<T> {
  constructor(private readonly limiters: RateLimiter<T>[]) {}

  when(item: T): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.when(item));
    return max;
  }

  forget(item: T): void {
    for (const l of this.limiters) l.forget(item);
  }

  retries(item: T): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.retries(item));
    return max;
  }
}

/** client-go's DefaultControllerRateLimiter: 5 ms..1000 s per item, 10 qps / 100 burst overall. */
export function defaultControllerRateLimiter<T>(clock: Clock): RateLimiter<T> {
  return new MaxOfRateLimiter<T>([new ItemExponentialRateLimiter<T>(5, 1_000_000), new BucketRateLimiter<T>(clock, 10, 100)]);
}
