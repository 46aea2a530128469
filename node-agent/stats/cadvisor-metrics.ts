// /metrics/cadvisor: the same collection in cAdvisor's names and labels (container, cpu, id =
// cgroup path, image, name = runtime ID, namespace, pod; interface for network), as dashboards
// built for Kubernetes query them: the node as id="/", each pod cgroup with container="", and
// each container. Samples carry the collection time, as the kubelet's do.
import { formatGoFloat } from '../../lib/go-float.js';
import type { CgroupUsage } from './cgroup-parse.js';
import type { ResourceSnapshot } from './collector.js';
import type { InterfaceStats } from './net-dev.js';

type Kind = 'counter' | 'gauge';
interface Row {
  labels: Record<string, string>;
  value: number;
  timeMs: number;
}

const escape = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

interface Subject {
  container: string;
  id: string;
  image: string;
  name: string;
  namespace: string;
  pod: string;
  timeMs: number;
  usage: Pick<CgroupUsage, 'cpuNs' | 'memoryUsageBytes' | 'workingSetBytes' | 'rssBytes'>;
  startTime?: string;
  network?: InterfaceStats[];
}

const families: Array<[string, Kind, string, (s: Subject) => Array<[Record<string, string>, number]>]> = [
  ['container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed in seconds.', (s) => [[{ cpu: 'total' }, Number(s.usage.cpuNs) / 1e9]]],
  ['container_memory_rss', 'gauge', 'Size of RSS in bytes.', (s) => [[{}, s.usage.rssBytes]]],
  ['container_memory_usage_bytes', 'gauge', 'Current memory usage in bytes, including all memory regardless of when it was accessed', (s) => [[{}, s.usage.memoryUsageBytes]]],
  ['container_memory_working_set_bytes', 'gauge', 'Current working set in bytes.', (s) => [[{}, s.usage.workingSetBytes]]],
  ...netFamilies(),
  ['container_start_time_seconds', 'gauge', 'Start time of the container since unix epoch in seconds.', (s) => (s.startTime ? [[{}, Date.parse(s.startTime) / 1000]] : [])],
];

function netFamilies(): typeof families {
  const f = (suffix: string, help: string, pick: (i: InterfaceStats) => number): (typeof families)[number] =>
    [`container_network_${suffix}`, 'counter', help, (s) => (s.network ?? []).map((i) => [{ interface: i.name }, pick(i)])];
  return [
    f('receive_bytes_total', 'Cumulative count of bytes received', (i) => i.rxBytes),
    f('receive_errors_total', 'Cumulative count of errors encountered while receiving', (i) => i.rxErrors),
    f('receive_packets_dropped_total', 'Cumulative count of packets dropped while receiving', (i) => i.rxDropped),
    f('receive_packets_total', 'Cumulative count of packets received', (i) => i.rxPackets),
    f('transmit_bytes_total', 'Cumulative count of bytes transmitted', (i) => i.txBytes),
    f('transmit_errors_total', 'Cumulative count of errors encountered while transmitting', (i) => i.txErrors),
    f('transmit_packets_dropped_total', 'Cumulative count of packets dropped while transmitting', (i) => i.txDropped),
    f('transmit_packets_total', 'Cumulative count of packets transmitted', (i) => i.txPackets),
  ];
}

function subjects(s: ResourceSnapshot): Subject[] {
  const out: Subject[] = [{ container: '', id: '/', image: '', name: '', namespace: '', pod: '', timeMs: s.timeMs, usage: s.node, startTime: s.nodeStartTime }];
  for (const p of s.pods) {
    if (p.usage) {
      out.push({ container: '', id: p.cgroup, image: '', name: '', namespace: p.namespace, pod: p.name, timeMs: p.timeMs, usage: p.usage, startTime: p.startTime, network: p.network });
    }
    for (const c of p.containers) {
      out.push({ container: c.name, id: c.cgroup, image: c.image, name: c.id, namespace: p.namespace, pod: p.name, timeMs: c.timeMs, usage: c, startTime: c.startTime });
    }
  }
  return out;
}

export function renderCadvisorMetrics(s: ResourceSnapshot): string {
  const subs = subjects(s);
  let out = '';
  for (const [name, kind, help, values] of families) {
    const rows: Row[] = [];
    for (const sub of subs) {
      for (const [extra, value] of values(sub)) {
        rows.push({ labels: { container: sub.container, id: sub.id, image: sub.image, name: sub.name, namespace: sub.namespace, pod: sub.pod, ...extra }, value, timeMs: sub.timeMs });
      }
    }
    out += `# HELP ${name} ${help}\n# TYPE ${name} ${kind}\n`;
    const lines = rows.map((r) => {
      const keys = Object.keys(r.labels).sort();
      return { key: keys.map((k) => r.labels[k]).join('\0'), text: `${name}{${keys.map((k) => `${k}="${escape(r.labels[k])}"`).join(',')}} ${formatGoFloat(r.value)} ${Math.round(r.timeMs)}` };
    });
    lines.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    out += lines.map((l) => l.text).join('\n') + (lines.length ? '\n' : '');
  }
  return out;
}
