// metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics, as metrics-server serves them: computed on
// request from the scraped points, never stored. CPU in nano-cores ("137345720n"), memory in
// binary units ("1024Ki"), window as a Go duration ("15.013s").
import { addQuantities, formatQuantity, parseQuantity, zeroQuantity } from '../../../lib/quantity.js';
import { formatDuration } from '../../../lib/go-duration.js';
import type { KubeObject } from '../object.js';
import type { TableDef } from '../table.js';
import { col } from '../table-helpers.js';

export const metricsGroupVersion = 'metrics.k8s.io/v1beta1';

export interface ResourceUsage {
  cpuNanoCores: number;
  memoryBytes: number;
}

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function usageList(u: ResourceUsage): { cpu: string; memory: string } {
  return {
    cpu: formatQuantity({ mantissa: BigInt(Math.max(0, Math.floor(u.cpuNanoCores))), exponent: -9, format: 'DecimalSI' }),
    memory: formatQuantity({ mantissa: BigInt(Math.max(0, Math.floor(u.memoryBytes))), exponent: 0, format: 'BinarySI' }),
  };
}

function meta(source: KubeObject, nowMs: number): KubeObject['metadata'] {
  const m: KubeObject['metadata'] = { name: source.metadata.name, creationTimestamp: rfc3339(nowMs) };
  if (source.metadata.namespace) m.namespace = source.metadata.namespace;
  if (source.metadata.labels) m.labels = source.metadata.labels;
  return m;
}

const window = (ms: number) => formatDuration(BigInt(Math.round(ms)) * 1_000_000n);

export function nodeMetrics(node: KubeObject, usage: ResourceUsage & { timestampMs: number; windowMs: number }, nowMs: number): KubeObject {
  return {
    kind: 'NodeMetrics', apiVersion: metricsGroupVersion, metadata: meta(node, nowMs),
    timestamp: rfc3339(usage.timestampMs), window: window(usage.windowMs), usage: usageList(usage),
  };
}

export function podMetrics(
  pod: KubeObject, m: { timestampMs: number; windowMs: number; containers: Array<{ name: string; usage: ResourceUsage }> }, nowMs: number,
): KubeObject {
  return {
    kind: 'PodMetrics', apiVersion: metricsGroupVersion, metadata: meta(pod, nowMs),
    timestamp: rfc3339(m.timestampMs), window: window(m.windowMs),
    containers: m.containers.map((c) => ({ name: c.name, usage: usageList(c.usage) })),
  };
}

type MetricsObject = KubeObject & { window?: string; usage?: Record<string, string>; containers?: Array<{ usage?: Record<string, string> }> };

/** NAME CPU MEMORY WINDOW, as metrics-server prints for `kubectl get nodes.metrics.k8s.io`. */
export const resourceMetricsTable: TableDef = {
  columns: [
    col('CPU', 'CPU usage of the node or of all the pod\'s containers'),
    col('Memory', 'Working set of the node or of all the pod\'s containers'),
    col('Window', 'The time between the samples the usage was computed from'),
  ],
  cells(o) {
    const m = o as MetricsObject;
    const usages = m.usage ? [m.usage] : (m.containers ?? []).map((c) => c.usage ?? {});
    const sum = (k: string, format: 'DecimalSI' | 'BinarySI') => {
      const total = usages.reduce((acc, u) => addQuantities(acc, parseQuantity(u[k] ?? '0')), zeroQuantity);
      return formatQuantity({ ...total, format });
    };
    return [sum('cpu', 'DecimalSI'), sum('memory', 'BinarySI'), m.window ?? ''];
  },
};
