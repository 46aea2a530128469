// One check against a container, by the means probes and lifecycle hooks share: exec (CRI
// ExecSync), an HTTP GET from the node to the pod, a TCP connect, a gRPC health check. Failures
// are worded as kubelet words them, so `kubectl describe` events read the same.
import { connect } from 'node:net';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { CriClient } from '../cri/index.js';
import { isCriError } from '../cri/index.js';
import type { Container } from '../kube-types.js';
import type { V1HTTPGetAction, V1TCPSocketAction, V1GRPCAction } from '@kubernetes/client-node';
import type { Wire } from '../../lib/client/types.js';
import { grpcHealthCheck } from './grpc-health.js';

export type HttpGetAction = Wire<V1HTTPGetAction>;
export type TcpSocketAction = Wire<V1TCPSocketAction>;
export type GrpcAction = Wire<V1GRPCAction>;

export interface CheckResult {
  ok: boolean;
  output: string;
  /** Exec checks: the command's exit code. */
  exitCode?: number;
}

/** kubelet's User-Agent for probes ("kube-probe/<major>.<minor>"). */
export const PROBE_USER_AGENT = 'kube-probe/1.32';
/** How much of a response body or command output is kept for messages (kubelet: 10 KiB). */
const MAX_OUTPUT = 10 * 1024;

/** A named port resolves through the container's ports. */
export function resolvePort(port: number | string, container: Container): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const p = container.ports?.find((x) => x.name === port);
  if (!p) throw new Error(`couldn't find port: ${port} in ${JSON.stringify(container.ports ?? [])}`);
  return p.containerPort;
}

/** Go's net error wording for connect failures ("connect: connection refused", "i/o timeout"). */
export function dialError(target: string, err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${target}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `dial tcp ${target}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${target}: connect: network is unreachable`;
    case 'ETIMEDOUT':
    case 'ABORT_ERR':
      return `dial tcp ${target}: i/o timeout`;
    default:
      return `dial tcp ${target}: ${err.message}`;
  }
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export async function execCheck(cri: CriClient, containerId: string, command: string[], timeoutSec: number): Promise<CheckResult> {
  try {
    const r = await cri.runtime.execSync(containerId, command, timeoutSec);
    const output = Buffer.concat([r.stdout, r.stderr]).subarray(0, MAX_OUTPUT).toString('utf8');
    return r.exit_code === 0 ? { ok: true, output, exitCode: 0 } : { ok: false, output, exitCode: r.exit_code };
  } catch (err) {
    if (isCriError(err, 'DeadlineExceeded')) return { ok: false, output: `command ${JSON.stringify(command.join(' '))} timed out` };
    throw err;
  }
}

export function tcpCheck(host: string, port: number, timeoutMs: number): Promise<CheckResult> {
  const target = hostPort(host, port);
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ ok: false, output: `dial tcp ${target}: i/o timeout` });
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ ok: true, output: '' });
    });
    sock.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, output: dialError(target, err) });
    });
  });
}

export interface HttpTarget {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  path: string;
  headers: Record<string, string>;
}

export function httpTarget(action: HttpGetAction, container: Container, podIP: string): HttpTarget {
  const headers: Record<string, string> = {};
  for (const h of action.httpHeaders ?? []) headers[h.name] = h.value;
  let path = action.path ?? '';
  if (!path.startsWith('/')) path = '/' + path;
  return {
    scheme: (action.scheme ?? 'HTTP').toLowerCase() === 'https' ? 'https' : 'http',
    host: action.host || podIP,
    port: resolvePort(action.port, container),
    path,
    headers,
  };
}

/** GET as kubelet's prober: 2xx/3xx succeed (redirects are not followed off-host), TLS unverified. */
export function httpCheck(t: HttpTarget, timeoutMs: number): Promise<CheckResult> {
  const url = `${t.scheme}://${hostPort(t.host, t.port)}${t.path}`;
  return new Promise((resolve) => {
    const headers: Record<string, string> = { 'User-Agent': PROBE_USER_AGENT, Accept: '*/*', ...t.headers };
    const opts = { host: t.host, port: t.port, path: t.path, method: 'GET', headers, rejectUnauthorized: false, timeout: timeoutMs };
    const req = (t.scheme === 'https' ? httpsRequest : httpRequest)(opts, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < MAX_OUTPUT) chunks.push(c);
        size += c.length;
      });
      res.on('end', () => {
        clearTimeout(timer);
        const body = Buffer.concat(chunks).subarray(0, MAX_OUTPUT).toString('utf8');
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 400) resolve({ ok: true, output: body });
        else resolve({ ok: false, output: `HTTP probe failed with statuscode: ${code}` });
      });
      res.on('error', () => undefined);
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ ok: false, output: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, output: `Get "${url}": ${dialError(hostPort(t.host, t.port), err)}` });
    });
    req.end();
  });
}

export async function grpcCheck(action: GrpcAction, podIP: string, timeoutMs: number): Promise<CheckResult> {
  return grpcHealthCheck(podIP, action.port, action.service ?? '', timeoutMs);
}
