// What the proxier's loop needs from a mode (iptables or nftables): how a service port's rules
// look, how a sync's batch is planned from what is written and what is wanted, and the few
// calls to the kernel. The loop (proxier.ts), the service model, endpoint selection, UDP
// conntrack cleanup and the metrics are the same for both modes.
import type { ProxyServicePort } from './service-ports.js';
import type { PortEntry, SyncKind, SyncPlan } from './sync-plan.js';

export type ProxyMode = 'iptables' | 'nftables';
export const PROXY_MODES: readonly ProxyMode[] = ['iptables', 'nftables'];

export interface ProxyBackend<R> {
  readonly mode: ProxyMode;
  /** One service port's rules, built once per change and reused while it stays the same. */
  portRules(sp: ProxyServicePort): R;
  /** Rules a port puts in the kernel (for kube-proxy's rules gauge). */
  ruleCount(rules: R): number;
  /** False once someone removed the proxy's rules (flushed the canary, deleted the table). */
  present(): Promise<boolean>;
  /** Names of the per-service objects the kernel holds, read at full syncs to delete stale ones. */
  existing(): Promise<string[]>;
  plan(kind: SyncKind, written: ReadonlyMap<string, PortEntry<R>>, desired: ReadonlyMap<string, PortEntry<R>>, existing: readonly string[]): SyncPlan;
  /** Writes one batch; throws when the kernel (or the tool) rejects it. */
  apply(text: string): Promise<void>;
  /** After a periodic or full sync: puts back what lives outside the batch. Returns how many it added. */
  repair(): Promise<number>;
  close(): void;
}
