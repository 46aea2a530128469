// The service proxy's loop: Service and EndpointSlice events mark services dirty; a sync turns
// the dirty ones into service ports and rules (reusing those of unchanged ports) and writes
// them in one batch of the mode's backend (iptables-restore, or one nft transaction). Syncs are
// at least minSyncMs apart, so a burst of events becomes one sync; every syncPeriodMs a periodic
// sync rewrites the shared chains (or maps) and checks that the rules are still there; a full
// sync runs at start, after a failure, when the rules are gone and hourly.
import { logger } from '../../lib/log.js';
import { realClock, type Clock, type TimerHandle } from '../../lib/client/clock.js';
import type { ServiceInformers } from '../service-informers.js';
import type { EndpointSlice, Service } from '../kube-types.js';
import type { Conntrack } from './conntrack.js';
import { staleFlows } from './conntrack.js';
import type { ProxyBackend } from './backend.js';
import type { ProxyMetrics } from './metrics.js';
import { servicePortsOf, type ProxyServicePort } from './service-ports.js';
import type { PortEntry, SyncKind } from './sync-plan.js';

const log = logger('proxy');

export interface ProxierOptions<R> {
  informers: ServiceInformers;
  nodeName: string;
  /** The mode: builds each port's rules, plans and writes the batches. */
  backend: ProxyBackend<R>;
  /** Without it (no `conntrack` CLI) stale UDP flows stay until they time out. */
  conntrack?: Conntrack;
  /** The node's own addresses (node ports are reached on them). */
  localIPs: () => Set<string>;
  metrics: ProxyMetrics;
  /** kube-proxy's --iptables-min-sync-period (1 s). */
  minSyncMs: number;
  /** kube-proxy's --iptables-sync-period (30 s). */
  syncPeriodMs: number;
  /** A full sync at least this often (kube-proxy: an hour). */
  fullSyncMs: number;
  clock?: Clock;
  /** Told of every sync that wrote rules (the benchmark times them). */
  onSynced?: (s: SyncReport) => void;
}

export interface SyncReport {
  kind: SyncKind;
  /** From the start of the sync to the rules being in the kernel. */
  ms: number;
  lines: number;
  changed: number;
}

const order: Record<SyncKind, number> = { partial: 0, periodic: 1, full: 2 };
const SERVICE_INDEX = 'proxy-service';

export class Proxier<R = unknown> {
  private readonly clock: Clock;
  /** Service ports wanted now, by port name (rules built once per change). */
  private readonly desired = new Map<string, PortEntry<R>>();
  /** What the tables hold as of the last sync that succeeded. */
  private written = new Map<string, PortEntry<R>>();
  private readonly portsOfService = new Map<string, string[]>();
  private dirty = new Set<string>();
  private needFull = true;
  private lastFull = 0;
  private lastStart = Number.NEGATIVE_INFINITY;
  private pending: SyncKind | undefined;
  private syncing = false;
  private wake: TimerHandle | undefined;
  private periodic: TimerHandle | undefined;
  private stopped = false;
  /** Resolves when the sync in progress (if any) ends. */
  private current: Promise<void> = Promise.resolve();
  private syncs = 0;
  /** Failed syncs in a row: retries back off from the minimum interval up to the sync period. */
  private failures = 0;

  constructor(private readonly o: ProxierOptions<R>) {
    this.clock = o.clock ?? realClock;
  }

  /** Subscribes and starts syncing (the first sync is full). Returns the stop. */
  start(): () => Promise<void> {
    const { services, endpointSlices } = this.o.informers;
    endpointSlices.cache.addIndex(SERVICE_INDEX, (s) => {
      const owner = s.metadata?.labels?.['kubernetes.io/service-name'];
      return owner ? [`${s.metadata?.namespace}/${owner}`] : [];
    });
    const onService = { add: (s: Service) => this.mark(keyOf(s)), update: (_: Service, s: Service) => this.mark(keyOf(s)), delete: (s: Service) => this.mark(keyOf(s)) };
    const sliceKey = (s: EndpointSlice) => {
      const owner = s.metadata?.labels?.['kubernetes.io/service-name'];
      if (owner) this.mark(`${s.metadata?.namespace}/${owner}`);
    };
    const offs = [
      services.on(onService),
      endpointSlices.on({ add: sliceKey, update: (old, cur) => { sliceKey(old); sliceKey(cur); }, delete: sliceKey }),
    ];
    this.request('full');
    this.schedulePeriodic();
    return async () => {
      this.stopped = true;
      for (const off of offs) off();
      this.wake?.cancel();
      this.periodic?.cancel();
      await this.current;
    };
  }

  /** Sync now-ish (within the minimum interval); for tests and the benchmark, resolves when done. */
  async syncNow(kind: SyncKind = 'partial'): Promise<void> {
    await this.current;
    this.current = this.sync(kind);
    await this.current;
  }

  /** How many syncs wrote rules. */
  get syncCount(): number {
    return this.syncs;
  }

  private mark(key: string): void {
    this.dirty.add(key);
    this.request('partial');
  }

  private request(kind: SyncKind): void {
    if (this.pending === undefined || order[kind] > order[this.pending]) this.pending = kind;
    this.kick();
  }

  /** Runs the pending sync once the minimum interval since the last one has passed. */
  private kick(): void {
    if (this.stopped || this.syncing || this.wake || this.pending === undefined) return;
    const gap = this.failures ? Math.min(this.o.minSyncMs * 2 ** this.failures, this.o.syncPeriodMs) : this.o.minSyncMs;
    const delay = Math.max(0, this.lastStart + gap - this.clock.now());
    this.wake = this.clock.setTimer(() => {
      this.wake = undefined;
      const kind = this.pending;
      this.pending = undefined;
      if (kind === undefined || this.stopped) return;
      this.syncing = true;
      this.current = this.sync(kind).finally(() => {
        this.syncing = false;
        this.kick();
      });
    }, delay);
  }

