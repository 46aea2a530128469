// A minimal keep-alive HTTPS client for benchmarks (admin credentials from a kubeconfig).
import { Agent, request } from 'node:https';
import { readKubeconfig } from '../../lib/kubeconfig.js';

export interface BenchClient {
  call(method: string, path: string, body?: string): Promise<{ status: number; body: string }>;
  /** Opens a watch and calls onLine per event line until closed. */
  watch(path: string, onLine: (line: string) => void): { close(): void; ready: Promise<void> };
  agent: Agent;
}

export function benchClient(kubeconfig: string, maxSockets: number): BenchClient {
  const c = readKubeconfig(kubeconfig);
  const url = new URL(c.server);
  const agent = new Agent({ keepAlive: true, maxSockets, ca: c.caCert, cert: c.clientCert, key: c.clientKey });
  const base = { host: url.hostname, port: Number(url.port), agent };
  return {
    agent,
    call(method, path, body) {
      return new Promise((resolve, reject) => {
        const req = request({ ...base, method, path, headers: body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {} }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        });
        req.on('error', reject);
        req.end(body);
      });
    },
    watch(path, onLine) {
      const watchAgent = new Agent({ keepAlive: false, ca: c.caCert, cert: c.clientCert, key: c.clientKey });
      let buf = '';
      let readyResolve!: () => void;
      const ready = new Promise<void>((r) => (readyResolve = r));
      const req = request({ host: url.hostname, port: Number(url.port), agent: watchAgent, method: 'GET', path }, (res) => {
        readyResolve();
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          buf += d;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            onLine(buf.slice(0, nl));
            buf = buf.slice(nl + 1);
          }
        });
        res.on('error', () => {});
      });
      req.on('error', () => {});
      req.end();
      return { close: () => req.destroy(), ready };
    },
  };
}
