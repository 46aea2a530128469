// WatchHub fans committed events out to watchers, routing by bucket so that a write only
// costs the watchers of its own resource.
import { bucketOf } from './key-index.js';
import type { StoreEvent, Watcher } from './interfaces.js';

interface Subscription {
  prefix: string;
  onEvents: (events: readonly StoreEvent[]) => void;
  stopped: boolean;
}

export class WatchHub {
  private readonly byBucket = new Map<string, Set<Subscription>>();
  /** Watchers whose prefix is shorter than a bucket (e.g. everything). */
  private readonly wide = new Set<Subscription>();

  get size(): number {
    let n = this.wide.size;
    for (const s of this.byBucket.values()) n += s.size;
    return n;
  }

  subscribe(prefix: string, onEvents: (events: readonly StoreEvent[]) => void): Watcher {
    const sub: Subscription = { prefix, onEvents, stopped: false };
    const bucket = bucketOf(prefix);
    const set = bucket !== undefined ? this.setFor(bucket) : this.wide;
    set.add(sub);
    return {
      stop: () => {
        sub.stopped = true;
        set.delete(sub);
      },
    };
  }

  private setFor(bucket: string): Set<Subscription> {
    let set = this.byBucket.get(bucket);
    if (!set) this.byBucket.set(bucket, (set = new Set()));
    return set;
  }

  /** Delivers a batch of committed events (in revision order). */
  publish(events: readonly StoreEvent[]): void {
    const groups = new Map<string, StoreEvent[]>();
    for (const ev of events) {
      const b = bucketOf(ev.kv.key) ?? ev.kv.key;
      const g = groups.get(b);
      if (g) g.push(ev);
      else groups.set(b, [ev]);
    }
    for (const [bucket, evs] of groups) {
      const subs = this.byBucket.get(bucket);
      if (subs) for (const sub of subs) deliver(sub, evs);
    }
    for (const sub of this.wide) deliver(sub, events);
  }
}

function deliver(sub: Subscription, events: readonly StoreEvent[]): void {
  if (sub.stopped) return;
  const mine = events.filter((e) => e.kv.key.startsWith(sub.prefix));
  if (mine.length > 0) sub.onEvents(mine);
}
