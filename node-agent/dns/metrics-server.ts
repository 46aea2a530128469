// CoreDNS's `prometheus :9153`: GET /metrics in the Prometheus text format, nothing else.
import { createServer, type Server } from 'node:http';
import { metricsContentType } from '../../lib/metrics.js';

export interface RunningMetricsServer {
  readonly port: number;
  stop(): Promise<void>;
}

export async function startMetricsServer(host: string, port: number, expose: () => string): Promise<RunningMetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'text/plain', allow: 'GET, HEAD' }).end('method not allowed\n');
      return;
    }
    res.writeHead(200, { 'content-type': metricsContentType }).end(req.method === 'HEAD' ? undefined : expose());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
