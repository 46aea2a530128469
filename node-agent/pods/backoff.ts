// Restart and image-pull backoff, as client-go's flowcontrol.Backoff that kubelet uses: per key,
// the first failure waits `initial`, each next one twice as long up to `max`; a key not touched
// for 2 x max (10 minutes for CrashLoopBackOff) starts over.

export interface BackoffEntry {
  /** Current wait. */
  backoffMs: number;
  /** When the wait last grew (the event time given to next()). */
  lastUpdate: number;
}

export class Backoff {
  private readonly entries = new Map<string, BackoffEntry>();

  constructor(
    readonly initialMs: number,
    readonly maxMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private expired(entry: BackoffEntry, at: number): boolean {
    return at - entry.lastUpdate > 2 * this.maxMs;
  }

  /** Current wait for the key (0 when none). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** Records a failure at `eventTime`: starts or doubles the wait. */
  next(key: string, eventTime: number): void {
    const e = this.entries.get(key);
    if (!e || this.expired(e, eventTime)) {
      this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: eventTime });
      return;
    }
    e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs);
    e.lastUpdate = eventTime;
  }

  /** Whether less than the current wait has passed since `eventTime` (kubelet: the container's finish time). */
  isInBackOffSince(key: string, eventTime: number): boolean {
    const e = this.entries.get(key);
    if (!e || this.expired(e, eventTime)) return false;
    return this.now() - eventTime < e.backoffMs;
  }

  /** Like isInBackOffSince, measured from the last update (image pulls). */
  isInBackOffSinceUpdate(key: string): boolean {
    const e = this.entries.get(key);
    if (!e || this.expired(e, this.now())) return false;
    return this.now() - e.lastUpdate < e.backoffMs;
  }

  /** Milliseconds until the wait that started at `eventTime` is over (0 if it is). */
  remaining(key: string, eventTime: number): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    return Math.max(0, eventTime + e.backoffMs - this.now());
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Drops keys whose prefix matches (a pod's, once it is gone). */
  resetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  /** Drops entries idle for 2 x max. */
  gc(): void {
    const now = this.now();
    for (const [k, e] of this.entries) if (this.expired(e, now)) this.entries.delete(k);
  }
}

/** Kubelet's CrashLoopBackOff: 10 s doubling to 5 min. */
export const CRASH_BACKOFF = { initialMs: 10_000, maxMs: 300_000 } as const;
/** Kubelet's image pull backoff: 10 s doubling to 5 min. */
export const IMAGE_BACKOFF = { initialMs: 10_000, maxMs: 300_000 } as const;

