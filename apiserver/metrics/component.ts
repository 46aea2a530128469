// The built-in metrics server: scrapes the agents and serves metrics.k8s.io from the API server
// itself (k3s bundles metrics-server as a pod behind an APIService; here there is no aggregation
// hop, no second serving certificate and no extra pod, and the API server already holds the
// client certificate agents accept). Optional: `--disable metrics-server`; metrics.k8s.io then
// answers NotFound and empty lists, as a cluster without figures does.
import { ensureMetricsReaderRole } from './metrics-reader-role.js';
import { type Component } from '../../lib/components.js';
import { KubeletConnector } from '../registry/connect/kubelet-connection.js';
import { decoded } from '../registry/decoded.js';
import { resourceMetricsExtensions } from '../registry/kinds/resource-metrics.js';
import { pkiValue } from '../server-pki.js';
import { apiValue } from '../server-components.js';
import { MetricsStorage } from './metrics-storage.js';
import { ResourceScraper } from './scraper.js';

/** metrics-server's default resolution in its manifests (and k3s'). */
export const defaultMetricResolutionMs = 15_000;

export function metricsServerComponent(opts: { metricResolutionMs?: number }): Component {
  return {
    name: 'metrics-server', requires: ['pki', 'api', 'bootstrap'], optional: true,
    async start(ctx) {
      const resolutionMs = opts.metricResolutionMs ?? defaultMetricResolutionMs;
      const { api } = ctx.get(apiValue);
      const { ca, kubeletClient } = ctx.get(pkiValue);
      const storage = new MetricsStorage(resolutionMs);
      const nodes = api.storeFor('', 'nodes');
      const scraper = new ResourceScraper({
        storage, resolutionMs,
        kubelet: new KubeletConnector(api, { ca: ca.cert, cert: kubeletClient.cert, key: kubeletClient.key }),
        nodeNames: () => api.store.list(nodes.prefix('')).items.map((kv) => decoded(kv).metadata.name ?? ''),
      });
      resourceMetricsExtensions(api, storage);
      await ensureMetricsReaderRole(api);
      scraper.start();
      return () => scraper.stop();
    },
  };
}
