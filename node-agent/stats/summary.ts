// GET /stats/summary: the Summary API (stats.k8s.io/v1alpha1) from one collection: node, pods
// and containers with CPU (cumulative and, against the previous collection, nano-cores) and
// memory, the pods' network, and (from fs-snapshot.ts) the node's and image filesystems,
// containers' writable layers and logs, pods' volumes and ephemeral storage.
// `only_cpu_and_memory=true` (what metrics-server asks for) leaves out all but CPU and memory.
import type { CgroupUsage } from './cgroup-parse.js';
import type { ResourceSnapshot } from './collector.js';
import type { FsSnapshot } from './fs-snapshot.js';
import type { InterfaceStats } from './net-dev.js';

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Nano-cores between two cumulative readings; undefined without an earlier one. */
export function nanoCores(prev: { cpuNs: bigint; timeMs: number } | undefined, cur: { cpuNs: bigint; timeMs: number }): number | undefined {
  if (!prev || cur.timeMs <= prev.timeMs || cur.cpuNs < prev.cpuNs) return undefined;
  // ns of CPU per ms of wall time, times 1000, is ns of CPU per s: nano-cores.
  return Math.round((Number(cur.cpuNs - prev.cpuNs) / (cur.timeMs - prev.timeMs)) * 1e3);
}

function cpu(timeMs: number, cpuNs: bigint, rate: number | undefined) {
  return { time: rfc3339(timeMs), usageNanoCores: rate, usageCoreNanoSeconds: Number(cpuNs) };
}

function memory(timeMs: number, u: Omit<CgroupUsage, 'cpuNs'>, availableBytes?: number) {
  return {
    time: rfc3339(timeMs), availableBytes, usageBytes: u.memoryUsageBytes, workingSetBytes: u.workingSetBytes,
    rssBytes: u.rssBytes, pageFaults: u.pageFaults, majorPageFaults: u.majorPageFaults,
  };
}

/** The Summary API's network: eth0's figures at the top, every interface listed. */
function network(timeMs: number, ifaces: InterfaceStats[]) {
  const one = (i: InterfaceStats) => ({ name: i.name, rxBytes: i.rxBytes, rxErrors: i.rxErrors, txBytes: i.txBytes, txErrors: i.txErrors });
  const eth0 = ifaces.find((i) => i.name === 'eth0');
  return { time: rfc3339(timeMs), ...(eth0 ? one(eth0) : {}), interfaces: ifaces.map(one) };
}

/** `onlyCpuAndMemory`: the kubelet's ?only_cpu_and_memory=true, which metrics-server's older versions ask for. */
export function buildSummary(s: ResourceSnapshot, opts: { onlyCpuAndMemory?: boolean; fs?: FsSnapshot } = {}): object {
  const prev = s.previous;
  const prevPods = new Map(prev?.pods.map((p) => [p.uid, p]));
  const fs = opts.onlyCpuAndMemory ? undefined : opts.fs;
  return {
    node: {
      nodeName: s.nodeName,
      systemContainers: [],
      startTime: s.nodeStartTime,
      cpu: cpu(s.timeMs, s.node.cpuNs, nanoCores(prev && { cpuNs: prev.node.cpuNs, timeMs: prev.timeMs }, { cpuNs: s.node.cpuNs, timeMs: s.timeMs })),
      memory: memory(s.timeMs, s.node, s.node.availableBytes),
      ...(fs?.nodeFs ? { fs: fs.nodeFs } : {}),
      ...(fs?.imageFs ? { runtime: { imageFs: fs.imageFs } } : {}),
    },
    pods: s.pods.map((p) => {
      const before = prevPods.get(p.uid);
      const podFs = fs?.pods.get(p.uid);
      return {
        podRef: { name: p.name, namespace: p.namespace, uid: p.uid },
        startTime: p.startTime,
        containers: p.containers.map((c) => {
          const b = before?.containers.find((x) => x.name === c.name && x.startTime === c.startTime);
          const cfs = podFs?.containers.get(c.name);
          return {
            name: c.name, startTime: c.startTime, cpu: cpu(c.timeMs, c.cpuNs, nanoCores(b, c)), memory: memory(c.timeMs, c),
            ...(cfs?.rootfs ? { rootfs: cfs.rootfs } : {}), ...(cfs?.logs ? { logs: cfs.logs } : {}),
          };
        }),
        ...(p.network && !opts.onlyCpuAndMemory ? { network: network(p.timeMs, p.network) } : {}),
        ...(podFs ? { volume: podFs.volumes, 'ephemeral-storage': podFs.ephemeralStorage } : {}),
        ...(p.usage ? {
          cpu: cpu(p.timeMs, p.usage.cpuNs, nanoCores(before?.usage && { cpuNs: before.usage.cpuNs, timeMs: before.timeMs }, { cpuNs: p.usage.cpuNs, timeMs: p.timeMs })),
          memory: memory(p.timeMs, p.usage),
        } : {}),
      };
    }),
  };
}
