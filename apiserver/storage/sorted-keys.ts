// SortedKeys is a set of strings kept in order as a list of sorted chunks. A key lands at a
// random place (generated names), so one sorted array would shift half of itself per insert and
// a lazily sorted one re-sorts everything on the next list; here an insert or delete costs a
// search and a move within one chunk of at most MAX_CHUNK keys.

/** A chunk above this splits in two; ~500 pointers keep a move within a chunk cheap. */
const MAX_CHUNK = 512;

export class SortedKeys {
  private chunks: string[][] = [];
  /** Each chunk's last key, side by side: the search over chunks reads one small array. */
  private lasts: string[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds a key; false when it was present. */
  add(key: string): boolean {
    if (this.chunks.length === 0) {
      this.chunks.push([key]);
      this.lasts.push(key);
      this.count = 1;
      return true;
    }
    const ci = Math.min(this.chunkFor(key), this.chunks.length - 1);
    const chunk = this.chunks[ci];
    const i = lowerBound(chunk, key);
    if (chunk[i] === key) return false;
    chunk.splice(i, 0, key);
    if (i === chunk.length - 1) this.lasts[ci] = key;
    this.count++;
    if (chunk.length > MAX_CHUNK) {
      const upper = chunk.splice(chunk.length >>> 1);
      this.chunks.splice(ci + 1, 0, upper);
      this.lasts.splice(ci, 0, chunk[chunk.length - 1]);
    }
    return true;
  }

  /** Removes a key; false when it was absent. */
  delete(key: string): boolean {
    const ci = this.chunkFor(key);
    const chunk = this.chunks[ci];
    if (!chunk) return false;
    const i = lowerBound(chunk, key);
    if (chunk[i] !== key) return false;
    chunk.splice(i, 1);
    this.count--;
    if (chunk.length === 0) {
      this.chunks.splice(ci, 1);
      this.lasts.splice(ci, 1);
    } else if (i === chunk.length) {
      this.lasts[ci] = chunk[i - 1];
    }
    return true;
  }

  /** How many keys sort before `key`. */
  rank(key: string): number {
    const ci = this.chunkFor(key);
    let n = 0;
    for (let c = 0; c < ci; c++) n += this.chunks[c].length;
    return ci < this.chunks.length ? n + lowerBound(this.chunks[ci], key) : n;
  }

  /** Keys from rank `from` (inclusive) to rank `to` (exclusive), in order. */
  *range(from: number, to: number): Generator<string, void, undefined> {
    let left = to - from;
    if (left <= 0) return;
    let ci = 0;
    let skip = from;
    while (ci < this.chunks.length && skip >= this.chunks[ci].length) skip -= this.chunks[ci++].length;
    for (; ci < this.chunks.length && left > 0; ci++, skip = 0) {
      const chunk = this.chunks[ci];
      for (let i = skip; i < chunk.length && left > 0; i++, left--) yield chunk[i];
    }
  }

  /** The first chunk whose last key is >= key (chunks.length when none is). */
  private chunkFor(key: string): number {
    return lowerBound(this.lasts, key);
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
