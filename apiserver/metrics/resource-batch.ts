// One node's /metrics/resource as points metrics-server keeps: cumulative CPU (ns) and working
// set at a time, with the start time of the container (cumulative CPU is zero then).
import type { Sample } from '../../lib/prom-text.js';

export interface MetricsPoint {
  startMs: number;
  timestampMs: number;
  cpuNs: number;
  memoryBytes: number;
}

export interface NodeBatch {
  node?: MetricsPoint;
  /** "namespace/pod" → container → point. */
  pods: Map<string, Map<string, MetricsPoint>>;
}

/**
 * Pairs the CPU and memory samples of the node and of each container. A container needs both
 * and a start time, as metrics-server's decoder requires; incomplete ones are left out.
 */
export function batchFromSamples(samples: Sample[], scrapeTimeMs: number): NodeBatch {
  const nodeCpu = samples.find((s) => s.name === 'node_cpu_usage_seconds_total');
  const nodeMem = samples.find((s) => s.name === 'node_memory_working_set_bytes');
  const batch: NodeBatch = { pods: new Map() };
  if (nodeCpu && nodeMem) {
    batch.node = { startMs: 0, timestampMs: nodeCpu.timestampMs ?? scrapeTimeMs, cpuNs: Math.round(nodeCpu.value * 1e9), memoryBytes: nodeMem.value };
  }
  const partial = new Map<string, { ns: string; pod: string; container: string; cpu?: Sample; mem?: Sample; start?: Sample }>();
  for (const s of samples) {
    const field = s.name === 'container_cpu_usage_seconds_total' ? 'cpu'
      : s.name === 'container_memory_working_set_bytes' ? 'mem'
        : s.name === 'container_start_time_seconds' ? 'start' : undefined;
    if (!field) continue;
    const { namespace = '', pod = '', container = '' } = s.labels;
    const key = `${namespace}/${pod}/${container}`;
    let p = partial.get(key);
    if (!p) partial.set(key, (p = { ns: namespace, pod, container }));
    p[field] = s;
  }
  for (const p of partial.values()) {
    if (!p.cpu || !p.mem || !p.start) continue;
    const podKey = `${p.ns}/${p.pod}`;
    let containers = batch.pods.get(podKey);
    if (!containers) batch.pods.set(podKey, (containers = new Map()));
    containers.set(p.container, {
      startMs: Math.round(p.start.value * 1000), timestampMs: p.cpu.timestampMs ?? scrapeTimeMs,
      cpuNs: Math.round(p.cpu.value * 1e9), memoryBytes: p.mem.value,
    });
  }
  return batch;
}
