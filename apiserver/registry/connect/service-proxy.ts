// services/proxy: `/api/v1/namespaces/<ns>/services/[scheme:]<name>[:port]/proxy/<path>` to one
// ready endpoint of the service (the port named or numbered, else the service's only port).
import { badRequest, serviceUnavailable } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { ApiContext } from '../api-context.js';
import type { Connection, RestRequest } from '../subresource.js';
import { decoded } from '../decoded.js';
import { forwardCall } from './proxy-call.js';
import { proxyPath, splitSchemeNamePort } from './scheme-name-port.js';

interface ServiceLike extends KubeObject {
  spec?: { ports?: { name?: string; port: number }[] };
}

interface EndpointsLike extends KubeObject {
  subsets?: { addresses?: { ip: string }[]; ports?: { name?: string; port: number }[] }[];
}

/**
 * Where to send a services/proxy request, as Kubernetes picks it: a port number names the
 * service port with that number, a name (or nothing) must equal an endpoint port's name. Pure.
 */
export function endpointsFor(svc: ServiceLike, eps: EndpointsLike, id: { name: string; port: string }, rawId: string): { ip: string; port: number }[] {
  let portName = id.port;
  if (/^[+-]?\d+$/.test(portName)) {
    const byNumber = (svc.spec?.ports ?? []).find((p) => p.port === Number(portName));
    if (!byNumber) throw serviceUnavailable(`no service port ${Number(portName)} found for service ${JSON.stringify(id.name)}`);
    portName = byNumber.name ?? '';
  }
  const subsets = eps.subsets ?? [];
  if (subsets.length === 0) throw serviceUnavailable(`no endpoints available for service ${JSON.stringify(id.name)}`);
  const out: { ip: string; port: number }[] = [];
  for (const ss of subsets) {
    const p = (ss.ports ?? []).find((x) => (x.name ?? '') === portName);
    if (!p) continue;
    for (const a of ss.addresses ?? []) out.push({ ip: a.ip, port: p.port });
  }
  if (!out.length) throw serviceUnavailable(`no endpoints available for service ${JSON.stringify(rawId)}`);
  return out;
}

async function serveServiceProxy(api: ApiContext, req: RestRequest, conn: Connection): Promise<void> {
  const id = splitSchemeNamePort(req.name);
  if (!id) throw badRequest(`invalid service request ${JSON.stringify(req.name)}`);
  const ns = req.namespace;
  const svc = decoded(api.storeFor('', 'services').get(ns, id.name)) as ServiceLike;
  const eps = decoded(api.storeFor('', 'endpoints').get(ns, id.name)) as EndpointsLike;
  const candidates = endpointsFor(svc, eps, id, req.name);
  const pick = candidates[Math.floor(Math.random() * candidates.length)];
  const host = pick.ip.includes(':') ? `[${pick.ip}]` : pick.ip;
  const url = new URL(`${id.scheme || 'http'}://${host}:${pick.port}`);
  url.pathname = proxyPath(conn.url.pathname) || '/';
  url.search = conn.url.search;
  await forwardCall(conn, { url, tls: { rejectUnauthorized: false } });
}

export function serviceProxyExtensions(api: ApiContext): void {
  api.extend('', 'services', {
    subresources: [{ name: 'proxy', kind: 'ServiceProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'], connect: (req, conn) => serveServiceProxy(api, req, conn) }],
  });
}
