// The agent's components that work without the API server: the container runtime, the API
// client and event recorder (they queue until the API answers), the node's host facts, static
// pods, the runtime relist (PLEG) and the agent's HTTPS server. The pod machinery is
// pods/pod-machinery.ts; what needs the API is api-components.ts.
import { readKubeconfig } from '../lib/kubeconfig.js';
import { logger } from '../lib/log.js';
import { apiEventSink, EventRecorder } from '../lib/client/events.js';
import { KubeClient } from '../lib/client/rest-client.js';
import { nothingToStop, type Component } from '../lib/components.js';
import { serverVersion } from '../lib/version.js';
import { join } from 'node:path';
import { containerdPaths, startContainerRuntime } from './containerd/index.js';
import { agentPaths, type AgentConfig } from './config.js';
import { podLogDirectory } from './runtime/sandbox-config.js';
import { DirectoryUsageCache } from './stats/fs-stats.js';
import { NodeManager } from './node/node-manager.js';
import { agentServerValue, apiClientValue, eventsValue, nodeValue, plegValue, podMachineryValue, runtimeValue } from './agent-values.js';
import { Pleg } from './runtime/pleg.js';
import { servingCertificate } from './serving-cert.js';
import { startAgentServer } from './server/index.js';
import { hostCgroupLayout, ResourceCollector } from './stats/collector.js';
import { agentMetrics } from './stats/agent-metrics.js';

const log = logger('agent');

/** Our supervised containerd, or the one --container-runtime-endpoint names. */
export function runtimeComponent(cfg: AgentConfig): Component {
  return {
    name: 'runtime', requires: [],
    async start(ctx) {
      const runtime = await startContainerRuntime({
        dataDir: cfg.dataDir, signal: ctx.signal, endpoint: cfg.containerRuntimeEndpoint, runDir: cfg.runDir, sandboxImage: cfg.sandboxImage,
        streamServerPort: cfg.streamServerPort, cniConfDir: cfg.cniConfDir, cniBinDir: cfg.cniBinDir,
        registriesFile: cfg.privateRegistryFile, readyTimeoutMs: cfg.runtimeReadyTimeoutMs,
      });
      ctx.provide(runtimeValue, runtime);
      // The runtime stops on the runner's signal; its stop waits for that.
      return async () => {
        await runtime.stopped;
      };
    },
  };
}

export function apiClientComponent(cfg: AgentConfig): Component {
  return {
    name: 'api-client', requires: [],
    async start(ctx) {
      const kc = readKubeconfig(cfg.kubeconfig);
      // 16 connections (3 of them hold watches) are enough for a burst of 110 pods; each open TLS
      // socket keeps ~100 KiB of native buffers, so 64 cost ~6 MiB more RSS for no faster start.
      // Those a burst opened close after 15 s idle; heartbeats and status updates keep a few busy.
      const client = new KubeClient({ ...kc, server: cfg.server ?? kc.server }, { userAgent: `k8ts-agent/${cfg.nodeName}`, maxSockets: 16, idleSocketMs: 15_000 });
      ctx.provide(apiClientValue, client);
      return () => client.close();
    },
  };
}

export function eventsComponent(cfg: AgentConfig): Component {
  return {
    name: 'events', requires: ['api-client'],
    async start(ctx) {
      const recorder = new EventRecorder(apiEventSink(ctx.get(apiClientValue)), { component: 'kubelet', host: cfg.nodeName });
      ctx.provide(eventsValue, recorder);
      return async () => {
        recorder.close();
        await Promise.race([recorder.flush(), new Promise((r) => setTimeout(r, 2000).unref())]);
      };
    },
  };
}

