// KeyIndex keeps the committed values, with keys kept sorted per bucket (a resource's
// collection) so that prefix lists come out in key order without sorting everything.
import type { KV } from './interfaces.js';

/**
 * Bucket of a key or prefix: its first two path segments, e.g. "/apps/deployments/";
 * undefined for a prefix shorter than that, which spans buckets.
 */
export function bucketOf(key: string): string | undefined {
  const second = key.indexOf('/', 1);
  const third = second < 0 ? -1 : key.indexOf('/', second + 1);
  return third < 0 ? undefined : key.slice(0, third + 1);
}

class Bucket {
  readonly values = new Map<string, KV>();
  private sorted: string[] = [];
  private dirty = false;

  set(kv: KV): void {
    if (!this.values.has(kv.key)) this.dirty = true;
    this.values.set(kv.key, kv);
  }

  delete(key: string): void {
    if (this.values.delete(key)) this.dirty = true;
  }

  keys(): readonly string[] {
    if (this.dirty) {
      this.sorted = [...this.values.keys()].sort();
      this.dirty = false;
    }
    return this.sorted;
  }
}

export class KeyIndex {
  private readonly buckets = new Map<string, Bucket>();

  get(key: string): KV | undefined {
    return this.buckets.get(bucketOf(key) ?? key)?.values.get(key);
  }

  set(kv: KV): void {
    const b = bucketOf(kv.key) ?? kv.key;
    let bucket = this.buckets.get(b);
    if (!bucket) this.buckets.set(b, (bucket = new Bucket()));
    bucket.set(kv);
  }

  delete(key: string): void {
    this.buckets.get(bucketOf(key) ?? key)?.delete(key);
  }

  get size(): number {
    let n = 0;
    for (const b of this.buckets.values()) n += b.values.size;
    return n;
  }

  /** Sorted keys under `prefix` that sort after `after`, as one contiguous slice. */
  keysUnder(prefix: string, after?: string): readonly string[] {
    const keys = this.bucketKeys(prefix);
    const start = lowerBound(keys, after !== undefined && after >= prefix ? after + '\x00' : prefix);
    const end = lowerBound(keys, prefix + '\uffff', start);
    return start === 0 && end === keys.length ? keys : keys.slice(start, end);
  }

  private bucketKeys(prefix: string): readonly string[] {
    const bucketKey = bucketOf(prefix);
    if (bucketKey !== undefined) return this.buckets.get(bucketKey)?.keys() ?? [];
    // A prefix shorter than a bucket (e.g. "/") spans buckets: merge them in order.
    const all: string[] = [];
    for (const [b, bucket] of [...this.buckets].sort(([a], [c]) => (a < c ? -1 : 1))) {
      if (b.startsWith(prefix)) all.push(...bucket.keys());
    }
    return all;
  }
}

/** First index whose key is >= target. */
export function lowerBound(keys: readonly string[], target: string, lo = 0): number {
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
