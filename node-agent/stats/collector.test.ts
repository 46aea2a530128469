import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CriClient } from '../cri/index.js';
import type { ContainerStats } from '../cri/types.js';
import type { Pod } from '../kube-types.js';
import { cgroupLayoutFromMountinfo } from './cgroup-parse.js';
import { ResourceCollector } from './collector.js';
import { renderResourceMetrics } from './resource-metrics.js';
import { buildSummary } from './summary.js';
import { renderCadvisorMetrics } from './cadvisor-metrics.js';
import { parseNetDev } from './net-dev.js';
import * as fx from './cgroup-fixtures.js';
import { formatGoFloat } from '../../lib/go-float.js';

const pod = (name: string, uid: string, containers: Array<{ name: string; started?: string }>): Pod => ({
  metadata: { name, namespace: 'default', uid },
  spec: { containers: containers.map((c) => ({ name: c.name, resources: { requests: { cpu: '100m' } } })) },
  status: {
    qosClass: 'Burstable', startTime: '2026-12-07T10:00:00Z',
    containerStatuses: containers.map((c) => ({
      name: c.name, ready: true, restartCount: 0, image: 'busybox', imageID: '',
      state: c.started ? { running: { startedAt: c.started } } : { waiting: { reason: 'ContainerCreating' } },
    })),
  },
});

const stat = (uid: string, name: string, cpuNs: string, ws: string, tsNs: string): ContainerStats => ({
  attributes: { id: `${uid}-${name}`, metadata: { name, attempt: 0 }, labels: { 'io.kubernetes.pod.uid': uid, 'io.kubernetes.container.name': name }, annotations: {} },
  cpu: { timestamp: tsNs, usage_core_nano_seconds: { value: cpuNs }, usage_nano_cores: null },
  memory: { timestamp: tsNs, working_set_bytes: { value: ws }, usage_bytes: { value: ws }, rss_bytes: null, available_bytes: null, page_faults: null, major_page_faults: null },
  writable_layer: null,
});

function setup(cpu: string[]) {
  let calls = 0;
  const cri = {
    runtime: {
      async listContainerStats() {
        const i = calls++;
        const n = cpu[Math.min(i, cpu.length - 1)];
        // The runtime stamps each reading: two seconds apart here.
        const ts = String(1_765_101_600_000_000_000n + BigInt(i) * 2_000_000_000n);
        return [stat('u1', 'burn', n, '1048576', ts), stat('u2', 'gone', '1', '1', ts)];
      },
    },
  } as unknown as CriClient;
  const files: Record<string, string> = {
    '/proc/meminfo': fx.meminfo, '/proc/stat': fx.procStat,
    '/sys/fs/cgroup/cpuacct/cpuacct.usage': '9000000000\n', '/sys/fs/cgroup/memory/memory.usage_in_bytes': fx.v1MemoryUsage,
    '/sys/fs/cgroup/memory/memory.stat': fx.v1MemoryStat,
    '/sys/fs/cgroup/cpuacct/k8ts/kubepods/burstable/podu1/cpuacct.usage': fx.v1CpuacctUsage,
    '/sys/fs/cgroup/memory/k8ts/kubepods/burstable/podu1/memory.usage_in_bytes': fx.v1MemoryUsage,
    '/sys/fs/cgroup/memory/k8ts/kubepods/burstable/podu1/memory.stat': fx.v1MemoryStat,
    '/sys/fs/cgroup/memory/k8ts/kubepods/burstable/podu1/sandbox/cgroup.procs': '',
    '/sys/fs/cgroup/memory/k8ts/kubepods/burstable/podu1/u1-burn/cgroup.procs': '4242\n4243\n',
    '/proc/4242/net/dev': fx.netDev,
  };
  let now = 1_765_101_600_000;
  const collector = new ResourceCollector({
    cri, nodeName: 'n1', nodeStartTime: new Date('2026-12-07T09:00:00Z'),
    listPods: () => [pod('burner', 'u1', [{ name: 'burn', started: '2025-12-07T10:00:05Z' }]), pod('starting', 'u3', [{ name: 'c' }])],
    layout: cgroupLayoutFromMountinfo(fx.v1Mountinfo), cgroupDriver: 'cgroupfs', cgroupRoot: '/k8ts',
    listDir: async (p) => (p === '/sys/fs/cgroup/memory/k8ts/kubepods/burstable/podu1' ? ['sandbox', 'u1-burn'] : []),
    read: async (p) => {
      if (p in files) return files[p];
      throw Object.assign(new Error(p), { code: 'ENOENT' });
    },
    now: () => now,
  });
  return { collector, advance: (ms: number) => (now += ms), calls: () => calls };
}

test('one collection serves scrapes within a second; a later scrape collects again', async () => {
  const { collector, advance, calls } = setup(['1000000000', '2000000000']);
  const [a, b] = await Promise.all([collector.snapshot(), collector.snapshot()]);
  assert.equal(a, b);
  assert.equal(calls(), 1);
  advance(500);
  assert.equal(await collector.snapshot(), a);
  advance(600);
  const c = await collector.snapshot();
  assert.notEqual(c, a);
  assert.equal(calls(), 2);
  assert.equal(c.previous?.pods[0].containers[0].cpuNs, 1_000_000_000n);
});

