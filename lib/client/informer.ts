// Informers: list once, then watch from that resourceVersion, keeping a local cache and telling
// handlers about changes. A watch that ends is resumed from the last resourceVersion seen
// (bookmarks keep it fresh); 410 Expired or a broken connection relists, and the relist is
// diffed against the cache so handlers still see every add, update and delete.
import { logger } from '../log.js';
import { isAbort, isExpired } from './api-error.js';
import { ObjectCache, type IndexFunc } from './cache.js';
import { realClock, type Clock, type TimerHandle } from './clock.js';
import type { ResourceClient } from './rest-client.js';
import { objectKey, type KubeList, type KubeObject, type WatchEvent } from './types.js';

const log = logger('informer');

/** Where an informer gets its data: the API, or a fake in tests. */
export interface ListWatch<T> {
  list(signal: AbortSignal): Promise<KubeList<T>>;
  /** Streams events after resourceVersion; resolves when the stream ends, rejects on errors (410: relist). */
  watch(resourceVersion: string, signal: AbortSignal, onEvent: (ev: WatchEvent<T>) => void): Promise<void>;
}

export interface Selection {
  /** '' (default) for every namespace. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** List+watch of one resource through the API; `metadataOnly` gets objects as PartialObjectMetadata. */
export function listWatch<T extends KubeObject>(rc: ResourceClient<T>, sel: Selection = {}, metadataOnly = false): ListWatch<T> {
  const ns = sel.namespace ?? '';
  return {
    list: (signal) => rc.listAll(ns, { labelSelector: sel.labelSelector, fieldSelector: sel.fieldSelector, metadataOnly, signal }),
    watch: (resourceVersion, signal, onEvent) => rc.watch(ns, {
      resourceVersion, labelSelector: sel.labelSelector, fieldSelector: sel.fieldSelector, allowWatchBookmarks: true, metadataOnly,
      // Servers end watches after a while anyway; spreading the timeouts avoids reconnect storms.
      timeoutSeconds: Math.floor(300 + Math.random() * 300), signal,
    }, onEvent),
  };
}

/** Handlers should only look at the objects and enqueue keys: the real work belongs to a queue's worker. */
export interface InformerHandlers<T> {
  add?(obj: T): void;
  update?(old: T, cur: T): void;
  /** `obj` is the last state the informer knew. */
  delete?(obj: T): void;
}

export interface InformerOptions<T> {
  /** For logs. */
  name?: string;
  indexers?: Record<string, IndexFunc<T>>;
  /** Re-delivers every cached object as an update this often (0: never). */
  resyncMs?: number;
  clock?: Clock;
  /** First and longest wait after a failed list or watch. */
  backoffMs?: [number, number];
  /**
   * Applied to every object before it is cached or handed out (as client-go's SetTransform),
   * typically to drop what nobody reads, such as managedFields, and save memory.
   */
  transform?: (obj: T) => T;
}

/** Drops metadata.managedFields, which controllers never read and which is often half an object. */
export function stripManagedFields<T extends KubeObject>(obj: T): T {
  if (!obj.metadata?.managedFields) return obj;
  const { managedFields: _drop, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

export class Informer<T extends KubeObject> {
  readonly cache: ObjectCache<T>;
  private readonly handlers = new Set<InformerHandlers<T>>();
  private readonly clock: Clock;
  private readonly name: string;
  private synced = false;
  private syncWaiters: Array<() => void> = [];
  private resourceVersion = '';
  private running = false;

  constructor(private readonly source: ListWatch<T>, private readonly opts: InformerOptions<T> = {}) {
    this.cache = new ObjectCache<T>(opts.indexers);
    this.clock = opts.clock ?? realClock;
    this.name = opts.name ?? 'informer';
  }

  /** Subscribes; objects already cached are delivered as adds first. Returns the unsubscribe. */
  on(h: InformerHandlers<T>): () => void {
    this.handlers.add(h);
    if (this.synced) for (const obj of this.cache.list()) call(() => h.add?.(obj));
    return () => this.handlers.delete(h);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** The resourceVersion the cache reflects. */
  lastResourceVersion(): string {
    return this.resourceVersion;
  }

  /** Resolves true once the first list is in the cache, false if the signal aborts first. */
  waitForSync(signal: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => resolve(false);
      signal.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      });
    });
  }

  /** Lists and watches until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.running) throw new Error(`informer ${this.name} is already running`);
    this.running = true;
    const [firstBackoff, maxBackoff] = this.opts.backoffMs ?? [800, 30_000];
    let backoff = firstBackoff;
    let resync: TimerHandle | undefined;
    if (this.opts.resyncMs) {
      const tick = () => {
        this.resync();
        resync = this.clock.setTimer(tick, this.opts.resyncMs!);
      };
      resync = this.clock.setTimer(tick, this.opts.resyncMs);
    }
    try {
      while (!signal.aborted) {
        try {
          await this.listAndReplace(signal);
          backoff = firstBackoff;
          while (!signal.aborted) {
            await this.source.watch(this.resourceVersion, signal, (ev) => this.apply(ev));
            backoff = firstBackoff;
          }
        } catch (err) {
          if (signal.aborted || isAbort(err)) break;
          if (isExpired(err)) {
            log.debug({ informer: this.name, resourceVersion: this.resourceVersion }, 'watch expired: relisting');
            continue;
          }
          log.warn({ informer: this.name, err: (err as Error).message }, 'list/watch failed: retrying');
          await this.clock.sleep(backoff, signal);
          backoff = Math.min(backoff * 2, maxBackoff);
        }
      }
    } finally {
      resync?.cancel();
      this.running = false;
    }
  }

  private async listAndReplace(signal: AbortSignal): Promise<void> {
    const list = await this.source.list(signal);
    if (signal.aborted) return;
    const seen = new Set<string>();
    const transform = this.opts.transform;
    for (const raw of list.items) {
      const obj = transform ? transform(raw) : raw;
      const key = objectKey(obj);
      seen.add(key);
      const old = this.cache.set(obj);
      if (!old) this.emit((h) => h.add?.(obj));
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.emit((h) => h.update?.(old, obj));
    }
    for (const key of this.cache.keys()) {
      if (seen.has(key)) continue;
      const old = this.cache.delete(key)!;
      this.emit((h) => h.delete?.(old));
    }
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  private apply(ev: WatchEvent<T>): void {
    const obj = ev.type === 'BOOKMARK' || !this.opts.transform ? ev.object : this.opts.transform(ev.object);
    const rv = obj.metadata?.resourceVersion;
    if (ev.type === 'BOOKMARK') {
      if (rv) this.resourceVersion = rv;
      return;
    }
    if (ev.type === 'ADDED' || ev.type === 'MODIFIED') {
      const old = this.cache.set(obj);
      if (old) this.emit((h) => h.update?.(old, obj));
      else this.emit((h) => h.add?.(obj));
    } else if (ev.type === 'DELETED') {
      const old = this.cache.delete(objectKey(obj));
      this.emit((h) => h.delete?.(obj ?? old));
    }
    if (rv) this.resourceVersion = rv;
  }

  private resync(): void {
    for (const obj of this.cache.list()) this.emit((h) => h.update?.(obj, obj));
  }

  private emit(fn: (h: InformerHandlers<T>) => void): void {
    for (const h of this.handlers) call(() => fn(h));
  }
}

function call(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    log.error({ err: (err as Error).message }, 'informer handler failed');
  }
}
