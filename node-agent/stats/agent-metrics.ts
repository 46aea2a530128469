// The agent's own metrics, with the kubelet's names, for its /metrics and /metrics/probes:
// runtime operations (from the CRI connection), pod start latency (from the status manager),
// probe results (from the probe workers), running pods and containers, and the process
// metrics every Kubernetes component exports. One registry per process, as the kubelet's
// legacy registry: the parts that count are far apart and live as long as the agent.
import { CounterVec, HistogramVec, MetricsRegistry, registerProcessMetrics, ValueFunc } from '../../lib/metrics.js';

/** CRI method → the kubelet's operation_type ("RunPodSandbox" → "run_podsandbox", "ListContainerStats" → "list_container_stats"). */
export function operationType(method: string): string {
  return method.replace(/PodSandbox/g, 'Podsandbox').replace(/[A-Z]/g, (c, i: number) => (i ? '_' : '') + c.toLowerCase());
}

/** prometheus.ExponentialBuckets(start, factor, count). */
const exponential = (start: number, factor: number, count: number) => Array.from({ length: count }, (_, i) => Number((start * factor ** i).toPrecision(12)));

export class AgentMetrics {
  readonly registry = new MetricsRegistry();
  /** What /metrics/probes serves. */
  readonly probes = new MetricsRegistry();
  private readonly ops = this.registry.register(new CounterVec('kubelet_runtime_operations_total', '[ALPHA] Cumulative number of runtime operations by operation type.', ['operation_type']));
  private readonly opErrors = this.registry.register(new CounterVec('kubelet_runtime_operations_errors_total', '[ALPHA] Cumulative number of runtime operation errors by operation type.', ['operation_type']));
  private readonly opDuration = this.registry.register(new HistogramVec('kubelet_runtime_operations_duration_seconds', '[ALPHA] Duration in seconds of runtime operations. Broken down by operation type.', ['operation_type'], exponential(0.005, 2.5, 14)));
  private readonly podStart = this.registry.register(new HistogramVec('kubelet_pod_start_duration_seconds', '[ALPHA] Duration in seconds from kubelet seeing a pod for the first time to the pod starting to run', [],
    [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600]));
  private readonly probeTotal = this.probes.register(new CounterVec('prober_probe_total', '[BETA] Cumulative number of a liveness, readiness or startup probe for a container by result.', ['probe_type', 'result', 'container', 'pod', 'namespace', 'pod_uid']));

  constructor() {
    registerProcessMetrics(this.registry);
  }

  /** One CRI call: counted, timed, and counted again when it failed. */
  runtimeOperation(method: string, seconds: number, failed: boolean): void {
    const op = [operationType(method)];
    this.ops.inc(op);
    this.opDuration.observe(op, seconds);
    if (failed) this.opErrors.inc(op);
  }

  podStarted(seconds: number): void {
    this.podStart.observe([], seconds);
  }

  /** A probe's outcome: successful, failed, or unknown when it could not run. */
  probe(type: 'Liveness' | 'Readiness' | 'Startup', result: 'successful' | 'failed' | 'unknown', pod: { name: string; namespace: string; uid: string }, container: string): void {
    this.probeTotal.inc([type, result, container, pod.name, pod.namespace, pod.uid]);
  }

  /** kubelet_running_pods, read at scrape time from the agent's pods (set once, by the agent server). */
  runningPods(count: () => number): void {
    if (this.running) return;
    this.running = this.registry.register(new ValueFunc('kubelet_running_pods', '[ALPHA] Number of pods that have a running pod sandbox', 'gauge', () => count()));
  }

  private running?: ValueFunc;
}

export const agentMetrics = new AgentMetrics();
