// Parsed views of stored values, cached per stored version. Stored values are immutable and
// shared, so the parsed object must be treated as read-only; callers that change an object
// take a fresh copy with `fresh()`.
import type { KV } from '../storage/interfaces.js';
import type { KubeObject } from '../api/object.js';

const cache = new WeakMap<KV, KubeObject>();

/** The object a stored value holds; shared, never mutate it. */
export function decoded(kv: KV): KubeObject {
  let o = cache.get(kv);
  if (!o) {
    o = JSON.parse(kv.value) as KubeObject;
    cache.set(kv, o);
  }
  return o;
}

/** A private, mutable copy of a stored object. */
export function fresh(kv: KV): KubeObject {
  return JSON.parse(kv.value) as KubeObject;
}
