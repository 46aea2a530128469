// The pod machinery as a component of the agent: pod sources, workers running pod-sync, the
// pod runtime, volumes, probes and status writes. It runs static pods before the API answers;
// API pods reach it once api-components.ts starts the informers.
import { readFileSync } from 'node:fs';
import { resources } from '../../lib/client/resource-types.js';
import type { Component } from '../../lib/components.js';
import { apiReads } from '../api-reads.js';
import { apiClientValue, eventsValue, nodeValue, podMachineryValue, runtimeValue } from '../agent-values.js';
import { agentPaths, type AgentConfig } from '../config.js';
import type { Pod } from '../kube-types.js';
import { PodSources } from '../pod-sources.js';
import { ProbeManager } from '../probes/probe-manager.js';
import { serviceInformersValue } from '../service-informers.js';
import { parseResolvConf, type ResolvConf } from '../runtime/dns.js';
import { ImageManager } from '../runtime/image-manager.js';
import { PodRuntime } from '../runtime/pod-runtime.js';
import { ShellExec } from '../runtime/shell-exec.js';
import { VolumeManager } from '../volumes/volume-manager.js';
import { podEvents } from './pod-events.js';
import { PodSyncer } from './pod-sync.js';
import { PodWorkers } from './pod-workers.js';
import { StatusManager } from './status-manager.js';

export function podMachineryComponent(cfg: AgentConfig): Component {
  return {
    name: 'pods', requires: ['runtime', 'api-client', 'events', 'node', 'service-informers'],
    async start(ctx) {
      const runtime = ctx.get(runtimeValue);
      const cri = runtime.cri;
      const client = ctx.get(apiClientValue);
      const node = ctx.get(nodeValue);
      const events = podEvents(ctx.get(eventsValue));
      const podApi = client.resource<Pod>(resources.pods);
      const reads = apiReads(client);
      const { services } = ctx.get(serviceInformersValue);
      const sources = new PodSources({ pods: podApi, nodeName: cfg.nodeName, nodeUid: () => node.uid() });
      // mount/umount for every pod's volumes go through one long-lived shell (cheap forks).
      const shell = new ShellExec();
      const podRuntime = new PodRuntime(cri, new ImageManager(cri, events), events, {
        podLogsDir: cfg.podLogsDir, cgroupRoot: cfg.cgroupRoot, cgroupDriver: runtime.host.cgroupDriver,
        canLowerOomScoreAdj: runtime.host.canLowerOomScoreAdj,
        clusterDNS: { servers: cfg.clusterDNS, domain: cfg.clusterDomain },
        memoryCapacity: node.host.memoryTotal, hostResolv: readResolvConf, nodeHostsFile: readHostsFile,
      });
      const volumes = new VolumeManager(agentPaths(cfg.dataDir).pods, reads, events, shell.exec, cfg.syncFrequencyMs);
      const statuses = new StatusManager(podApi);
      let workers!: PodWorkers;
      const probes = new ProbeManager(cri, events, (uid) => workers.trigger(uid));
      const syncer = new PodSyncer(cri, podRuntime, volumes, probes, statuses, events, podApi, {
        nodeName: cfg.nodeName,
        hostIPs: () => node.hostIPs(),
        allocatable: () => node.allocatable(),
        podLogsDir: cfg.podLogsDir,
        cgroupDriver: runtime.host.cgroupDriver,
        configMap: reads.configMap,
        secret: reads.secret,
        services: () => services.cache.list(),
        statusTarget: (pod) => sources.statusTarget(pod),
        apiStatus: (pod) => sources.apiStatus(pod),
      });
      workers = new PodWorkers(syncer, cfg.syncFrequencyMs);
      sources.start(workers);
      ctx.provide(podMachineryValue, { sources, workers, syncer, volumes, statuses });
      return async () => {
        try {
          probes.stopAll();
          await workers.stop();
        } finally {
          shell.close();
        }
      };
    },
  };
}

function readResolvConf(): ResolvConf {
  try {
    return parseResolvConf(readFileSync('/etc/resolv.conf', 'utf8'));
  } catch {
    return { nameservers: [], searches: [], options: [] };
  }
}

function readHostsFile(): string {
  try {
    return readFileSync('/etc/hosts', 'utf8');
  } catch {
    return '';
  }
}
