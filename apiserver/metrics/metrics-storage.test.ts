import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExposition } from '../../lib/prom-text.js';
import { batchFromSamples, type MetricsPoint, type NodeBatch } from './resource-batch.js';
import { MetricsStorage, resourceUsage } from './metrics-storage.js';
import { nodeMetrics, podMetrics, resourceMetricsTable, usageList } from '../api/kinds/resource-metrics.js';

const scrape = (t: number, nodeCpu: number, burn: number, startS = 1000) => `# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds
# TYPE container_cpu_usage_seconds_total counter
container_cpu_usage_seconds_total{container="burn",namespace="default",pod="burner"} ${burn} ${t}
container_cpu_usage_seconds_total{container="side\\"car",namespace="default",pod="burner"} 0.5 ${t}
container_memory_working_set_bytes{container="burn",namespace="default",pod="burner"} 1.048576e+06 ${t}
container_memory_working_set_bytes{container="side\\"car",namespace="default",pod="burner"} 2048 ${t}
container_start_time_seconds{container="burn",namespace="default",pod="burner"} ${startS} ${startS * 1000}
container_start_time_seconds{container="side\\"car",namespace="default",pod="burner"} ${startS} ${startS * 1000}
node_cpu_usage_seconds_total ${nodeCpu} ${t}
node_memory_working_set_bytes 1.253376e+07 ${t}
resource_scrape_error 0
`;

const batch = (t: number, nodeCpu: number, burn: number, startS?: number): NodeBatch => batchFromSamples(parseExposition(scrape(t, nodeCpu, burn, startS)), t);

test('the text format: labels with escapes, Go floats, timestamps', () => {
  const s = parseExposition(scrape(1_000_000, 9, 4.5));
  assert.deepEqual(s[1], { name: 'container_cpu_usage_seconds_total', labels: { container: 'side"car', namespace: 'default', pod: 'burner' }, value: 0.5, timestampMs: 1_000_000 });
  assert.equal(s.find((x) => x.name === 'node_memory_working_set_bytes')?.value, 12533760);
  assert.equal(s.at(-1)?.timestampMs, undefined);
  assert.throws(() => parseExposition('x{a="b} 1\n'), /unterminated/);
});

test('a batch pairs each container\'s cpu, memory and start time', () => {
  const b = batch(2_000_000, 9, 4.5);
  assert.deepEqual(b.node, { startMs: 0, timestampMs: 2_000_000, cpuNs: 9e9, memoryBytes: 12533760 });
  assert.deepEqual(b.pods.get('default/burner')?.get('burn'), { startMs: 1_000_000, timestampMs: 2_000_000, cpuNs: 4.5e9, memoryBytes: 1048576 });
  // A container missing a series is left out.
  const partial = batchFromSamples(parseExposition('container_cpu_usage_seconds_total{container="c",namespace="n",pod="p"} 1 5\n'), 5);
  assert.equal(partial.pods.size, 0);
});

test('usage needs two points: CPU is the cumulative difference over the window', () => {
  const s = new MetricsStorage(15_000);
  s.store('n1', batch(2_000_000, 9, 4.5));
  assert.equal(s.nodeUsage('n1'), undefined);
  assert.equal(s.podUsage('default', 'burner'), undefined);
  s.store('n1', batch(2_015_000, 12, 12));
  assert.deepEqual(s.nodeUsage('n1'), { cpuNanoCores: 200_000_000, memoryBytes: 12533760, timestampMs: 2_015_000, windowMs: 15_000 });
  const pod = s.podUsage('default', 'burner')!;
  assert.deepEqual(pod.containers.map((c) => [c.name, c.usage.cpuNanoCores]), [['burn', 500_000_000], ['side"car', 0]]);
  assert.equal(pod.windowMs, 15_000);
});

test('the same reading again keeps the older point; a restart starts over', () => {
  const s = new MetricsStorage(15_000);
  s.store('n1', batch(2_000_000, 9, 4.5));
  s.store('n1', batch(2_015_000, 12, 12));
  s.store('n1', batch(2_015_000, 12, 12));
  assert.equal(s.nodeUsage('n1')?.windowMs, 15_000);
  assert.equal(s.podUsage('default', 'burner')?.containers[0].usage.cpuNanoCores, 500_000_000);
  // Restarted at 2 025 s: the old points do not count against the new container.
  s.store('n1', batch(2_030_000, 15, 1, 2_025));
  assert.equal(s.podUsage('default', 'burner'), undefined);
});

test('a container younger than a resolution (and at least 10 s old) gets figures from its first scrape', () => {
  const s = new MetricsStorage(15_000);
  // Started 12 s before the scrape: a zero point at its start gives 3 s over 12 s.
  s.store('n1', batch(2_012_000, 9, 3, 2_000));
  assert.equal(s.podUsage('default', 'burner')?.containers[0].usage.cpuNanoCores, 250_000_000);
  const younger = new MetricsStorage(15_000);
  younger.store('n1', batch(2_005_000, 9, 3, 2_000));
  assert.equal(younger.podUsage('default', 'burner'), undefined);
});

test('a dropped node takes its pods with it', () => {
  const s = new MetricsStorage(15_000);
  s.store('n1', batch(2_000_000, 9, 4.5));
  s.store('n1', batch(2_015_000, 12, 12));
  s.drop('n1');
  assert.equal(s.nodeUsage('n1'), undefined);
  assert.equal(s.podUsage('default', 'burner'), undefined);
});

test('decreasing counters or start times give no usage', () => {
  const p = (startMs: number, timestampMs: number, cpuNs: number): MetricsPoint => ({ startMs, timestampMs, cpuNs, memoryBytes: 1 });
  assert.equal(resourceUsage(p(0, 2, 5), p(0, 1, 6)), undefined);
  assert.equal(resourceUsage(p(0, 2, 7), p(1, 1, 6)), undefined);
  assert.equal(resourceUsage(p(0, 1, 7), p(0, 1, 6)), undefined);
});

test('NodeMetrics and PodMetrics as metrics-server writes them', () => {
  assert.deepEqual(usageList({ cpuNanoCores: 137345720, memoryBytes: 1048576 }), { cpu: '137345720n', memory: '1Mi' });
  assert.deepEqual(usageList({ cpuNanoCores: 0, memoryBytes: 12533761 }), { cpu: '0', memory: '12533761' });
  const node = { metadata: { name: 'n1', labels: { a: 'b' }, uid: 'x', resourceVersion: '5' } };
  assert.deepEqual(nodeMetrics(node, { cpuNanoCores: 137345720, memoryBytes: 12533760, timestampMs: 1_765_101_615_000, windowMs: 15_013 }, 1_765_101_620_000), {
    kind: 'NodeMetrics', apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: { name: 'n1', labels: { a: 'b' }, creationTimestamp: '2025-12-07T10:00:20Z' },
    timestamp: '2025-12-07T10:00:15Z', window: '15.013s', usage: { cpu: '137345720n', memory: '12240Ki' },
  });
  const pm = podMetrics({ metadata: { name: 'p', namespace: 'default' } }, {
    timestampMs: 1_765_101_615_000, windowMs: 15_000,
    containers: [{ name: 'a', usage: { cpuNanoCores: 1_000_000, memoryBytes: 1024 } }, { name: 'b', usage: { cpuNanoCores: 500_000, memoryBytes: 1024 } }],
  }, 1_765_101_620_000);
  assert.equal((pm as { window?: string }).window, '15s');
  assert.deepEqual(resourceMetricsTable.cells(pm, 0), ['1500u', '2Ki', '15s']);
});
