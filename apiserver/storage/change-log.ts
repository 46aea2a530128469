// ChangeLog holds the retained history in memory, oldest first. It serves watch replays and
// rewinds lists to an older revision for consistent paging.
import type { KV, StoreEvent } from './interfaces.js';

/** Bytes an event adds to memory: a delete repeats a value held already. */
const eventBytes = (ev: StoreEvent) => (ev.type === 'DELETED' ? 0 : ev.kv.value.length);

export class ChangeLog {
  private events: StoreEvent[];
  private compacted: number;
  private size = 0;

  constructor(events: StoreEvent[], compactedRevision: number) {
    this.events = events;
    this.compacted = compactedRevision;
    for (const ev of events) this.size += eventBytes(ev);
  }

  /** Bytes of values the kept events hold. */
  get bytes(): number {
    return this.size;
  }

  get compactedRevision(): number {
    return this.compacted;
  }

  get length(): number {
    return this.events.length;
  }

  append(ev: StoreEvent): void {
    this.events.push(ev);
    this.size += eventBytes(ev);
  }

  /** Events with revision > rev, oldest first. */
  after(rev: number): StoreEvent[] {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[mid].revision <= rev) lo = mid + 1;
      else hi = mid;
    }
    return this.events.slice(lo);
  }

  /**
   * For each key under `prefix` changed after `rev`, the value it had at `rev`
   * (null when it did not exist then).
   */
  valuesAt(rev: number, prefix: string): Map<string, KV | null> {
    const then = new Map<string, KV | null>();
    for (const ev of this.after(rev)) {
      if (!ev.kv.key.startsWith(prefix) || then.has(ev.kv.key)) continue;
      then.set(ev.kv.key, ev.type === 'ADDED' ? null : (ev.prev ?? null));
    }
    return then;
  }

  /**
   * Drops the oldest events beyond `maxEvents`, beyond `maxBytes` of values, or older than
   * `maxAgeMs`, and returns the new compacted revision (unchanged when nothing was dropped).
   */
  trim(maxEvents: number, maxBytes: number, maxAgeMs: number, now: number): number {
    let drop = Math.max(0, this.events.length - maxEvents);
    let bytes = this.size;
    for (let i = 0; i < drop; i++) bytes -= eventBytes(this.events[i]);
    while (drop < this.events.length && (bytes > maxBytes || now - this.events[drop].time > maxAgeMs)) {
      bytes -= eventBytes(this.events[drop]);
      drop++;
    }
    if (drop === 0) return this.compacted;
    this.compacted = this.events[drop - 1].revision;
    this.events = this.events.slice(drop);
    this.size = bytes;
    return this.compacted;
  }

  /** Marks history as starting at `rev` when nothing older is held (e.g. an empty log). */
  raiseCompacted(rev: number): void {
    if (this.events.length === 0) this.compacted = Math.max(this.compacted, rev);
  }
}
