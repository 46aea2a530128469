// The service proxy as an agent component (`proxy`, kube-proxy's job): once the Service and
// EndpointSlice watch has synced, it prepares the host, serves kube-proxy's metrics port and
// keeps the rules in step, in iptables or nftables mode (--proxy-mode). Optional: `--disable
// proxy` (or k3s' --disable-kube-proxy) for clusters that bring their own proxy.
import { agentMetrics } from '../stats/agent-metrics.js';
import { networkInterfaces } from 'node:os';
import type { Server } from 'node:http';
import { logger } from '../../lib/log.js';
import { hostExec } from '../../lib/exec.js';
import type { Component } from '../../lib/components.js';
import type { AgentConfig } from '../config.js';
import { nodeValue } from '../agent-values.js';
import { serviceInformersValue } from '../service-informers.js';
import { Conntrack } from './conntrack.js';
import { prepareHost } from './host-prep.js';
import type { ProxyBackend } from './backend.js';
import { ProxyIptables, removeProxyRules } from './iptables.js';
import { iptablesBackend } from './iptables-backend.js';
import { nftablesBackend } from './nftables/backend.js';
import { ProxyNft, removeNftTable } from './nftables/nft.js';
import { ProxyMetrics } from './metrics.js';
import { serveProxyMetrics } from './metrics-server.js';
import { Proxier } from './proxier.js';

const log = logger('proxy');
const HOUR = 3_600_000;

/** The node's IPv4 addresses (node ports answer on every one). */
function localIPv4s(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4') out.add(a.address);
  return out;
}

export function proxyComponent(cfg: AgentConfig): Component {
  return {
    name: 'proxy',
    requires: ['service-watch', 'service-informers', 'node'],
    optional: true,
    async start(ctx) {
      const exec = hostExec;
      const nftables = cfg.proxyMode === 'nftables';
      if (nftables && (await exec('nft', ['--version']).catch(() => undefined))?.code !== 0) {
        throw new Error('--proxy-mode nftables needs the nft command: install the nftables package, or use --proxy-mode iptables');
      }
      // kube-proxy's nftables mode has no NodePorts on 127.0.0.1, so it leaves route_localnet alone.
      const { localhostNodePorts } = await prepareHost(exec, { localhostNodePorts: !nftables });
      // As kube-proxy at start: the other mode's rules go, or both would catch the same traffic.
      const leftovers = nftables ? await removeProxyRules(exec) : await removeNftTable(exec);
      if (leftovers.length) log.info({ mode: cfg.proxyMode, removed: leftovers }, 'removed the other proxy mode\'s rules');
      const hasConntrack = (await exec('conntrack', ['--version']).catch(() => undefined))?.code === 0;
      if (!hasConntrack) log.warn({}, 'no conntrack command: stale UDP flows to Services are not removed (install the conntrack package)');
      const metrics = new ProxyMetrics();
      // On the agent's /metrics (the kubelet port), and on kube-proxy's own port below.
      agentMetrics.registry.include(metrics.registry);
      const rulesCfg = { clusterCIDR: cfg.clusterCIDR, localhostNodePorts, randomFully: true, nodeIP: ctx.get(nodeValue).host.internalIP };
      const backend: ProxyBackend<unknown> = nftables
        ? nftablesBackend(new ProxyNft(exec, true), rulesCfg)
        : iptablesBackend(new ProxyIptables(exec, 'iptables', true), rulesCfg);
      const proxier = new Proxier({
        informers: ctx.get(serviceInformersValue), nodeName: cfg.nodeName, backend,
        conntrack: hasConntrack ? new Conntrack(exec) : undefined, localIPs: localIPv4s, metrics,
        minSyncMs: cfg.proxyMinSyncPeriodMs, syncPeriodMs: cfg.proxySyncPeriodMs, fullSyncMs: HOUR,
      });
      let server: Server | undefined;
      if (cfg.proxyMetricsAddress) {
        // Another proxy (or a second agent on this host) may hold the port: the proxy runs anyway.
        server = await serveProxyMetrics(cfg.proxyMetricsAddress, metrics).catch((err: unknown) => {
          log.warn({ address: cfg.proxyMetricsAddress, err: (err as Error).message }, 'proxy metrics port not served');
          return undefined;
        });
      }
      const stop = proxier.start();
      log.info({ mode: cfg.proxyMode, clusterCIDR: cfg.clusterCIDR, syncPeriodMs: cfg.proxySyncPeriodMs, minSyncMs: cfg.proxyMinSyncPeriodMs, metrics: server ? cfg.proxyMetricsAddress : undefined }, 'service proxy started');
      return async () => {
        await stop();
        backend.close();
        if (server) await new Promise((r) => server.close(r));
      };
    },
  };
}
