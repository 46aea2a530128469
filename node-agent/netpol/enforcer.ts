// Keeps this node's NetworkPolicy rules in step with the cluster: any change of a policy, a pod
// (labels, IP, node) or a namespace's labels marks the rules dirty; a sync recomputes the plan
// from the informers' caches and writes it in one restore when the text changed. Syncs are at
// least `minSyncMs` apart (a burst is one sync); every `resyncMs` the rules are written again
// and the hook checked, so a flushed table heals. A failed sync retries with a doubling delay.
import { logger } from '../../lib/log.js';
import type { Informer } from '../../lib/client/informer.js';
import type { Namespace, NetworkPolicy, Pod } from '../kube-types.js';
import type { Labels } from '../../lib/label-selector.js';
import { planNetworkPolicies, podEntries } from './policy-model.js';
import { netpolRestoreText } from './rules.js';
import type { NetpolIptables } from './iptables.js';
import type { NetpolMetrics } from './metrics.js';

const log = logger('network-policy');

export interface NetpolInformers {
  pods: Informer<Pod>;
  namespaces: Informer<Namespace>;
  policies: Informer<NetworkPolicy>;
}

export interface EnforcerOptions {
  informers: NetpolInformers;
  nodeName: string;
  iptables: NetpolIptables;
  minSyncMs: number;
  resyncMs: number;
  metrics?: NetpolMetrics;
}

export class NetpolEnforcer {
  private timer: NodeJS.Timeout | undefined;
  private lastSync = 0;
  private lastText = '';
  private chains = new Set<string>();
  private force = true;
  private failures = 0;
  private syncing: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly o: EnforcerOptions) {}

  /** Starts watching for changes (the informers run elsewhere); returns the stop. */
  async start(): Promise<() => Promise<void>> {
    this.chains = new Set(await this.o.iptables.ownChains());
    const offs = [this.o.informers.pods, this.o.informers.namespaces, this.o.informers.policies].map((inf) =>
      (inf as Informer<Pod | Namespace | NetworkPolicy>).on({ add: () => this.schedule(), update: () => this.schedule(), delete: () => this.schedule() }));
    const resync = setInterval(() => {
      this.force = true;
      this.schedule();
    }, this.o.resyncMs);
    await this.sync();
    return async () => {
      this.stopped = true;
      clearInterval(resync);
      clearTimeout(this.timer);
      for (const off of offs) off();
      await this.syncing;
    };
  }

  /** Syncs soon: at once when the last sync is `minSyncMs` old, else then. */
  private schedule(delayMs?: number): void {
    if (this.timer || this.stopped) return;
    const wait = delayMs ?? Math.max(0, this.lastSync + this.o.minSyncMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.sync();
    }, wait);
  }

  /** Recomputes the rules and writes them if they changed (or a resync is due). */
  async sync(): Promise<void> {
    // A change seen during a sync gets a sync of its own after it.
    while (this.syncing) await this.syncing;
    this.syncing = this.syncOnce().finally(() => {
      this.syncing = undefined;
    });
    await this.syncing;
  }

  private async syncOnce(): Promise<void> {
    this.lastSync = Date.now();
    const started = performance.now();
    const { informers } = this.o;
    const namespaces = new Map<string, Labels>(informers.namespaces.cache.list().map((n) => [n.metadata?.name ?? '', n.metadata?.labels ?? {}]));
    const plan = planNetworkPolicies({ policies: informers.policies.cache.list(), pods: podEntries(informers.pods.cache.list()), namespaces, nodeName: this.o.nodeName });
    const { text, chains } = netpolRestoreText(plan, this.chains);
    const force = this.force;
    if (text === this.lastText && !force) return;
    try {
      await this.o.iptables.restore(text);
      // After the restore: the top chain must exist before FORWARD can jump to it.
      if (force) await this.o.iptables.ensureHook();
      this.chains = chains;
      this.lastText = text;
      this.force = false;
      this.failures = 0;
      const m = this.o.metrics;
      if (m) {
        m.syncDuration.observe([], (performance.now() - started) / 1000);
        m.lastSync = Date.now();
        m.isolated = { ingress: plan.firewalls.filter((f) => f.direction === 'ingress').length, egress: plan.firewalls.filter((f) => f.direction === 'egress').length };
      }
      log.info({ policies: plan.policies.length, isolatedPods: plan.firewalls.length, ms: Math.round(performance.now() - started) }, 'network policy rules written');
    } catch (err) {
      this.failures++;
      this.o.metrics?.restoreFailures.inc([]);
      // Next time the hook is checked and every chain written again.
      this.force = true;
      const retryMs = Math.min(this.o.resyncMs, 500 * 2 ** Math.min(this.failures, 8));
      log.warn({ err: (err as Error).message, retryMs }, 'network policy sync failed');
      this.schedule(retryMs);
    }
  }
}
