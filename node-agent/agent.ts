// The node agent (kubelet equivalent), made of components (lib/components.ts). It comes up in
// two phases, so static pods run even while the API server is unreachable (that is how a
// control plane can run as static pods):
//
//   1. without the API (agent-components.ts, pods/pod-machinery.ts): container runtime, API
//      client and event recorder, host facts, the pod machinery, static pods, the runtime
//      relist (PLEG), the agent's HTTPS server;
//   2. once the API answers, in the background (api-components.ts, network/, dns/): node
//      registration and heartbeats, the pod network's CNI config (from the node's pod CIDR),
//      the Service watch, the service proxy's and NetworkPolicy iptables rules (netpol/), cluster
//      DNS, pods bound to the node,
//      and removal of pods that no source wants any more.
//
// stop() takes it all down in reverse; pods keep running and the next agent adopts them.
import { recordHostPaths } from './host-paths.js';
import { restoreCgroupMounts } from './node/cgroup-mounts.js';
import { hostname } from 'node:os';
import { logger } from '../lib/log.js';
import { planComponents, StartAborted, startComponents, type Component, type RunningComponents } from '../lib/components.js';
import type { ContainerRuntime } from './containerd/index.js';
import type { AgentConfig } from './config.js';
import {
  agentServerComponent, apiClientComponent, eventsComponent, nodeComponent, plegComponent, runtimeComponent, staticPodsComponent,
} from './agent-components.js';
import { apiPodsComponent, nodeRegistrationComponent, orphanCleanupComponent } from './api-components.js';
import { agentServerValue, nodeValue, podMachineryValue, podNetworkValue, runtimeValue } from './agent-values.js';
import { podNetworkComponent } from './network/pod-network.js';
import { flannelComponent } from './network/overlay/overlay-component.js';
import { podMachineryComponent } from './pods/pod-machinery.js';
import { serviceInformersComponent, serviceWatchComponent } from './service-informers.js';
import { certRotationComponent } from './join/cert-rotation.js';
import { dnsComponent } from './dns/dns-component.js';
import { proxyComponent } from './proxy/proxy-component.js';
import { networkPolicyComponent } from './netpol/netpol-component.js';
import { ingressComponent } from './ingress/ingress-component.js';
import { csiComponent, csiNfsComponent } from './csi/csi-component.js';

const log = logger('agent');

export interface RunningAgent {
  nodeName: string;
  runtime: ContainerRuntime;
  /** The port the agent's HTTPS server listens on (0 if it could not start). */
  port: number;
  /** Resolves once the node is registered and API pods are running (phase 2). */
  connected: Promise<void>;
  stop(): Promise<void>;
}

/** Phase 1: what works without the API server. */
function localComponents(cfg: AgentConfig): Component[] {
  return [
    runtimeComponent(cfg), apiClientComponent(cfg), eventsComponent(cfg), nodeComponent(cfg), serviceInformersComponent(),
    podMachineryComponent(cfg), staticPodsComponent(cfg), plegComponent(cfg), agentServerComponent(cfg),
  ];
}

/** Phase 2: what needs the API server (registration retries until it answers). */
function apiComponents(cfg: AgentConfig): Component[] {
  return [nodeRegistrationComponent(), podNetworkComponent(cfg), flannelComponent(cfg), serviceWatchComponent(), proxyComponent(cfg), networkPolicyComponent(cfg), dnsComponent(cfg), ingressComponent(cfg), csiNfsComponent(cfg), csiComponent(cfg), apiPodsComponent(), orphanCleanupComponent(), certRotationComponent(cfg)];
}

/** Every component of the agent (`--disable` takes the optional ones). */
export function agentComponents(cfg: AgentConfig): Component[] {
  return [...localComponents(cfg), ...apiComponents(cfg)];
}

/** `--disable`, plus what `--flannel-backend none` turns off: the user's CNI owns pod networking. */
export function disabledComponents(cfg: AgentConfig): string[] {
  return cfg.flannelBackend === 'none' ? [...new Set([...cfg.disabledComponents, 'network', 'flannel'])] : cfg.disabledComponents;
}

export async function startAgent(cfg: AgentConfig): Promise<RunningAgent> {
  const local = localComponents(cfg);
  const api = apiComponents(cfg);
  // Both phases are checked together before anything starts: a bad --disable fails at once.
  const disabled = disabledComponents(cfg);
  planComponents([...local, ...api], disabled);
  recordHostPaths(cfg);
  await restoreCgroupMounts();
  const disabledIn = (phase: Component[]) => disabled.filter((n) => phase.some((c) => c.name === n));
  const stopper = new AbortController();
  const withoutApi = await startComponents(local, { disabled: disabledIn(local), signal: stopper.signal });

  let withApi: RunningComponents | undefined;
  const connected = (async () => {
    try {
      withApi = await startComponents(api, { disabled: disabledIn(api), parent: withoutApi, signal: stopper.signal });
    } catch (err) {
      if (err instanceof StartAborted) return;
      throw err;
    }
    const node = withApi.get(nodeValue);
    await node.updateStatus(true);
    const podCIDR = withApi.names.includes('network') ? withApi.get(podNetworkValue).podCIDR : undefined;
    const { workers, sources } = withApi.get(podMachineryValue);
    log.info({ node: cfg.nodeName, podCIDR, port: withApi.get(agentServerValue).port, pods: workers.uids().length, staticPods: sources.staticCount }, 'agent running');
  })();
  connected.catch((err: unknown) => {
    if (!stopper.signal.aborted) log.error({ err: (err as Error).message }, 'agent could not connect to the API');
  });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      stopper.abort();
      await connected.catch(() => undefined);
      await withApi?.stop();
      await withoutApi.stop();
      log.info({ node: cfg.nodeName }, 'agent stopped');
    })();
    return stopping;
  };
  return { nodeName: cfg.nodeName, runtime: withoutApi.get(runtimeValue), port: withoutApi.get(agentServerValue).port, connected, stop };
}

/** The agent's default node name: the host name, lowercased (as kubelet does). */
export function defaultNodeName(): string {
  return hostname().toLowerCase();
}
