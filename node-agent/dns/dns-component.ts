// The agent's `dns` component: cluster DNS on the node's IP, port 53 (UDP and TCP), metrics on
// 9153, once the Service and EndpointSlice caches have synced. The node then carries the label
// k8ts.io/dns=true, which is how the server knows to list it among kube-dns's endpoints; a
// clean stop takes the label off first, so the Service stops sending queries here. Optional:
// `--disable dns` for users who run CoreDNS themselves.
import { logger } from '../../lib/log.js';
import { nothingToStop, provides, type Component } from '../../lib/components.js';
import { isNotFound } from '../../lib/client/api-error.js';
import { resources } from '../../lib/client/resource-types.js';
import { DNS_METRICS_PORT, DNS_PORT, dnsNodeLabel } from '../../lib/kube-dns.js';
import type { Node } from '../../lib/client/types.js';
import { apiClientValue, nodeValue } from '../agent-values.js';
import type { AgentConfig } from '../config.js';
import { serviceInformersValue } from '../service-informers.js';
import { startClusterDns, type RunningClusterDns } from './cluster-dns.js';

const log = logger('dns');


/** Where the node's DNS listens (and its metrics), for whoever needs to know. */
export const dnsValue = provides<RunningClusterDns>('dns');

export function dnsComponent(cfg: AgentConfig): Component {
  return {
    name: 'dns', requires: ['service-watch', 'service-informers', 'node', 'api-client'], optional: true,
    async start(ctx) {
      const { services, endpointSlices } = ctx.get(serviceInformersValue);
      const node = ctx.get(nodeValue);
      const nodes = ctx.get(apiClientValue).resource<Node>(resources.nodes);
      const addresses = cfg.dnsAddresses ?? node.hostIPs();
      // Bounded: a stop must not hang on an API server that went away.
      const label = (value: string | null) => nodes.patch('', cfg.nodeName, { metadata: { labels: { [dnsNodeLabel]: value } } }, 'merge', { signal: AbortSignal.timeout(5_000) });
      const port = cfg.dnsPort ?? DNS_PORT;
      let running: RunningClusterDns;
      try {
        running = await startClusterDns({
          services: services.cache, slices: endpointSlices.cache, domain: cfg.clusterDomain, clusterDNS: cfg.clusterDNS,
          addresses, port, metricsPort: cfg.dnsMetricsPort ?? DNS_METRICS_PORT, resolvConf: cfg.resolvConf ?? '/etc/resolv.conf',
        });
      } catch (err) {
        // Not fatal, as the agent's own server: pods still run, and without the label this node
        // is not among kube-dns's endpoints, so other nodes' DNS answers for it.
        log.error({ node: cfg.nodeName, addresses, port, err: (err as Error).message }, 'cluster DNS cannot listen: this node serves no DNS (free the port, or run with --disable dns and bring CoreDNS)');
        // A label left by an earlier run that crashed would send queries to a server that is not there.
        await label(null).catch(() => undefined);
        return nothingToStop;
      }
      // Unlabelled, the node is not among kube-dns's endpoints: said loudly, but pods still run.
      await label('true').catch((err: unknown) => log.error({ node: cfg.nodeName, err: (err as Error).message }, `cannot label the node ${dnsNodeLabel}=true: kube-dns will not send queries here`));
      ctx.provide(dnsValue, running);
      log.info({ node: cfg.nodeName, addresses: running.addresses, metricsPorts: running.metricsPorts, domain: cfg.clusterDomain }, 'cluster DNS serving');
      return async () => {
        // Off the endpoints first, then stop answering.
        await label(null).catch((err: unknown) => {
          if (!isNotFound(err)) log.warn({ node: cfg.nodeName, err: (err as Error).message }, `could not remove the ${dnsNodeLabel} label`);
        });
        await running.stop();
      };
    },
  };
}
