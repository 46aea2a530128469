// The last two points of every node and container, and usage from them as metrics-server
// computes it: CPU is the cumulative difference over the time between the points, memory the
// latest working set. A container seen once but started less than one resolution ago (and at
// least 10 s ago) gets a point at its start with zero CPU, so a new pod has figures one scrape
// sooner. A pod is served only when every one of its containers has two points.
import type { MetricsPoint, NodeBatch } from './resource-batch.js';

export interface Usage {
  cpuNanoCores: number;
  memoryBytes: number;
  timestampMs: number;
  windowMs: number;
}

export interface PodUsage {
  timestampMs: number;
  windowMs: number;
  containers: Array<{ name: string; usage: Usage }>;
}

/** Below this, a point at the container's start gives an inaccurate rate (metrics-server's limit). */
const freshContainerMinMs = 10_000;

/** Usage between two points of the same node or container; undefined when they do not fit together. */
export function resourceUsage(last: MetricsPoint, prev: MetricsPoint): Usage | undefined {
  if (last.startMs < prev.startMs || last.cpuNs < prev.cpuNs) return undefined;
  const windowMs = last.timestampMs - prev.timestampMs;
  if (windowMs <= 0) return undefined;
  return {
    cpuNanoCores: Math.floor((last.cpuNs - prev.cpuNs) / (windowMs / 1000)),
    memoryBytes: last.memoryBytes, timestampMs: last.timestampMs, windowMs,
  };
}

/** The point to keep as previous for a new one, given what was stored (metrics-server's rules). */
function previousFor(next: MetricsPoint, last: MetricsPoint | undefined, prev: MetricsPoint | undefined): MetricsPoint | undefined {
  if (!last) return undefined;
  if (next.timestampMs > last.timestampMs) return last;
  // The same reading again: keep the older point if it is still older.
  if (prev && prev.timestampMs < next.timestampMs) return prev;
  return undefined;
}

interface NodeRecord {
  last?: MetricsPoint;
  prev?: MetricsPoint;
  podsLast: Map<string, Map<string, MetricsPoint>>;
  podsPrev: Map<string, Map<string, MetricsPoint>>;
}

export class MetricsStorage {
  private readonly nodes = new Map<string, NodeRecord>();
  /** "namespace/pod" → the node whose batch carries it. */
  private readonly podNode = new Map<string, string>();

  constructor(private readonly resolutionMs: number) {}

  store(nodeName: string, batch: NodeBatch): void {
    const old = this.nodes.get(nodeName);
    const rec: NodeRecord = { last: batch.node, podsLast: batch.pods, podsPrev: new Map() };
    if (batch.node) rec.prev = previousFor(batch.node, old?.last, old?.prev);
    for (const [podKey, containers] of batch.pods) {
      const prevContainers = new Map<string, MetricsPoint>();
      const oldLast = old?.podsLast.get(podKey);
      const oldPrev = old?.podsPrev.get(podKey);
      for (const [name, point] of containers) {
        const age = point.timestampMs - point.startMs;
        if (point.startMs < point.timestampMs && age < this.resolutionMs && age >= freshContainerMinMs) {
          prevContainers.set(name, { ...point, timestampMs: point.startMs, cpuNs: 0 });
          continue;
        }
        const lastPoint = oldLast?.get(name);
        // A restarted container (started after the stored point) starts over.
        if (!lastPoint || point.startMs >= lastPoint.timestampMs) continue;
        const p = previousFor(point, lastPoint, oldPrev?.get(name));
        if (p) prevContainers.set(name, p);
      }
      if (prevContainers.size > 0) rec.podsPrev.set(podKey, prevContainers);
    }
    for (const podKey of old?.podsLast.keys() ?? []) if (this.podNode.get(podKey) === nodeName) this.podNode.delete(podKey);
    for (const podKey of batch.pods.keys()) this.podNode.set(podKey, nodeName);
    this.nodes.set(nodeName, rec);
  }

  /** Forgets a node (unreachable or deleted): its figures would only go stale. */
  drop(nodeName: string): void {
    const old = this.nodes.get(nodeName);
    for (const podKey of old?.podsLast.keys() ?? []) if (this.podNode.get(podKey) === nodeName) this.podNode.delete(podKey);
    this.nodes.delete(nodeName);
  }

  nodeNames(): string[] {
    return [...this.nodes.keys()];
  }

  nodeUsage(name: string): Usage | undefined {
    const rec = this.nodes.get(name);
    return rec?.last && rec.prev ? resourceUsage(rec.last, rec.prev) : undefined;
  }

  podUsage(namespace: string, name: string): PodUsage | undefined {
    const key = `${namespace}/${name}`;
    const rec = this.nodes.get(this.podNode.get(key) ?? '');
    const last = rec?.podsLast.get(key);
    const prev = rec?.podsPrev.get(key);
    if (!last || !prev) return undefined;
    const containers: PodUsage['containers'] = [];
    let earliest: Usage | undefined;
    for (const [cname, point] of [...last].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const before = prev.get(cname);
      if (!before) return undefined;
      const usage = resourceUsage(point, before);
      if (!usage) continue;
      containers.push({ name: cname, usage });
      if (!earliest || usage.timestampMs < earliest.timestampMs) earliest = usage;
    }
    return { timestampMs: earliest?.timestampMs ?? 0, windowMs: earliest?.windowMs ?? 0, containers };
  }
}