/** The Node object's keeper; here only the host's facts are read (registration needs the API). */
export function nodeComponent(cfg: AgentConfig): Component {
  return {
    name: 'node', requires: ['runtime', 'api-client', 'events'],
    async start(ctx) {
      const recorder = ctx.get(eventsValue);
      const node = new NodeManager({
        client: ctx.get(apiClientValue), cri: ctx.get(runtimeValue).cri, name: cfg.nodeName, dataDir: cfg.dataDir, nodeIP: cfg.nodeIP,
        kubeletVersion: serverVersion().gitVersion, kubeletPort: cfg.kubeletPort, labels: cfg.nodeLabels,
        statusUpdateMs: cfg.nodeStatusUpdateMs, leaseDurationSeconds: cfg.leaseDurationSeconds,
        event: (type, reason, message) => recorder.event({ kind: 'Node', name: cfg.nodeName, uid: cfg.nodeName }, type, reason, message),
      });
      await node.refreshFacts();
      ctx.provide(nodeValue, node);
      return nothingToStop;
    },
  };
}

/** Pods from --pod-manifest-path, run at once (no API needed); optional, as '' for the path. */
export function staticPodsComponent(cfg: AgentConfig): Component {
  return {
    name: 'static-pods', requires: ['pods'], optional: true,
    async start(ctx) {
      ctx.get(podMachineryValue).sources.startStatic(cfg.podManifestPath, ctx.signal);
      return nothingToStop;
    },
  };
}

/** The runtime relist, every second: containerd 1.6 has no GetContainerEvents. */
export function plegComponent(cfg: AgentConfig): Component {
  return {
    name: 'pleg', requires: ['runtime', 'pods'],
    async start(ctx) {
      const { workers } = ctx.get(podMachineryValue);
      const pleg = new Pleg(ctx.get(runtimeValue).cri, cfg.relistMs, (uid) => workers.trigger(uid));
      pleg.start(ctx.signal);
      ctx.provide(plegValue, pleg);
      return nothingToStop;
    },
  };
}

/** The kubelet port (logs, exec, attach, port-forward, metrics). It not starting is logged, not fatal. */
export function agentServerComponent(cfg: AgentConfig): Component {
  return {
    name: 'agent-server', requires: ['runtime', 'api-client', 'node', 'pods'],
    async start(ctx) {
      const node = ctx.get(nodeValue);
      const { sources, statuses } = ctx.get(podMachineryValue);
      const { cri, host } = ctx.get(runtimeValue);
      const pods = sources.podSource(statuses);
      const startedAt = new Date();
      agentMetrics.runningPods(() => pods.listPods().filter((p) => p.status?.phase === 'Running').length);
      const resources = new ResourceCollector({
        cri, nodeName: cfg.nodeName, nodeStartTime: startedAt, listPods: () => pods.listPods(),
        layout: await hostCgroupLayout(), cgroupDriver: host.cgroupDriver, cgroupRoot: cfg.cgroupRoot,
      });
      try {
        const server = await startAgentServer({
          context: {
            cri, nodeName: cfg.nodeName, pods, nodeLogDir: '/var/log', startedAt, resources,
            filesystems: {
              dirs: new DirectoryUsageCache(),
              paths: {
                rootDir: cfg.dataDir, imageFsDir: containerdPaths(cfg.dataDir, cfg.runDir).root, podsDir: agentPaths(cfg.dataDir).pods,
                containerLogDir: (p, container) => join(podLogDirectory(cfg.podLogsDir, { metadata: p }), container),
              },
            },
          },
          address: cfg.kubeletAddress, port: cfg.kubeletPort, tls: servingCertificate(cfg, node.host.internalIP), clientCA: ctx.get(apiClientValue).config.caCert,
        });
        node.setKubeletPort(server.port);
        ctx.provide(agentServerValue, { port: server.port, setServingCertificate: (tls) => server.setServingCertificate(tls) });
        return () => server.close();
      } catch (err) {
        log.warn({ port: cfg.kubeletPort, err: (err as Error).message }, 'agent server did not start');
        ctx.provide(agentServerValue, { port: 0, setServingCertificate: () => {} });
        return nothingToStop;
      }
    },
  };
}
