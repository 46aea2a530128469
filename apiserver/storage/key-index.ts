// KeyIndex keeps the committed values, with keys kept sorted per bucket (a resource's
// collection) so that prefix lists come out in key order without sorting anything.
import type { KV } from './interfaces.js';
import { SortedKeys, lowerBound } from './sorted-keys.js';

/**
 * Bucket of a key or prefix: its first two path segments, e.g. "/apps/deployments/";
 * undefined for a prefix shorter than that, which spans buckets.
 */
export function bucketOf(key: string): string | undefined {
  const second = key.indexOf('/', 1);
  const third = second < 0 ? -1 : key.indexOf('/', second + 1);
  return third < 0 ? undefined : key.slice(0, third + 1);
}

/** Keys in order, counted without walking them (a count or a page reads only what it needs). */
export interface KeyRange extends Iterable<string> {
  readonly length: number;
}

class Bucket {
  readonly values = new Map<string, KV>();
  readonly keys = new SortedKeys();

  set(kv: KV): void {
    if (!this.values.has(kv.key)) this.keys.add(kv.key);
    this.values.set(kv.key, kv);
  }

  delete(key: string): void {
    if (this.values.delete(key)) this.keys.delete(key);
  }

  /** Keys in [lo, hi). */
  between(lo: string, hi: string): KeyRange {
    const from = this.keys.rank(lo);
    const to = Math.max(from, this.keys.rank(hi));
    const keys = this.keys;
    return { length: to - from, [Symbol.iterator]: () => keys.range(from, to) };
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

  /** Keys under `prefix` that sort after `after`, in order. */
  keysUnder(prefix: string, after?: string): KeyRange {
    const lo = after !== undefined && after >= prefix ? after + '\x00' : prefix;
    const hi = prefix + '\uffff';
    const bucketKey = bucketOf(prefix);
    if (bucketKey !== undefined) return this.buckets.get(bucketKey)?.between(lo, hi) ?? [];
    // A prefix shorter than a bucket (e.g. "/") spans buckets: merge them in order.
    const all: string[] = [];
    for (const [b, bucket] of [...this.buckets].sort(([a], [c]) => (a < c ? -1 : 1))) {
      if (b.startsWith(prefix)) for (const k of bucket.keys.range(0, bucket.keys.size)) all.push(k);
    }
    const start = lowerBound(all, lo);
    return all.slice(start, lowerBound(all, hi, start));
  }
}
