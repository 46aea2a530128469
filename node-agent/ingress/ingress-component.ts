// The agent's `ingress` component: k8ts' built-in Ingress controller on ports 80 and 443 of every
// address of the node (`--ingress-http-port`, `--ingress-https-port`), serving the Ingresses of
// IngressClasses whose controller is k8ts.io/ingress, once the Service and EndpointSlice caches
// have synced. While it serves, the node carries the label k8ts.io/ingress=true: the server
// lists such nodes' IPs in the Ingresses' status.loadBalancer (one writer, so nodes never race
// on it). A port it cannot bind is logged, not fatal. Optional: `--disable ingress`.
import { mkdirSync } from 'node:fs';
import { batchedLogger, logger } from '../../lib/log.js';
import { nothingToStop, type Component } from '../../lib/components.js';
import { isNotFound } from '../../lib/client/api-error.js';
import { resources } from '../../lib/client/resource-types.js';
import { ingressNodeLabel } from '../../lib/ingress.js';
import { ensureCA, ensureCertificate } from '../../lib/pki.js';
import type { Node } from '../../lib/client/types.js';
import { listWatch } from '../../lib/client/informer.js';
import type { Secret } from '../kube-types.js';
import { apiClientValue } from '../agent-values.js';
import { agentPaths, type AgentConfig } from '../config.js';
import { serviceInformersValue } from '../service-informers.js';
import { agentMetrics } from '../stats/agent-metrics.js';
import { IngressProxy } from './ingress-proxy.js';
import { IngressState } from './ingress-state.js';
import { startListeners } from './listeners.js';
import { IngressMetrics } from './metrics.js';
import { TlsStore } from './tls-store.js';

const log = logger('ingress');

/** The certificate for names no Ingress covers: self-signed, made once per node. */
function defaultCertificate(cfg: AgentConfig) {
  const pki = agentPaths(cfg.dataDir).pki;
  mkdirSync(pki, { recursive: true, mode: 0o700 });
  const ca = ensureCA(pki, 'ingress-default-ca', `k8ts ingress default CA (${cfg.nodeName})`);
  return ensureCertificate(pki, 'ingress-default', ca, { commonName: 'k8ts ingress default certificate', dnsNames: ['ingress.local'], usage: 'server' });
}

export function ingressComponent(cfg: AgentConfig): Component {
  return {
    name: 'ingress', requires: ['service-watch', 'service-informers', 'api-client'], optional: true,
    async start(ctx) {
      const client = ctx.get(apiClientValue);
      const nodes = client.resource<Node>(resources.nodes);
      const label = (value: string | null) => nodes.patch('', cfg.nodeName, { metadata: { labels: { [ingressNodeLabel]: value } } }, 'merge', { signal: AbortSignal.timeout(5_000) });
      const defaultCert = defaultCertificate(cfg);
      const secrets = client.resource<Secret>(resources.secrets);
      const tls = new TlsStore((namespace, name) => listWatch(secrets, { namespace, fieldSelector: `metadata.name=${name}` }), defaultCert, log);
      const state = new IngressState({ client, informers: ctx.get(serviceInformersValue), nodeName: cfg.nodeName, tls, log });
      const metrics = new IngressMetrics();
      agentMetrics.registry.include(metrics.registry);
      let httpsPort = cfg.ingressHttpsPort;
      const access = batchedLogger('ingress-access');
      const proxy = new IngressProxy({ state: state.state, httpsPort: () => httpsPort, metrics, log: access.log });
      const running = await state.start(ctx.signal);
      let listeners;
      try {
        listeners = await startListeners({
          proxy, address: cfg.ingressAddress, httpPort: cfg.ingressHttpPort, httpsPort: cfg.ingressHttpsPort, defaultCert,
          sni: (name) => tls.contextFor(state.state().routes, name),
        });
      } catch (err) {
        log.error({ node: cfg.nodeName, address: cfg.ingressAddress, httpPort: cfg.ingressHttpPort, httpsPort: cfg.ingressHttpsPort, err: (err as Error).message }, 'ingress controller cannot listen: this node serves no Ingress (free the ports, set --ingress-http-port/--ingress-https-port, or --disable ingress)');
        proxy.close();
        await label(null).catch(() => undefined);
        return nothingToStop;
      }
      httpsPort = listeners.httpsPort;
      await label('true').catch((err: unknown) => log.error({ node: cfg.nodeName, err: (err as Error).message }, `cannot label the node ${ingressNodeLabel}=true: its IP will not be in Ingresses' status`));
      log.info({ node: cfg.nodeName, address: cfg.ingressAddress, httpPort: listeners.httpPort, httpsPort: listeners.httpsPort }, 'ingress controller serving');
      return async () => {
        await label(null).catch((err: unknown) => {
          if (!isNotFound(err)) log.warn({ node: cfg.nodeName, err: (err as Error).message }, `could not remove the ${ingressNodeLabel} label`);
        });
        await listeners.close();
        proxy.close();
        access.flush();
        await running.done;
      };
    },
  };
}
