// Deciding what an event becomes on the server, as client-go's recorders do, so `kubectl
// describe` shows "(x3 over 2m)" instead of a flood:
// - legacy recorders (controllers): the same source/object/type/reason/message counts up on the
//   first event (count, lastTimestamp); more than 10 distinct messages for one object and reason
//   within 10 minutes turn into one "(combined from similar events): ..." event; a source may
//   burst 25 events about one object, then 1 per 5 minutes.
// - series recorders (the scheduler, like client-go's events.k8s.io recorder): the same
//   object/reason/action is one event with a series; the second occurrence starts the series
//   (count 2) and later ones only count up locally until the periodic refresh writes them.
import type { Clock } from './clock.js';
import { microTime, rfc3339, type Event } from './types.js';

const maxCacheEntries = 4096;
const aggregateMaxEvents = 10;
const aggregateIntervalMs = 600_000;
const spamBurst = 25;
const spamRefillMs = 300_000;

/** What to send for an event: a new object, a patch of an existing one, or nothing. */
export type Correlation =
  | { action: 'create'; event: Event; key: string }
  | { action: 'patch'; event: Event; patch: Record<string, unknown>; key: string }
  | { action: 'skip' };

/** A map that forgets its least recently used entries (groupcache's lru, as client-go uses). */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max = maxCacheEntries) {}
  get(k: string): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }
  set(k: string, v: V): void {
    this.map.delete(k);
    this.map.set(k, v);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }
  delete(k: string): void {
    this.map.delete(k);
  }
  entries(): IterableIterator<[string, V]> {
    return this.map.entries();
  }
}

function objectPart(e: Event): string[] {
  const o = e.involvedObject ?? {};
  return [o.kind ?? '', o.namespace ?? '', o.name ?? '', o.uid ?? '', o.apiVersion ?? ''];
}

const spamKey = (e: Event) => [e.source?.component ?? '', e.source?.host ?? '', ...objectPart(e)].join('\u0000');
const aggregateKey = (e: Event) =>
  [e.source?.component ?? '', e.source?.host ?? '', ...objectPart(e), e.type ?? '', e.reason ?? '', e.reportingComponent ?? '', e.reportingInstance ?? ''].join('\u0000');
/** Everything that makes two events "the same" (fieldPath and message included). */
export const eventKey = (e: Event) =>
  [e.source?.component ?? '', e.source?.host ?? '', ...objectPart(e), e.involvedObject?.fieldPath ?? '', e.type ?? '', e.reason ?? '', e.message ?? ''].join('\u0000');

interface Observation {
  count: number;
  firstTimestamp?: string;
  name: string;
}

/** The legacy (core/v1 count/lastTimestamp) correlator. */
export class LegacyCorrelator {
  private readonly spam = new Lru<{ tokens: number; at: number }>();
  private readonly aggregates = new Lru<{ messages: Set<string>; last: number }>();
  private readonly observed = new Lru<Observation>();

  constructor(private readonly clock: Clock) {}

  correlate(input: Event): Correlation {
    const now = this.clock.now();
    if (this.isSpam(input, now)) return { action: 'skip' };
    const { event, key } = this.aggregate(input, now);
    const last = this.observed.get(key);
    if (!last) {
      this.observed.set(key, { count: event.count ?? 1, firstTimestamp: event.firstTimestamp, name: event.metadata?.name ?? '' });
      return { action: 'create', event, key };
    }
    const count = last.count + 1;
    const updated: Event = { ...event, metadata: { ...event.metadata, name: last.name }, count, firstTimestamp: last.firstTimestamp };
    this.observed.set(key, { ...last, count });
    return { action: 'patch', event: updated, patch: { count, lastTimestamp: event.lastTimestamp, message: event.message }, key };
  }

  /** Records what the server now holds under a correlation key (after an event had to be created again). */
  recorded(key: string, event: Event): void {
    this.observed.set(key, { count: event.count ?? 1, firstTimestamp: event.firstTimestamp, name: event.metadata?.name ?? '' });
  }

  private isSpam(e: Event, now: number): boolean {
    const key = spamKey(e);
    const rec = this.spam.get(key) ?? { tokens: spamBurst, at: now };
    const tokens = Math.min(spamBurst, rec.tokens + (now - rec.at) / spamRefillMs);
    const allowed = tokens >= 1;
    this.spam.set(key, { tokens: allowed ? tokens - 1 : tokens, at: now });
    return !allowed;
  }

  private aggregate(e: Event, now: number): { event: Event; key: string } {
    const aKey = aggregateKey(e);
    let rec = this.aggregates.get(aKey);
    if (!rec || now - rec.last > aggregateIntervalMs) rec = { messages: new Set(), last: now };
    rec.messages.add(e.message ?? '');
    rec.last = now;
    this.aggregates.set(aKey, rec);
    if (rec.messages.size < aggregateMaxEvents) return { event: e, key: eventKey(e) };
    // Keep the set from growing past the threshold.
    rec.messages.delete(rec.messages.values().next().value as string);
    const ts = rfc3339(now);
    return {
      key: aKey,
      event: {
        ...e, metadata: { ...e.metadata, name: eventName(e.involvedObject?.name ?? '', now) },
        message: `(combined from similar events): ${e.message ?? ''}`, count: 1, firstTimestamp: ts, lastTimestamp: ts,
      },
    };
  }
}

/** How long a series stays open without a new occurrence (client-go: 6 minutes). */
export const seriesHeartbeatMs = 6 * 60_000;

const seriesKey = (e: Event) => [...objectPart(e), e.reason ?? '', e.action ?? '', e.reportingComponent ?? '', e.reportingInstance ?? ''].join('\u0000');

/** The series (events.k8s.io style) correlator. */
export class SeriesCorrelator {
  private readonly cache = new Map<string, Event>();

  constructor(private readonly clock: Clock) {}

  correlate(input: Event): Correlation {
    const key = seriesKey(input);
    const existing = this.cache.get(key);
    const now = microTime(this.clock.now());
    if (!existing) {
      this.cache.set(key, input);
      return { action: 'create', event: input, key };
    }
    if (existing.series) {
      existing.series = { count: (existing.series.count ?? 1) + 1, lastObservedTime: now };
      return { action: 'skip' };
    }
    existing.series = { count: 2, lastObservedTime: now };
    return { action: 'patch', event: { ...existing }, patch: { series: existing.series }, key };
  }

  /** Records what the server now holds under a correlation key (after an event had to be created again). */
  recorded(key: string, event: Event): void {
    const cur = this.cache.get(key);
    if (cur) cur.metadata = { ...cur.metadata, name: event.metadata?.name, namespace: event.metadata?.namespace };
  }

  /** Every open series, to write its current count (client-go refreshes every 30 minutes). */
  openSeries(): Array<{ event: Event; patch: Record<string, unknown>; key: string }> {
    return [...this.cache].filter(([, e]) => e.series).map(([key, e]) => ({ event: { ...e }, patch: { series: e.series }, key }));
  }

  /** Closes series (and single events) not seen for the heartbeat interval. */
  expire(): void {
    const cutoff = this.clock.now() - seriesHeartbeatMs;
    for (const [key, e] of this.cache) {
      const last = Date.parse(e.series?.lastObservedTime ?? e.eventTime ?? '') || 0;
      if (last < cutoff) this.cache.delete(key);
    }
  }
}

/** Event names: the object's name and the time in hex nanoseconds, as client-go makes them. */
export function eventName(objectName: string, nowMs: number): string {
  const nanos = BigInt(nowMs) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000));
  return `${objectName}.${nanos.toString(16)}`;
}
