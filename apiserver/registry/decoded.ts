// Parsed views of stored values. Stored values are immutable and shared, so a parsed object
// must be treated as read-only; callers that change an object take a fresh copy with `fresh()`.
// Parsed objects take several times the memory of their JSON, so only the most recently used
// are kept: enough for watch filtering and Tables over hot objects, bounded for large clusters.
import type { KV } from '../storage/interfaces.js';
import type { KubeObject } from '../api/object.js';

const capacity = 2048;
const cache = new Map<KV, KubeObject>();

/** The object a stored value holds; shared, never mutate it. */
export function decoded(kv: KV): KubeObject {
  let o = cache.get(kv);
  if (o) {
    // Move to the most recently used end.
    cache.delete(kv);
    cache.set(kv, o);
    return o;
  }
  o = JSON.parse(kv.value) as KubeObject;
  cache.set(kv, o);
  if (cache.size > capacity) cache.delete(cache.keys().next().value as KV);
  return o;
}

/** A private, mutable copy of a stored object. */
export function fresh(kv: KV): KubeObject {
  return JSON.parse(kv.value) as KubeObject;
}
