// Lease-based leader election, as client-go's leaderelection package does it: candidates try to
// take a coordination.k8s.io Lease every retryPeriod; the holder renews it and gives up
// leadership when it cannot renew within renewDeadline; others take over once the lease has not
// changed for leaseDuration as measured on their own clock (clocks are never compared across
// machines). So two servers never both run the controllers.
import { setMaxListeners } from 'node:events';
import { logger } from '../log.js';
import { isAlreadyExists, isNotFound } from './api-error.js';
import { realClock, type Clock } from './clock.js';
import type { ResourceClient } from './rest-client.js';
import { microTime, type Lease } from './types.js';

const log = logger('leader-election');

/** Reads and writes the one Lease an election is about (the API, or a fake in tests). */
export interface LeaseLock {
  get(): Promise<Lease | undefined>;
  /** Rejects if the lease exists already. */
  create(lease: Lease): Promise<Lease>;
  /** Rejects on a resourceVersion conflict. */
  update(lease: Lease): Promise<Lease>;
  describe(): string;
}

export function apiLeaseLock(leases: ResourceClient<Lease>, namespace: string, name: string): LeaseLock {
  return {
    async get() {
      try {
        return await leases.get(namespace, name);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    create: (lease) => leases.create({ ...lease, metadata: { ...lease.metadata, namespace, name } }),
    update: (lease) => leases.update(lease),
    describe: () => `${namespace}/${name}`,
  };
}

export interface LeaderElectionConfig {
  lock: LeaseLock;
  identity: string;
  /** Kubernetes' defaults: 15 s lease, 10 s renew deadline, 2 s retry period. */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Hand the lease back on a clean stop so another candidate need not wait it out (default true). */
  releaseOnCancel?: boolean;
  clock?: Clock;
  /** Leadership begins; the signal aborts when it ends. */
  onStartedLeading(signal: AbortSignal): void;
  onStoppedLeading?(): void;
  /** Someone (maybe this candidate) is observed holding the lease. */
  onNewLeader?(identity: string): void;
}

export class LeaderElector {
  private readonly clock: Clock;
  private readonly leaseMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private observed?: Lease;
  private observedRaw = '';
  /** When the observed record last changed, on our clock. */
  private observedAt = 0;
  private reportedLeader = '';

  constructor(private readonly cfg: LeaderElectionConfig) {
    this.clock = cfg.clock ?? realClock;
    this.leaseMs = cfg.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = cfg.renewDeadlineMs ?? 10_000;
    this.retryMs = cfg.retryPeriodMs ?? 2_000;
    if (this.leaseMs <= this.renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= this.retryMs * 1.2) throw new Error('renewDeadline must be greater than retryPeriod*1.2');
  }

  /** The lease as last read or written. */
  get lease(): Lease | undefined {
    return this.observed;
  }

  /** Whether this candidate held the lease at its last successful try. */
  isLeader(): boolean {
    return this.observed?.spec?.holderIdentity === this.cfg.identity;
  }

  /** Campaigns, leads and campaigns again after losing the lease, until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (!(await this.acquire(signal))) break;
      const leading = new AbortController();
      // What runs while leading (informers, queues, timers) all listen on this signal.
      setMaxListeners(0, leading.signal);
      const onAbort = () => leading.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      log.info({ lease: this.cfg.lock.describe(), identity: this.cfg.identity }, 'acquired lease');
      try {
        this.cfg.onStartedLeading(leading.signal);
        await this.renewUntilLost(signal);
      } finally {
        signal.removeEventListener('abort', onAbort);
        leading.abort();
        this.cfg.onStoppedLeading?.();
      }
      if (signal.aborted) {
        if (this.cfg.releaseOnCancel ?? true) await this.release();
        break;
      }
      log.warn({ lease: this.cfg.lock.describe(), identity: this.cfg.identity }, 'lost lease');
    }
  }

  private async acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew()) return true;
      await this.clock.sleep(this.retryMs * (1 + Math.random() * 1.2), signal);
    }
    return false;
  }

  /** Renews every retryPeriod; returns when renewing failed for renewDeadline, or on abort. */
  private async renewUntilLost(signal: AbortSignal): Promise<void> {
    let lastRenew = this.clock.now();
    while (!signal.aborted) {
      await this.clock.sleep(this.retryMs, signal);
      if (signal.aborted) return;
      if (await this.tryAcquireOrRenew()) {
        lastRenew = this.clock.now();
        continue;
      }
      if (this.clock.now() - lastRenew >= this.renewDeadlineMs || (this.observed && !this.isLeader())) return;
    }
  }

  /** One attempt to take or keep the lease. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.clock.now();
    const me = this.cfg.identity;
    const leaseSeconds = Math.round(this.leaseMs / 1000);
    let current: Lease | undefined;
    try {
      current = await this.cfg.lock.get();
    } catch (err) {
      log.debug({ err: (err as Error).message }, 'reading lease failed');
      return false;
    }
    if (!current) {
      try {
        const created = await this.cfg.lock.create({
          metadata: {},
          spec: { holderIdentity: me, leaseDurationSeconds: leaseSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 },
        });
        this.observe(created, now);
        return true;
      } catch (err) {
        if (!isAlreadyExists(err)) log.debug({ err: (err as Error).message }, 'creating lease failed');
        return false;
      }
    }
    const raw = JSON.stringify(current.spec ?? {});
    if (raw !== this.observedRaw) this.observe(current, now);
    const spec = current.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const durationMs = (spec.leaseDurationSeconds ?? leaseSeconds) * 1000;
    if (holder && holder !== me && this.observedAt + durationMs > now) return false;
    const next: Lease = {
      ...current,
      spec: {
        ...spec,
        holderIdentity: me,
        leaseDurationSeconds: leaseSeconds,
        renewTime: microTime(now),
        acquireTime: holder === me ? spec.acquireTime : microTime(now),
        leaseTransitions: holder === me ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + (holder ? 1 : 0),
      },
    };
    try {
      this.observe(await this.cfg.lock.update(next), now);
      return true;
    } catch (err) {
      log.debug({ err: (err as Error).message }, 'updating lease failed');
      return false;
    }
  }

  /** Gives the lease up: an empty holder lets the next candidate take it at once. */
  private async release(): Promise<void> {
    if (!this.isLeader() || !this.observed) return;
    const now = this.clock.now();
    try {
      await this.cfg.lock.update({
        ...this.observed,
        spec: { ...this.observed.spec, holderIdentity: undefined, leaseDurationSeconds: 1, renewTime: microTime(now), acquireTime: microTime(now) },
      });
    } catch (err) {
      log.debug({ err: (err as Error).message }, 'releasing lease failed');
    }
    this.observed = undefined;
    this.observedRaw = '';
  }

  private observe(lease: Lease, now: number): void {
    this.observed = lease;
    this.observedRaw = JSON.stringify(lease.spec ?? {});
    this.observedAt = now;
    const holder = lease.spec?.holderIdentity ?? '';
    if (holder && holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      this.cfg.onNewLeader?.(holder);
    }
  }
}