test('/metrics/resource: kubelet names, labels, Go number format and sample timestamps', async () => {
  const { collector } = setup(['4710169000']);
  const text = renderResourceMetrics(await collector.snapshot());
  assert.match(text, /^# HELP container_cpu_usage_seconds_total \[STABLE\] Cumulative cpu time consumed by the container in core-seconds\n# TYPE container_cpu_usage_seconds_total counter\n/);
  assert.match(text, /\ncontainer_cpu_usage_seconds_total\{container="burn",namespace="default",pod="burner"\} 4\.710169 1765101600000\n/);
  assert.match(text, /\ncontainer_memory_working_set_bytes\{container="burn",namespace="default",pod="burner"\} 1\.048576e\+06 1765101600000\n/);
  assert.match(text, /\ncontainer_start_time_seconds\{container="burn",namespace="default",pod="burner"\} 1\.765101605e\+09 1765101605000\n/);
  assert.match(text, /\nnode_cpu_usage_seconds_total 9 1765101600000\n/);
  assert.match(text, /\nnode_memory_working_set_bytes 1\.253376e\+07 1765101600000\n/);
  assert.match(text, /\npod_cpu_usage_seconds_total\{namespace="default",pod="burner"\} 4\.710169 1765101600000\n/);
  assert.match(text, /\nresource_scrape_error 0\n$/);
  // Containers not running (or of pods the agent does not run) are not reported.
  assert.doesNotMatch(text, /pod="starting"|container="gone"/);
});

test('/stats/summary: figures and nano-cores against the previous collection', async () => {
  const { collector, advance } = setup(['1000000000', '1500000000']);
  const first = buildSummary(await collector.snapshot()) as { pods: Array<{ containers: Array<{ cpu: { usageNanoCores?: number } }> }> };
  assert.equal(first.pods[0].containers[0].cpu.usageNanoCores, undefined);
  advance(2000);
  const s = buildSummary(await collector.snapshot()) as {
    node: { nodeName: string; memory: { workingSetBytes: number } };
    pods: Array<{ podRef: object; containers: Array<{ name: string; cpu: { usageNanoCores?: number; usageCoreNanoSeconds: number } }>; memory: { workingSetBytes: number } }>;
  };
  assert.equal(s.node.nodeName, 'n1');
  assert.equal(s.node.memory.workingSetBytes, 12533760);
  assert.deepEqual(s.pods[0].podRef, { name: 'burner', namespace: 'default', uid: 'u1' });
  assert.equal(s.pods[0].containers[0].cpu.usageCoreNanoSeconds, 1_500_000_000);
  // 0.5 s of CPU over the 2 s between the runtime's readings: a quarter of a core.
  assert.equal(s.pods[0].containers[0].cpu.usageNanoCores, 250_000_000);
  assert.equal(s.pods[0].memory.workingSetBytes, 12533760);
});

test('Go float format', () => {
  assert.equal(formatGoFloat(4.710169), '4.710169');
  assert.equal(formatGoFloat(12533760), '1.253376e+07');
  assert.equal(formatGoFloat(1633252712), '1.633252712e+09');
  assert.equal(formatGoFloat(0.00001), '1e-05');
  assert.equal(formatGoFloat(0.0001), '0.0001');
  assert.equal(formatGoFloat(999999), '999999');
  assert.equal(formatGoFloat(0), '0');
});

test('/metrics/cadvisor: cAdvisor names and labels for the node, the pod cgroup and the container, with network', async () => {
  const { collector } = setup(['4710169000']);
  const text = renderCadvisorMetrics(await collector.snapshot());
  assert.match(text, /^# HELP container_cpu_usage_seconds_total Cumulative cpu time consumed in seconds\.\n# TYPE container_cpu_usage_seconds_total counter\n/);
  assert.match(text, /\ncontainer_cpu_usage_seconds_total\{container="",cpu="total",id="\/",image="",name="",namespace="",pod=""\} 9 1765101600000\n/);
  assert.match(text, /\ncontainer_cpu_usage_seconds_total\{container="",cpu="total",id="\/k8ts\/kubepods\/burstable\/podu1",image="",name="",namespace="default",pod="burner"\} 4\.710169 1765101600000\n/);
  assert.match(text, /\ncontainer_memory_working_set_bytes\{container="burn",id="\/k8ts\/kubepods\/burstable\/podu1\/u1-burn",image="busybox",name="u1-burn",namespace="default",pod="burner"\} 1\.048576e\+06 1765101600000\n/);
  assert.match(text, /\ncontainer_network_receive_bytes_total\{container="",id="\/k8ts\/kubepods\/burstable\/podu1",image="",interface="eth0",name="",namespace="default",pod="burner"\} 5432 1765101600000\n/);
  assert.match(text, /\ncontainer_network_transmit_packets_total\{[^}]*interface="eth0"[^}]*\} 21 /);
  assert.doesNotMatch(text, /interface="lo"/);
  const summary = buildSummary(await collector.snapshot()) as { pods: Array<{ network?: { name: string; rxBytes: number; interfaces: unknown[] } }> };
  assert.deepEqual(summary.pods[0].network?.name, 'eth0');
  assert.equal(summary.pods[0].network?.rxBytes, 5432);
  assert.equal(summary.pods[0].network?.interfaces.length, 1);
  const trimmed = buildSummary(await collector.snapshot(), { onlyCpuAndMemory: true }) as { pods: Array<{ network?: unknown; cpu?: unknown }> };
  assert.equal(trimmed.pods[0].network, undefined);
  assert.ok(trimmed.pods[0].cpu);
});

test('net/dev: interfaces without loopback', () => {
  assert.deepEqual(parseNetDev(fx.netDev), [{ name: 'eth0', rxBytes: 5432, rxPackets: 30, rxErrors: 1, rxDropped: 2, txBytes: 2345, txPackets: 21, txErrors: 3, txDropped: 4 }]);
});
