// A minimal keep-alive HTTPS client for benchmarks (admin credentials from a kubeconfig).
import { Agent, request } from 'node:https';
import { connect } from 'node:tls';
import { readKubeconfig } from '../../lib/kubeconfig.js';

export interface BenchClient {
  call(method: string, path: string, body?: string): Promise<{ status: number; body: string }>;
  /** Opens a watch and calls onLine per event line until closed. */
  watch(path: string, onLine: (line: string) => void): { close(): void; ready: Promise<void> };
  agent: Agent;
}

/** With `token`, requests carry it instead of the kubeconfig's client certificate. */
export function benchClient(kubeconfig: string, maxSockets: number, token?: string): BenchClient {
  const c = readKubeconfig(kubeconfig);
  const url = new URL(c.server);
  const agent = new Agent({ keepAlive: true, maxSockets, ca: c.caCert, ...(token ? {} : { cert: c.clientCert, key: c.clientKey }) });
  const auth: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  const base = { host: url.hostname, port: Number(url.port), agent };
  return {
    agent,
    call(method, path, body) {
      return new Promise((resolve, reject) => {
        const req = request({ ...base, method, path, headers: { ...auth, ...(body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {}) } }, (res) => {
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
      // A bare TLS stream, not Node's HTTP client: a thousand of these share the machine with
      // the server, so reading them must cost as little as possible. Each event is one JSON
      // line; chunk sizes and headers are lines too and are skipped by the caller's matching.
      let buf = '';
      let readyResolve!: () => void;
      const ready = new Promise<void>((r) => (readyResolve = r));
      const sock = connect({ host: url.hostname, port: Number(url.port), ca: c.caCert, cert: c.clientCert, key: c.clientKey });
      sock.on('secureConnect', () => sock.write(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: application/json\r\n\r\n`));
      sock.on('data', (d: Buffer) => {
        buf += d.toString('latin1');
        if (buf.startsWith('HTTP/1.1 200')) readyResolve();
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          if (buf.charCodeAt(0) === 123 /* { */) onLine(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
        }
      });
      sock.on('error', () => {});
      return { close: () => sock.destroy(), ready };
    },
  };
}
