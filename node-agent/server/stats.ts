// GET /stats/summary: a minimal Summary API (stats.k8s.io/v1alpha1 shape) from what CRI
// reports, enough for `kubectl get --raw .../proxy/stats/summary` and simple consumers.
import { freemem, totalmem } from 'node:os';
import { KubeletLabels } from './runtime-lookup.js';
import type { AgentContext } from './context.js';

const iso = (ns: string | number | undefined): string | undefined => {
  if (ns === undefined || ns === '0' || ns === 0) return undefined;
  return new Date(Number(BigInt(ns) / 1_000_000n)).toISOString().replace(/\.\d{3}Z$/, 'Z');
};
const num = (v: { value: string } | null | undefined): number | undefined => (v ? Number(v.value) : undefined);

export async function statsSummary(ctx: AgentContext): Promise<object> {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const [sandboxes, stats] = await Promise.all([ctx.cri.runtime.listPodSandbox(), ctx.cri.runtime.listContainerStats()]);
  const pods = sandboxes.map((s) => {
    const containers = stats.filter((c) => c.attributes && c.attributes.labels[KubeletLabels.podUid] === s.labels[KubeletLabels.podUid]
      && c.attributes.labels[KubeletLabels.podName] === s.labels[KubeletLabels.podName]);
    return {
      podRef: { name: s.metadata?.name ?? '', namespace: s.metadata?.namespace ?? '', uid: s.metadata?.uid ?? '' },
      startTime: iso(s.created_at),
      containers: containers.map((c) => ({
        name: c.attributes?.metadata?.name ?? '',
        cpu: { time: iso(c.cpu?.timestamp) ?? now, usageNanoCores: num(c.cpu?.usage_nano_cores), usageCoreNanoSeconds: num(c.cpu?.usage_core_nano_seconds) },
        memory: {
          time: iso(c.memory?.timestamp) ?? now, workingSetBytes: num(c.memory?.working_set_bytes),
          usageBytes: num(c.memory?.usage_bytes), rssBytes: num(c.memory?.rss_bytes),
        },
      })),
    };
  });
  const total = totalmem();
  const free = freemem();
  return {
    node: {
      nodeName: ctx.nodeName,
      startTime: ctx.startedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      memory: { time: now, availableBytes: free, usageBytes: total - free, workingSetBytes: total - free },
    },
    pods,
  };
}
