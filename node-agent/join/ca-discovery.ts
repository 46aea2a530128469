// The first step of joining: fetch the server's CA from /cacerts without trusting anything yet,
// and accept it only if its hash is the one the token pins (kubeadm's discovery-token CA hash,
// k3s' K10 prefix). Nothing else is sent before this check passes.
import { request } from 'node:https';
import { caHash } from '../../lib/bootstrap-token.js';
import { JoinError } from './join-error.js';

export interface DiscoveredCA {
  pem: string;
  /** Server clock minus ours, in ms, from its Date header (0 when it sent none). */
  skewMs: number;
}

function fetchCacerts(server: string, timeoutMs: number): Promise<{ body: string; date?: string; status: number }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL('/cacerts', server), { rejectUnauthorized: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ body, date: res.headers.date, status: res.statusCode ?? 0 }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end();
  });
}

export async function discoverCA(server: string, expectedHash: string, timeoutMs = 10_000): Promise<DiscoveredCA> {
  let r;
  try {
    r = await fetchCacerts(server, timeoutMs);
  } catch (err) {
    throw new JoinError(`cannot reach the server at ${server}: ${(err as Error).message}. Check --server (https://HOST:6443), that the server runs, and that this host can reach its port.`);
  }
  if (r.status !== 200 || !r.body.includes('BEGIN CERTIFICATE')) {
    throw new JoinError(`${server} did not answer /cacerts with a CA certificate (HTTP ${r.status}): is it a k8ts server?`);
  }
  const got = caHash(r.body);
  if (got !== expectedHash) {
    throw new JoinError(`the server's CA does not match the token: its hash is ${got}, the token expects ${expectedHash}. The token is for another cluster, or something between this host and ${server} is not the server. Nothing was sent.`);
  }
  const serverTime = r.date ? Date.parse(r.date) : NaN;
  return { pem: r.body, skewMs: Number.isFinite(serverTime) ? serverTime - Date.now() : 0 };
}
