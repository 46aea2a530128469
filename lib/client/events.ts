// Recording core/v1 Events about objects, as controllers and the scheduler do in Kubernetes:
// fire and forget (a full buffer drops events rather than slowing the caller), correlated so
// repeats count up instead of piling up, written in the background with a few retries.
import { hostname } from 'node:os';
import { logger } from '../log.js';
import { isApiError, isNotFound } from './api-error.js';
import { realClock, type Clock, type TimerHandle } from './clock.js';
import { eventName, LegacyCorrelator, SeriesCorrelator, type Correlation } from './event-correlator.js';
import type { KubeClient } from './rest-client.js';
import { resources } from './resource-types.js';
import { microTime, rfc3339, type Event, type KubeObject } from './types.js';

const log = logger('events');

export type EventType = 'Normal' | 'Warning';

/** The object an event is about (core/v1 ObjectReference). */
export interface ObjectRef {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

/** A reference to an object; kind and apiVersion may be given when the object lacks them. */
export function referenceTo(obj: KubeObject, typeMeta: { apiVersion?: string; kind?: string } = {}): ObjectRef {
  const m = obj.metadata ?? {};
  return {
    apiVersion: obj.apiVersion ?? typeMeta.apiVersion, kind: obj.kind ?? typeMeta.kind,
    namespace: m.namespace || undefined, name: m.name, uid: m.uid, resourceVersion: m.resourceVersion,
  };
}

/** Where events go: the API, or a fake in tests. */
export interface EventSink {
  create(ev: Event): Promise<Event>;
  patch(namespace: string, name: string, patch: Record<string, unknown>): Promise<Event>;
}

export function apiEventSink(client: KubeClient): EventSink {
  const events = client.resource<Event>(resources.events);
  return {
    create: (ev) => events.create(ev),
    patch: (ns, name, patch) => events.patch(ns, name, patch, 'strategic'),
  };
}

export interface RecorderOptions {
  /** source.component / reportingController ("replicaset-controller", "default-scheduler"). */
  component: string;
  /** source.host (kubelets set their node name); empty for controllers. */
  host?: string;
  /**
   * 'legacy': count/firstTimestamp/lastTimestamp (kube-controller-manager's recorders).
   * 'series': eventTime/series/action (the events.k8s.io recorder the scheduler uses).
   */
  style?: 'legacy' | 'series';
  clock?: Clock;
  /** Events waiting to be written beyond this are dropped (client-go: 1000). */
  maxQueued?: number;
}

const maxAttempts = 3;
const writers = 32;
const seriesRefreshMs = 30 * 60_000;

export class EventRecorder {
  private readonly clock: Clock;
  private readonly style: 'legacy' | 'series';
  private readonly legacy?: LegacyCorrelator;
  private readonly series?: SeriesCorrelator;
  private readonly queue: Event[] = [];
  private readonly maxQueued: number;
  private readonly instance: string;
  private active = 0;
  /** Writes for one correlation key run in order (a patch must not overtake its create). */
  private readonly chains = new Map<string, Promise<void>>();
  private idleWaiters: Array<() => void> = [];
  private timers: TimerHandle[] = [];
  private closed = false;

  constructor(private readonly sink: EventSink, private readonly opts: RecorderOptions) {
    this.clock = opts.clock ?? realClock;
    this.style = opts.style ?? 'legacy';
    this.maxQueued = opts.maxQueued ?? 1000;
    this.instance = opts.host ?? (this.style === 'series' ? `${opts.component}-${hostname()}` : '');
    if (this.style === 'legacy') this.legacy = new LegacyCorrelator(this.clock);
    else {
      this.series = new SeriesCorrelator(this.clock);
      this.scheduleSeriesMaintenance();
    }
  }

  /** Records an event about an object. `action` is what the component was doing (series style). */
  event(regarding: ObjectRef, type: EventType, reason: string, message: string, action = ''): void {
    if (this.closed) return;
    if (this.queue.length >= this.maxQueued) {
      log.warn({ reason, object: regarding.name }, 'event queue full: dropping event');
      return;
    }
    this.queue.push(this.makeEvent(regarding, type, reason, message, action));
    this.pump();
  }

  /** Resolves once every recorded event has been written (or given up on). */
  flush(): Promise<void> {
    if (this.queue.length === 0 && this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops accepting events and cancels the series timers; queued events are still written. */
  close(): void {
    this.closed = true;
    for (const t of this.timers) t.cancel();
    this.timers = [];
  }

  private makeEvent(ref: ObjectRef, type: EventType, reason: string, message: string, action: string): Event {
    const now = this.clock.now();
    const namespace = ref.namespace || 'default';
    const base: Event = {
      metadata: { name: eventName(ref.name ?? '', now), namespace },
      involvedObject: { ...ref },
      reason, message, type,
      reportingComponent: this.opts.component,
      reportingInstance: this.instance,
    };
    if (this.style === 'series') {
      return { ...base, eventTime: microTime(now), action, source: {}, firstTimestamp: undefined, lastTimestamp: undefined };
    }
    const ts = rfc3339(now);
    return {
      ...base, source: { component: this.opts.component, ...(this.opts.host ? { host: this.opts.host } : {}) },
      firstTimestamp: ts, lastTimestamp: ts, count: 1, eventTime: undefined,
    };
  }

  private pump(): void {
    while (this.active < writers && this.queue.length > 0) {
      const ev = this.queue.shift()!;
      const c = this.legacy ? this.legacy.correlate(ev) : this.series!.correlate(ev);
      if (c.action === 'skip') continue;
      this.active++;
      const prev = this.chains.get(c.key) ?? Promise.resolve();
      const next = prev.then(() => this.write(c)).finally(() => {
        if (this.chains.get(c.key) === next) this.chains.delete(c.key);
        this.active--;
        this.pump();
      });
      this.chains.set(c.key, next);
    }
    if (this.active === 0 && this.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private async write(c: Exclude<Correlation, { action: 'skip' }>): Promise<void> {
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        if (c.action === 'create') {
          await this.sink.create(c.event);
          return;
        }
        try {
          await this.sink.patch(c.event.metadata?.namespace ?? 'default', c.event.metadata?.name ?? '', c.patch);
        } catch (err) {
          if (!isNotFound(err)) throw err;
          // The event expired or was deleted: record it again as a new one.
          const created = await this.sink.create({ ...c.event, metadata: { ...c.event.metadata, resourceVersion: undefined } });
          (this.legacy ?? this.series!).recorded(c.key, created);
        }
        return;
      } catch (err) {
        // A namespace being terminated refuses new events: nothing to retry.
        if (isApiError(err, 'Forbidden')) {
          log.debug({ reason: c.event.reason, object: c.event.involvedObject?.name, err: (err as Error).message }, 'event refused');
          return;
        }
        if (attempt === maxAttempts || this.closed) {
          log.warn({ reason: c.event.reason, object: c.event.involvedObject?.name, err: (err as Error).message }, 'could not write event');
          return;
        }
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  }

  private scheduleSeriesMaintenance(): void {
    const expire = () => {
      this.series!.expire();
      this.timers[0] = this.clock.setTimer(expire, 60_000);
    };
    const refresh = () => {
      for (const s of this.series!.openSeries()) {
        this.active++;
        void this.write({ action: 'patch', ...s }).finally(() => {
          this.active--;
          this.pump();
        });
      }
      this.timers[1] = this.clock.setTimer(refresh, seriesRefreshMs);
    };
    this.timers = [this.clock.setTimer(expire, 60_000), this.clock.setTimer(refresh, seriesRefreshMs)];
  }
}
