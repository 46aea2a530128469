// Watching a resource: the initial state when asked for, then changes filtered by selectors,
// with objects that stop matching reported as DELETED (as the watch cache does).
import { resourceExpired } from '../api/errors.js';
import { isStorageError, type KV, type Store, type StoreEvent, type Watcher } from '../storage/interfaces.js';
import { decoded } from './decoded.js';
import { matcher, waitForRevision } from './list.js';
import type { ListQuery } from './list-query.js';
import type { RestStore } from './rest-store.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchSink {
  event(type: WatchEventType, kv: KV, source?: StoreEvent): void;
  /** Initial events are done (sendInitialEvents): a bookmark at this revision marks it. */
  initialEventsEnd(revision: number): void;
}

/**
 * Starts a watch. Throws a StatusError (410 Expired) when the requested revision is no longer
 * in history; callers that already began streaming report it as an ERROR event instead.
 */
export async function watchResource(
  rs: RestStore, store: Store, namespace: string, q: ListQuery, sink: WatchSink,
): Promise<Watcher> {
  const ns = namespace || (rs.def.namespaced ? q.fieldSelector.exactValue('metadata.namespace') ?? '' : '');
  const prefix = rs.prefix(ns);
  const matches = matcher(rs, q) ?? (() => true);
  const rv = q.resourceVersion ? Number(q.resourceVersion) : 0;
  const initial = q.sendInitialEvents ?? (!q.resourceVersion || q.resourceVersion === '0');
  if (rv > 0) await waitForRevision(store, rv);
  const from = initial ? store.revision() : rv;
  if (initial) {
    for (const kv of store.list(prefix, { filter: matches }).items) sink.event('ADDED', kv);
    if (q.sendInitialEvents) sink.initialEventsEnd(from);
  }
  try {
    return store.watch(prefix, {
      fromRevision: from,
      onEvents: (events) => {
        for (const ev of events) deliver(ev, matches, sink);
      },
    });
  } catch (err) {
    if (isStorageError(err, 'Compacted')) throw resourceExpired(`too old resource version: ${rv} (${store.compactedRevision()})`);
    throw err;
  }
}

function deliver(ev: StoreEvent, matches: (kv: KV) => boolean, sink: WatchSink): void {
  const now = matches(ev.kv);
  if (ev.type === 'ADDED') {
    if (now) sink.event('ADDED', ev.kv, ev);
    return;
  }
  if (ev.type === 'DELETED') {
    // The stored value still carries its last write's resourceVersion; the event is at the
    // deletion's, as Kubernetes sends it, so a client resuming from it stays in order.
    if (now) sink.event('DELETED', lastStateOf(ev, ev.kv), ev);
    return;
  }
  const before = ev.prev ? matches(ev.prev) : false;
  if (now && before) sink.event('MODIFIED', ev.kv, ev);
  else if (now) sink.event('ADDED', ev.kv, ev);
  else if (before && ev.prev) sink.event('DELETED', lastStateOf(ev, ev.prev));
}

/**
 * An object's last state, stamped with the revision at which it was deleted or stopped matching.
 * Made once per event, however many watchers get it, so their renderers share one frame too.
 */
const lastStates = new WeakMap<StoreEvent, KV>();
function lastStateOf(ev: StoreEvent, kv: KV): KV {
  let stamped = lastStates.get(ev);
  if (!stamped) {
    const o = { ...decoded(kv), metadata: { ...decoded(kv).metadata, resourceVersion: String(ev.revision) } };
    stamped = { ...kv, value: JSON.stringify(o), modRevision: ev.revision };
    lastStates.set(ev, stamped);
  }
  return stamped;
}
