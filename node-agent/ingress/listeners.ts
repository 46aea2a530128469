// The controller's two listeners on every address of the node (0.0.0.0, so 127.0.0.1 too):
// plain HTTP and HTTPS with the certificate chosen by SNI. Both hand requests and upgrades to
// the same proxy; they are never restarted when routes change.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { SecureContext } from 'node:tls';
import type { IngressProxy } from './ingress-proxy.js';

export interface Listeners {
  httpPort: number;
  httpsPort: number;
  close(): Promise<void>;
}

function listen(server: Server, address: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : port);
    });
  });
}

function tune(server: Server): Server {
  // Long uploads and streams are the backend's business, not a listener timeout's.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 75_000;
  server.headersTimeout = 60_000;
  return server;
}

export async function startListeners(opts: {
  proxy: IngressProxy; address: string; httpPort: number; httpsPort: number;
  sni: (serverName: string | undefined) => SecureContext; defaultCert: { cert: string; key: string };
}): Promise<Listeners> {
  const { proxy } = opts;
  const http = tune(createHttpServer((req, res) => proxy.handleRequest(req, res, 'http')));
  http.on('upgrade', (req, socket, head) => proxy.handleUpgrade(req, socket, head, 'http'));
  const https = tune(createHttpsServer({ SNICallback: (name, cb) => cb(null, opts.sni(name)), ...opts.defaultCert }, (req, res) => proxy.handleRequest(req, res, 'https')));
  https.on('upgrade', (req, socket, head) => proxy.handleUpgrade(req, socket, head, 'https'));
  const close = async () => {
    for (const s of [http, https]) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  };
  try {
    const httpPort = await listen(http, opts.address, opts.httpPort);
    const httpsPort = await listen(https, opts.address, opts.httpsPort);
    return { httpPort, httpsPort, close };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}
