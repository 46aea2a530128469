// The agent's `network-policy` component (kube-router's job in k3s): watches NetworkPolicies,
// every pod and every namespace, and enforces the policies for this node's pods with iptables.
// Optional: `--disable network-policy` for clusters whose CNI enforces policies itself.
//
// Reading every pod and namespace is more than the Node authorizer gives a kubelet: the server's
// ClusterRole `system:k8ts-network-policy` (bound to the group system:nodes, as k3s grants its
// agents' kube-router through system:k3s-controller) adds namespaces and networkpolicies.
import { logger } from '../../lib/log.js';
import { hostExec } from '../../lib/exec.js';
import type { Component } from '../../lib/components.js';
import { Informer, listWatch } from '../../lib/client/informer.js';
import { resources } from '../../lib/client/resource-types.js';
import type { AgentConfig } from '../config.js';
import { apiClientValue } from '../agent-values.js';
import type { Namespace, NetworkPolicy, Pod } from '../kube-types.js';
import { ensureBridgeNetfilter } from '../proxy/host-prep.js';
import { NetpolEnforcer } from './enforcer.js';
import { NetpolIptables } from './iptables.js';
import { NetpolMetrics } from './metrics.js';
import { agentMetrics } from '../stats/agent-metrics.js';

const log = logger('network-policy');

/** Changes land within this of each other: a burst of pod updates is one restore. */
const MIN_SYNC_MS = 200;
/** Rules rewritten and the FORWARD hook checked this often, so a flushed table heals. */
const RESYNC_MS = 30_000;

/** Only what policies look at: every pod of the cluster is cached. */
function slimPod(p: Pod): Pod {
  return {
    metadata: { name: p.metadata?.name, namespace: p.metadata?.namespace, labels: p.metadata?.labels, resourceVersion: p.metadata?.resourceVersion },
    spec: {
      nodeName: p.spec?.nodeName, hostNetwork: p.spec?.hostNetwork,
      containers: (p.spec?.containers ?? []).map((c) => ({ name: c.name, ports: c.ports?.filter((cp) => cp.name) })),
      initContainers: p.spec?.initContainers?.map((c) => ({ name: c.name, ports: c.ports?.filter((cp) => cp.name) })),
    },
    status: { podIP: p.status?.podIP, phase: p.status?.phase },
  };
}

export function networkPolicyComponent(cfg: AgentConfig): Component {
  return {
    name: 'network-policy', requires: ['node-registration', 'api-client'], after: ['network', 'flannel', 'proxy'], optional: true,
    async start(ctx) {
      const client = ctx.get(apiClientValue);
      if (!await ensureBridgeNetfilter(hostExec)) log.warn({}, 'br_netfilter is not available: policies are not enforced between pods of one bridge');
      const informers = {
        pods: new Informer(listWatch(client.resource<Pod>(resources.pods)), { name: 'netpol-pods', transform: slimPod }),
        namespaces: new Informer(listWatch(client.resource<Namespace>(resources.namespaces)), { name: 'netpol-namespaces' }),
        policies: new Informer(listWatch(client.resource<NetworkPolicy>(resources.networkPolicies)), { name: 'networkpolicies' }),
      };
      const all = [informers.pods, informers.namespaces, informers.policies] as Array<Informer<Pod | Namespace | NetworkPolicy>>;
      const runs = all.map((i) => i.run(ctx.signal));
      const iptables = new NetpolIptables(hostExec, 'iptables', true);
      const metrics = new NetpolMetrics();
      agentMetrics.registry.include(metrics.registry);
      const enforcer = new NetpolEnforcer({ informers, nodeName: cfg.nodeName, iptables, minSyncMs: MIN_SYNC_MS, resyncMs: RESYNC_MS, metrics });
      // In the background: pods do not wait for it, and an API server that does not yet let nodes
      // read namespaces and policies (an older server) costs enforcement, not the node.
      const slow = setTimeout(() => log.warn({ node: cfg.nodeName }, 'network policy caches not synced after 10 s: can this node list pods, namespaces and networkpolicies? (ClusterRole system:k8ts-network-policy)'), 10_000);
      const started = Promise.all(all.map((i) => i.waitForSync(ctx.signal))).then(async () => {
        clearTimeout(slow);
        if (ctx.signal.aborted) return undefined;
        const stop = await enforcer.start();
        log.info({ node: cfg.nodeName }, 'network policy enforcement started');
        return stop;
      });
      started.catch((err: unknown) => log.error({ err: (err as Error).message }, 'network policy enforcement failed to start'));
      return async () => {
        clearTimeout(slow);
        const stop = await started.catch(() => undefined);
        await stop?.();
        iptables.close();
        await Promise.allSettled(runs);
      };
    },
  };
}
