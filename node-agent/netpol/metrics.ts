// The NetworkPolicy enforcer's metrics, on the agent's /metrics: how long syncs take, how often
// a restore fails, and how many of this node's pods are isolated (so a dashboard sees enforcement
// running, and an alert sees it failing).
import { CounterVec, HistogramVec, MetricsRegistry, ValueFunc } from '../../lib/metrics.js';

// As the proxy's (kube-proxy's): exponential from 1 ms, doubling, 15 of them.
const buckets = Array.from({ length: 15 }, (_, i) => 0.001 * 2 ** i);

export class NetpolMetrics {
  readonly registry = new MetricsRegistry();
  readonly syncDuration = this.registry.register(new HistogramVec('k8ts_network_policy_sync_duration_seconds', 'Time one NetworkPolicy sync takes (plan, rules, restore), in seconds', [], buckets));
  readonly restoreFailures = this.registry.register(new CounterVec('k8ts_network_policy_restore_failures_total', 'NetworkPolicy iptables-restore failures', []));
  lastSync = 0;
  isolated = { ingress: 0, egress: 0 };

  constructor() {
    this.registry.register(new ValueFunc('k8ts_network_policy_last_sync_timestamp_seconds', 'The last time NetworkPolicy rules were written', 'gauge', () => this.lastSync / 1000));
    this.registry.register(new ValueFunc('k8ts_network_policy_isolated_pods', 'Pods of this node isolated for ingress by some NetworkPolicy', 'gauge', () => this.isolated.ingress));
    this.registry.register(new ValueFunc('k8ts_network_policy_egress_isolated_pods', 'Pods of this node isolated for egress by some NetworkPolicy', 'gauge', () => this.isolated.egress));
  }
}
