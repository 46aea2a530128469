// RevisionStore implements Store: committed state and history in memory, durability in
// LevelEngine. Writes take their revision at once (so later writes can check against them)
// but become visible to readers and watchers only after their batch is synced to disk.
import { ChangeLog } from './change-log.js';
import { KeyIndex, type KeyRange } from './key-index.js';
import type { LevelEngine, LoadedState } from './level-engine.js';
import { WatchHub } from './watch-hub.js';
import { logger } from '../../lib/log.js';
import {
  StorageError, type Encoder, type KV, type ListOptions, type ListResult, type Store, type StoreEvent,
  type Watcher, type WatchOptions,
} from './interfaces.js';

const log = logger('storage');

export interface HistoryLimits {
  /** Most events kept for watch resume and consistent paging. */
  maxEvents: number;
  /** Most bytes of values the kept events may hold (large objects shorten history). */
  maxBytes: number;
  /** Events older than this are dropped even under maxEvents. */
  maxAgeMs: number;
}

export const defaultHistory: HistoryLimits = { maxEvents: 20_000, maxBytes: 32 * 1024 * 1024, maxAgeMs: 15 * 60_000 };

export class RevisionStore implements Store {
  private readonly committed = new KeyIndex();
  /** Writes handed to the engine but not yet durable; null marks a pending delete. */
  private readonly pending = new Map<string, KV | null>();
  private readonly log: ChangeLog;
  private readonly hub = new WatchHub();
  private committedRevision: number;
  private nextRevision: number;
  private closed = false;
  private failure: unknown;
  private compactTimer: NodeJS.Timeout;
  private readonly compactions = new Set<Promise<void>>();

  constructor(private readonly engine: LevelEngine, state: LoadedState, private readonly limits = defaultHistory) {
    for (const kv of state.objects.values()) this.committed.set(kv);
    this.log = new ChangeLog(state.events, state.compactedRevision);
    this.committedRevision = state.revision;
    this.nextRevision = state.revision;
    this.compactTimer = setInterval(() => void this.compact(), 10_000);
    this.compactTimer.unref();
  }

  revision(): number {
    return this.committedRevision;
  }

  compactedRevision(): number {
    return this.log.compactedRevision;
  }

  get watcherCount(): number {
    return this.hub.size;
  }

  get(key: string): KV | undefined {
    return this.committed.get(key);
  }

  getLatest(key: string): KV | undefined {
    const p = this.pending.get(key);
    return p === undefined ? this.committed.get(key) : (p ?? undefined);
  }

  count(prefix: string): number {
    return this.committed.keysUnder(prefix).length;
  }

  list(prefix: string, opts: ListOptions = {}): ListResult {
    const at = opts.atRevision;
    if (at !== undefined && at < this.committedRevision) return this.listAt(prefix, at, opts);
    const keys = this.committed.keysUnder(prefix, opts.after);
    return paginate(keys, (k) => this.committed.get(k), this.committedRevision, opts);
  }

  /** Lists as of an older revision by undoing the changes made since. */
  private listAt(prefix: string, rev: number, opts: ListOptions): ListResult {
    if (rev < this.log.compactedRevision) {
      throw new StorageError('Compacted', prefix, undefined, undefined, this.log.compactedRevision);
    }
    const then = this.log.valuesAt(rev, prefix);
    const after = opts.after;
    const current = this.committed.keysUnder(prefix, after);
    // Keys deleted since are the only ones missing from today's keys: few, merged in order.
    const gone = [...then].filter(([k, v]) => v && (after === undefined || k > after) && !this.committed.get(k)).map(([k]) => k).sort();
    const keys: KeyRange = { length: current.length + gone.length, [Symbol.iterator]: () => mergeSorted(current, gone) };
    return paginate(keys, (k) => (then.has(k) ? (then.get(k) ?? undefined) : this.committed.get(k)), rev, opts, false);
  }

  create(key: string, encode: Encoder): Promise<KV> {
    this.checkWritable(key);
    if (this.getLatest(key)) return Promise.reject(new StorageError('KeyExists', key));
    const rev = ++this.nextRevision;
    const kv: KV = { key, value: encode(rev), modRevision: rev, createRevision: rev };
    return this.submit({ type: 'ADDED', revision: rev, kv, time: Date.now() });
  }

  update(key: string, expectedModRevision: number, encode: Encoder): Promise<KV> {
    this.checkWritable(key);
    const prev = this.getLatest(key);
    if (!prev) return Promise.reject(new StorageError('NotFound', key));
    if (prev.modRevision !== expectedModRevision) {
      return Promise.reject(new StorageError('Conflict', key, undefined, prev));
    }
    const rev = ++this.nextRevision;
    const kv: KV = { key, value: encode(rev), modRevision: rev, createRevision: prev.createRevision };
    return this.submit({ type: 'MODIFIED', revision: rev, kv, prev, time: Date.now() });
  }