  private schedulePeriodic(): void {
    this.periodic = this.clock.setTimer(() => {
      if (this.stopped) return;
      this.request('periodic');
      this.schedulePeriodic();
    }, this.o.syncPeriodMs);
  }

  /** Brings one service's ports in `desired` up to date with the informers' caches. */
  private recompute(key: string): void {
    const { services, endpointSlices } = this.o.informers;
    const svc = services.cache.get(key);
    const ports = svc ? servicePortsOf([svc], endpointSlices.cache.byIndex(SERVICE_INDEX, key), this.o.nodeName) : [];
    const names = ports.map((sp) => sp.portName);
    for (const old of this.portsOfService.get(key) ?? []) if (!names.includes(old)) this.desired.delete(old);
    if (names.length) this.portsOfService.set(key, names);
    else this.portsOfService.delete(key);
    for (const sp of ports) {
      const fingerprint = JSON.stringify(sp);
      if (this.desired.get(sp.portName)?.fingerprint !== fingerprint) this.desired.set(sp.portName, { sp, fingerprint, rules: this.o.backend.portRules(sp) });
    }
  }

  private async sync(requested: SyncKind): Promise<void> {
    const started = this.clock.now();
    const t0 = performance.now();
    this.lastStart = started;
    let kind = requested;
    if (this.needFull || started - this.lastFull >= this.o.fullSyncMs) kind = 'full';
    try {
      if (kind === 'periodic' && !(await this.o.backend.present())) {
        log.warn({ mode: this.o.backend.mode }, 'proxy rules gone (canary chain flushed or table deleted?): full sync');
        kind = 'full';
      }
      const dirty = kind === 'full' ? new Set([...this.o.informers.services.cache.keys(), ...this.portsOfService.keys(), ...this.dirty]) : this.dirty;
      this.dirty = new Set();
      for (const key of dirty) this.recompute(key);
      const existing = kind === 'full' ? await this.o.backend.existing() : [];
      const plan = this.o.backend.plan(kind, this.written, this.desired, existing);
      if (kind === 'partial' && plan.changed.length === 0) return;
      const tRestore = performance.now();
      await this.o.backend.apply(plan.text);
      const restoreMs = Math.round(performance.now() - tRestore);
      const jumpsAdded = kind === 'partial' ? 0 : await this.o.backend.repair();
      const before = this.written;
      this.written = new Map(this.desired);
      if (kind === 'full') {
        this.needFull = false;
        this.lastFull = started;
      }
      this.syncs++;
      this.failures = 0;
      const seconds = (performance.now() - t0) / 1000;
      this.record(kind, plan.lines, seconds);
      this.o.onSynced?.({ kind, ms: seconds * 1000, lines: plan.lines, changed: plan.changed.length });
      const line = { kind, changed: plan.changed.length, ports: this.desired.size, lines: plan.lines, ms: Math.round(seconds * 1000), restoreMs, jumpsAdded };
      // Full syncs are rare and worth a line; the rest are routine.
      if (kind === 'full') log.info(line, 'proxy rules synced');
      else log.debug(line, 'proxy rules synced');
      await this.cleanUdpFlows(kind, plan.changed, before);
    } catch (err) {
      // What the tables hold is unknown now: the next sync rewrites everything.
      this.needFull = true;
      this.failures++;
      this.o.metrics.restoreFailures.inc([]);
      log.error({ kind, failures: this.failures, err: (err as Error).message }, 'proxy sync failed: full sync next');
      if (!this.stopped) this.request('full');
    }
  }

  private record(kind: SyncKind, lines: number, seconds: number): void {
    const m = this.o.metrics;
    m.syncDuration.observe([], seconds);
    (kind === 'full' ? m.fullSyncDuration : m.partialSyncDuration).observe([], seconds);
    m.rulesWritten.inc([kind], lines);
    m.lastSync = this.clock.now();
    let rules = 0;
    for (const e of this.written.values()) rules += this.o.backend.ruleCount(e.rules);
    m.rulesInKernel = rules;
  }

  /**
   * Deletes UDP flows no endpoint answers: those of changed UDP ports (and removed ones, whose
   * flows nothing answers any more) after every sync, those of every UDP port after a periodic
   * or full one.
   */
  private async cleanUdpFlows(kind: SyncKind, changed: readonly string[], before: ReadonlyMap<string, PortEntry<R>>): Promise<void> {
    const ct = this.o.conntrack;
    if (!ct) return;
    const check: ProxyServicePort[] = [];
    const names = kind === 'partial' ? changed : [...new Set([...this.desired.keys(), ...changed])];
    for (const name of names) {
      const now = this.desired.get(name)?.sp;
      const gone = before.get(name)?.sp;
      const sp = now ?? (gone && { ...gone, endpoints: [] });
      if (sp?.protocol === 'UDP') check.push(sp);
    }
    if (check.length === 0) return;
    try {
      const stale = staleFlows(await ct.udpFlows(), check, this.o.localIPs());
      for (const f of stale) await ct.remove(f);
      if (stale.length) {
        this.o.metrics.staleUdpFlows.inc([], stale.length);
        log.info({ flows: stale.length, services: [...new Set(check.map((s) => s.portName))].slice(0, 10) }, 'deleted stale UDP conntrack entries');
      }
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'could not clean UDP conntrack entries');
    }
  }
}

function keyOf(o: Service): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}
