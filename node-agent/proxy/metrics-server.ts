// kube-proxy's metrics port (127.0.0.1:10249 by default): /metrics and /healthz, so scrapers and
// probes written for kube-proxy find the proxy where they expect it.
import { createServer, type Server } from 'node:http';
import { metricsContentType } from '../../lib/metrics.js';
import type { ProxyMetrics } from './metrics.js';

export async function serveProxyMetrics(address: string, metrics: ProxyMetrics): Promise<Server> {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i) || '127.0.0.1';
  const port = Number(address.slice(i + 1));
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': metricsContentType }).end(metrics.registry.expose());
    } else if (req.url === '/healthz' || req.url === '/livez') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
