// The proxy's metrics with kube-proxy's names, so its dashboards and alerts work on k8ts.
import { CounterVec, HistogramVec, MetricsRegistry, ValueFunc } from '../../lib/metrics.js';

// kube-proxy's buckets: exponential from 1 ms, doubling, 15 of them.
const buckets = Array.from({ length: 15 }, (_, i) => 0.001 * 2 ** i);

export class ProxyMetrics {
  readonly registry = new MetricsRegistry();
  readonly syncDuration = this.registry.register(new HistogramVec('kubeproxy_sync_proxy_rules_duration_seconds', 'SyncProxyRules latency in seconds', [], buckets));
  readonly fullSyncDuration = this.registry.register(new HistogramVec('kubeproxy_sync_full_proxy_rules_duration_seconds', 'SyncProxyRules latency in seconds for full resyncs', [], buckets));
  readonly partialSyncDuration = this.registry.register(new HistogramVec('kubeproxy_sync_partial_proxy_rules_duration_seconds', 'SyncProxyRules latency in seconds for partial resyncs', [], buckets));
  /** Rules written: one restore holds both tables, so lines of input, by kind of sync. */
  readonly rulesWritten = this.registry.register(new CounterVec('k8ts_proxy_restore_lines_total', 'Lines of iptables-restore input (or nft transactions, in nftables mode) written by the service proxy, by kind of sync', ['kind']));
  readonly restoreFailures = this.registry.register(new CounterVec('kubeproxy_sync_proxy_rules_iptables_restore_failures_total', 'Cumulative proxy iptables restore failures', []));
  readonly staleUdpFlows = this.registry.register(new CounterVec('k8ts_proxy_stale_udp_conntrack_entries_deleted_total', 'UDP conntrack entries to a service that none of its endpoints answers, deleted', []));
  lastSync = 0;
  rulesInKernel = 0;

  constructor() {
    this.registry.register(new ValueFunc('kubeproxy_sync_proxy_rules_last_timestamp_seconds', 'The last time proxy rules were successfully synced', 'gauge', () => this.lastSync / 1000));
    this.registry.register(new ValueFunc('kubeproxy_sync_proxy_rules_iptables_total', 'Number of proxy iptables rules programmed (nat table, service rules)', 'gauge', () => this.rulesInKernel));
  }
}