  delete(key: string, expectedModRevision?: number): Promise<KV> {
    this.checkWritable(key);
    const prev = this.getLatest(key);
    if (!prev) return Promise.reject(new StorageError('NotFound', key));
    if (expectedModRevision !== undefined && prev.modRevision !== expectedModRevision) {
      return Promise.reject(new StorageError('Conflict', key, undefined, prev));
    }
    const rev = ++this.nextRevision;
    // A delete event carries the last value, stamped with the deletion revision as etcd does.
    const kv: KV = { ...prev, modRevision: rev };
    return this.submit({ type: 'DELETED', revision: rev, kv, prev, time: Date.now() }).then(() => prev);
  }

  watch(prefix: string, opts: WatchOptions): Watcher {
    if (this.closed) throw new StorageError('Closed', prefix);
    if (opts.fromRevision < this.log.compactedRevision) {
      throw new StorageError('Compacted', prefix, undefined, undefined, this.log.compactedRevision);
    }
    // Replay and subscribe in the same tick: commits land in later ticks, so nothing is missed.
    const backlog = this.log.after(opts.fromRevision).filter((e) => e.kv.key.startsWith(prefix));
    const watcher = this.hub.subscribe(prefix, (evs) => {
      const fresh = evs[0].revision > opts.fromRevision ? evs : evs.filter((e) => e.revision > opts.fromRevision);
      if (fresh.length > 0) opts.onEvents(fresh);
    });
    if (backlog.length > 0) opts.onEvents(backlog);
    return watcher;
  }

  private checkWritable(key: string): void {
    if (this.closed) throw new StorageError('Closed', key);
    if (this.failure) throw new StorageError('Closed', key, `storage failed: ${String(this.failure)}`);
  }

  private submit(ev: StoreEvent): Promise<KV> {
    const key = ev.kv.key;
    const own = ev.type === 'DELETED' ? null : ev.kv;
    this.pending.set(key, own);
    return this.engine.commit([ev]).then(
      () => {
        this.apply(ev);
        if (this.pending.get(key) === own) this.pending.delete(key);
        return ev.kv;
      },
      (err: unknown) => {
        // A failed sync leaves memory ahead of disk: stop taking writes rather than diverge.
        this.failure = err;
        throw err;
      },
    );
  }

  private apply(ev: StoreEvent): void {
    if (ev.type === 'DELETED') this.committed.delete(ev.kv.key);
    else this.committed.set(ev.kv);
    this.committedRevision = ev.revision;
    this.log.append(ev);
    this.hub.publish([ev]);
    // Bound memory under bursts too, not only on the timer.
    const slack = Math.max(10, this.limits.maxEvents / 10);
    if (this.log.length > this.limits.maxEvents + slack || this.log.bytes > this.limits.maxBytes * 1.1) void this.compact();
  }

  /** Drops history beyond the limits, in memory and on disk. */
  async compact(now = Date.now()): Promise<void> {
    const before = this.log.compactedRevision;
    const after = this.log.trim(this.limits.maxEvents, this.limits.maxBytes, this.limits.maxAgeMs, now);
    if (after <= before || this.closed) return;
    // Disk compaction is best effort (history on disk only serves restarts) and must finish
    // before the database closes.
    const done = this.engine.compact(after).catch((err: unknown) => log.warn({ err, revision: after }, 'compaction failed'));
    this.compactions.add(done);
    await done;
    this.compactions.delete(done);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.compactTimer);
    await Promise.all(this.compactions);
    await this.engine.close();
  }
}

function paginate(
  keys: KeyRange, lookup: (k: string) => KV | undefined, revision: number, opts: ListOptions, exactKeys = true,
): ListResult {
  const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
  const items: KV[] = [];
  const it = keys[Symbol.iterator]();
  let i = 0;
  let lastSeen = '';
  let next = it.next();
  for (; !next.done && items.length < limit; next = it.next(), i++) {
    lastSeen = next.value;
    const kv = lookup(next.value);
    if (kv && (!opts.filter || opts.filter(kv))) items.push(kv);
  }
  if (next.done) return { items, revision };
  const last = items.at(-1)?.key ?? lastSeen;
  if (!opts.filter && exactKeys) return { items, revision, continueAfter: last, remaining: keys.length - i };
  // With a filter, only report a continuation when something after this page still matches;
  // stop at the first match rather than counting them all (the count is not reported then).
  let remaining = 0;
  for (; !next.done; next = it.next()) {
    const kv = lookup(next.value);
    if (kv && (!opts.filter || opts.filter(kv))) {
      remaining++;
      if (opts.filter) break;
    }
  }
  return remaining > 0 ? { items, revision, continueAfter: last, remaining } : { items, revision };
}

/** Two sorted key sequences with no key in common as one, in order. */
function* mergeSorted(a: Iterable<string>, b: readonly string[]): Generator<string, void, undefined> {
  let j = 0;
  for (const k of a) {
    while (j < b.length && b[j] < k) yield b[j++];
    yield k;
  }
  while (j < b.length) yield b[j++];
}
