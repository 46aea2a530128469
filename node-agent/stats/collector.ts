// One collection of the node's, pods' and containers' CPU and memory, shared by /metrics/resource,
// /stats/summary and /metrics/cadvisor. Containers come from one CRI ListContainerStats call
// (the runtime reads their cgroups), pods from their own cgroup (which includes the sandbox), the
// node from the root cgroup. A collection is reused for `maxAgeMs`, so scrapers arriving together
// (metrics-server and Prometheus) cost one.
import type { CriClient } from '../cri/index.js';
import type { Pod } from '../kube-types.js';
import type { CgroupDriver } from '../containerd/index.js';
import { cgroupRelativePath, podCgroupParent } from '../runtime/cgroups.js';
import { podQOSClass } from '../pods/qos.js';
import { KubeletLabels } from '../server/runtime-lookup.js';
import { cgroupLayoutFromMountinfo, type CgroupLayout, type CgroupUsage } from './cgroup-parse.js';
import { readCgroup, readNode, readText, type NodeUsage, type ReadText } from './cgroup-read.js';
import { podNetwork, type ListDir } from './cgroup-net.js';
import type { InterfaceStats } from './net-dev.js';

export interface ContainerSample extends CgroupUsage {
  name: string;
  /** The runtime's container ID. */
  id: string;
  image: string;
  /** Its cgroup below the hierarchy root, as cAdvisor's id label names it. */
  cgroup: string;
  /** When the running instance started (RFC 3339). */
  startTime: string;
  timeMs: number;
  /** Its writable layer (CRI), when the runtime reports it. */
  rootfsBytes?: number;
  rootfsInodes?: number;
}

export interface PodSample {
  namespace: string;
  name: string;
  uid: string;
  startTime?: string;
  timeMs: number;
  /** The pod cgroup's figures; undefined when it could not be read (then pod series are left out). */
  usage?: CgroupUsage;
  /** The pod cgroup below the hierarchy root ("/k8ts/kubepods/burstable/pod<uid>"), cAdvisor's id. */
  cgroup: string;
  /** The pod network's interfaces; undefined for host-network pods or when unreadable. */
  network?: InterfaceStats[];
  containers: ContainerSample[];
}

export interface ResourceSnapshot {
  nodeName: string;
  nodeStartTime: string;
  timeMs: number;
  node: NodeUsage;
  pods: PodSample[];
  /** Something could not be read: /metrics/resource reports it as resource_scrape_error 1. */
  scrapeError: boolean;
  /** The collection before this one (without its own previous), for usage rates in /stats/summary. */
  previous?: ResourceSnapshot;
}

export interface CollectorOptions {
  cri: CriClient;
  nodeName: string;
  nodeStartTime: Date;
  /** The agent's pods with the status it reports (running containers and their start times). */
  listPods(): Pod[];
  layout: CgroupLayout | undefined;
  cgroupDriver: CgroupDriver;
  cgroupRoot: string;
  maxAgeMs?: number;
  read?: ReadText;
  listDir?: ListDir;
  now?: () => number;
}

const num = (v: { value: string } | null | undefined): number => (v ? Number(v.value) : 0);
const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export class ResourceCollector {
  private last?: { atMs: number; snapshot: Promise<ResourceSnapshot> };
  /** Collections made (not served from the cache), for the agent's own metrics and the bench. */
  collections = 0;

  constructor(private readonly opts: CollectorOptions) {}

  snapshot(): Promise<ResourceSnapshot> {
    const now = (this.opts.now ?? Date.now)();
    if (this.last && now - this.last.atMs < (this.opts.maxAgeMs ?? 1000)) return this.last.snapshot;
    const snapshot = this.collect(now);
    this.last = { atMs: now, snapshot };
    snapshot.catch(() => {
      if (this.last?.snapshot === snapshot) this.last = undefined;
    });
    return snapshot;
  }

  private async collect(timeMs: number): Promise<ResourceSnapshot> {
    const previous = await this.last?.snapshot.then((p) => ({ ...p, previous: undefined }), () => undefined);
    this.collections++;
    const read = this.opts.read ?? readText;
    let scrapeError = false;
    const [node, stats] = await Promise.all([
      readNode(this.opts.layout, read),
      this.opts.cri.runtime.listContainerStats().catch(() => {
        scrapeError = true;
        return [];
      }),
    ]);
    const byContainer = new Map<string, (typeof stats)[number]>();
    for (const s of stats) {
      const l = s.attributes?.labels ?? {};
      const uid = l[KubeletLabels.podUid];
      const name = l[KubeletLabels.containerName];
      if (uid && name) byContainer.set(`${uid}/${name}`, s);
    }
    const pods = await Promise.all(this.opts.listPods().map(async (pod): Promise<PodSample | undefined> => {
      const uid = pod.metadata?.uid ?? '';
      const running = (pod.status?.containerStatuses ?? []).filter((c) => c.state?.running?.startedAt);
      if (!uid || running.length === 0) return undefined;
      const cgroup = cgroupRelativePath(this.opts.cgroupDriver, podCgroupParent(this.opts.cgroupDriver, this.opts.cgroupRoot, podQOSClass(pod), uid));
      // containerd's cgroup for a container: <parent>/<id> (cgroupfs) or <parent>/cri-containerd-<id>.scope (systemd).
      const containerCgroup = (id: string) => `${cgroup}/${this.opts.cgroupDriver === 'systemd' ? `cri-containerd-${id}.scope` : id}`;
      const containers: ContainerSample[] = [];
      for (const c of running) {
        const s = byContainer.get(`${uid}/${c.name}`);
        if (!s?.cpu || !s.memory) continue;
        containers.push({
          name: c.name, id: s.attributes?.id ?? '', image: c.image ?? '', cgroup: containerCgroup(s.attributes?.id ?? ''), startTime: c.state!.running!.startedAt!,
          timeMs: Number(BigInt(s.cpu.timestamp || '0') / 1_000_000n) || timeMs,
          cpuNs: BigInt(s.cpu.usage_core_nano_seconds?.value ?? '0'),
          memoryUsageBytes: num(s.memory.usage_bytes), workingSetBytes: num(s.memory.working_set_bytes), rssBytes: num(s.memory.rss_bytes),
          pageFaults: num(s.memory.page_faults), majorPageFaults: num(s.memory.major_page_faults),
          ...(s.writable_layer ? { rootfsBytes: num(s.writable_layer.used_bytes), rootfsInodes: num(s.writable_layer.inodes_used) } : {}),
        });
      }
      let usage: CgroupUsage | undefined;
      let network: InterfaceStats[] | undefined;
      const layout = this.opts.layout;
      if (layout) {
        [usage, network] = await Promise.all([
          readCgroup(layout, cgroup, read).catch(() => {
            scrapeError = true;
            return undefined;
          }),
          pod.spec?.hostNetwork ? undefined : podNetwork(layout, cgroup, read, this.opts.listDir),
        ]);
      }
      return {
        namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '', uid,
        startTime: pod.status?.startTime, timeMs, usage, cgroup, network, containers,
      };
    }));
    return {
      nodeName: this.opts.nodeName, nodeStartTime: rfc3339(this.opts.nodeStartTime), timeMs, node,
      pods: pods.filter((p): p is PodSample => p !== undefined), scrapeError, previous,
    };
  }
}

/** The cgroup layout of this host, read once (mounts do not move under a running agent). */
export async function hostCgroupLayout(read: ReadText = readText): Promise<CgroupLayout | undefined> {
  return cgroupLayoutFromMountinfo(await read('/proc/self/mountinfo').catch(() => ''));
}
