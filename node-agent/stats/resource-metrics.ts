// /metrics/resource in the kubelet's names: the node's, pods' and containers' cumulative CPU
// and working set, with each sample's collection time (ms) as its timestamp, which
// metrics-server and our scraper use to compute rates.
import { formatGoFloat } from '../../lib/go-float.js';
import type { ResourceSnapshot } from './collector.js';

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: Array<{ labels: string; value: number; timeMs?: number; sortKey: string }>;
}

const escape = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const containerLabels = (c: string, ns: string, pod: string) => `container="${escape(c)}",namespace="${escape(ns)}",pod="${escape(pod)}"`;
const podLabels = (ns: string, pod: string) => `namespace="${escape(ns)}",pod="${escape(pod)}"`;
const seconds = (ns: bigint) => Number(ns) / 1e9;

export function renderResourceMetrics(s: ResourceSnapshot): string {
  const f = (name: string, help: string, type: Family['type']): Family => ({ name, help: `[STABLE] ${help}`, type, samples: [] });
  const containerCpu = f('container_cpu_usage_seconds_total', 'Cumulative cpu time consumed by the container in core-seconds', 'counter');
  const containerMem = f('container_memory_working_set_bytes', 'Current working set of the container in bytes', 'gauge');
  const containerStart = f('container_start_time_seconds', 'Start time of the container since unix epoch in seconds', 'gauge');
  const nodeCpu = f('node_cpu_usage_seconds_total', 'Cumulative cpu time consumed by the node in core-seconds', 'counter');
  const nodeMem = f('node_memory_working_set_bytes', 'Current working set of the node in bytes', 'gauge');
  const podCpu = f('pod_cpu_usage_seconds_total', 'Cumulative cpu time consumed by the pod in core-seconds', 'counter');
  const podMem = f('pod_memory_working_set_bytes', 'Current working set of the pod in bytes', 'gauge');
  const scrapeError = f('resource_scrape_error', '1 if there was an error while getting container metrics, 0 otherwise', 'gauge');

  nodeCpu.samples.push({ labels: '', value: seconds(s.node.cpuNs), timeMs: s.timeMs, sortKey: '' });
  nodeMem.samples.push({ labels: '', value: s.node.workingSetBytes, timeMs: s.timeMs, sortKey: '' });
  for (const p of s.pods) {
    for (const c of p.containers) {
      const labels = containerLabels(c.name, p.namespace, p.name);
      const sortKey = `${c.name}\0${p.namespace}\0${p.name}`;
      containerCpu.samples.push({ labels, value: seconds(c.cpuNs), timeMs: c.timeMs, sortKey });
      containerMem.samples.push({ labels, value: c.workingSetBytes, timeMs: c.timeMs, sortKey });
      containerStart.samples.push({ labels, value: Date.parse(c.startTime) / 1000, timeMs: Date.parse(c.startTime), sortKey });
    }
    if (p.usage) {
      const labels = podLabels(p.namespace, p.name);
      const sortKey = `${p.namespace}\0${p.name}`;
      podCpu.samples.push({ labels, value: seconds(p.usage.cpuNs), timeMs: p.timeMs, sortKey });
      podMem.samples.push({ labels, value: p.usage.workingSetBytes, timeMs: p.timeMs, sortKey });
    }
  }
  scrapeError.samples.push({ labels: '', value: s.scrapeError ? 1 : 0, sortKey: '' });
  return [containerCpu, containerMem, containerStart, nodeCpu, nodeMem, podCpu, podMem, scrapeError].map(renderFamily).join('');
}

function renderFamily(fam: Family): string {
  const lines = [`# HELP ${fam.name} ${fam.help}`, `# TYPE ${fam.name} ${fam.type}`];
  const sorted = [...fam.samples].sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
  for (const x of sorted) {
    const ts = x.timeMs === undefined ? '' : ` ${Math.round(x.timeMs)}`;
    lines.push(`${fam.name}${x.labels ? `{${x.labels}}` : ''} ${formatGoFloat(x.value)}${ts}`);
  }
  return lines.join('\n') + '\n';
}
