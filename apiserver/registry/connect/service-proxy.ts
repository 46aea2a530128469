// services/proxy: `/api/v1/namespaces/<ns>/services/[scheme:]<name>[:port]/proxy/<path>` to one
// ready endpoint of the service (the port named or numbered, else the service's only port).
import { badRequest, serviceUnavailable } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { ApiContext, ResourceCall } from '../../http/api-context.js';
import { decoded } from '../decoded.js';
import { forwardCall } from './proxy-call.js';
import { proxyPath, splitSchemeNamePort } from './scheme-name-port.js';

interface ServiceLike extends KubeObject {
  spec?: { ports?: { name?: string; port: number }[] };
}

interface EndpointsLike extends KubeObject {
  subsets?: { addresses?: { ip: string }[]; ports?: { name?: string; port: number }[] }[];
}

/** Candidate ip:port pairs for a service port name; exported for tests. Pure. */
export function endpointsFor(svc: ServiceLike, eps: EndpointsLike | undefined, portReq: string): { ip: string; port: number }[] {
  const ports = svc.spec?.ports ?? [];
  // A number may name the service port by number; the endpoint port is found by the port's name.
  const svcPort = ports.find((p) => (p.name ?? '') === portReq) ?? ports.find((p) => String(p.port) === portReq) ?? (portReq === '' && ports.length === 1 ? ports[0] : undefined);
  if (!svcPort) return [];
  const wanted = svcPort.name ?? '';
  const out: { ip: string; port: number }[] = [];
  for (const ss of eps?.subsets ?? []) {
    const p = (ss.ports ?? []).find((x) => (x.name ?? '') === wanted);
    if (!p) continue;
    for (const a of ss.addresses ?? []) out.push({ ip: a.ip, port: p.port });
  }
  return out;
}

async function serveServiceProxy(api: ApiContext, call: ResourceCall): Promise<void> {
  const id = splitSchemeNamePort(call.info.name);
  if (!id) throw badRequest(`invalid service request ${JSON.stringify(call.info.name)}`);
  const ns = call.info.namespace;
  const svc = decoded(api.storeFor('', 'services').get(ns, id.name)) as ServiceLike;
  let eps: EndpointsLike | undefined;
  try {
    eps = decoded(api.storeFor('', 'endpoints').get(ns, id.name)) as EndpointsLike;
  } catch {
    eps = undefined;
  }
  const candidates = endpointsFor(svc, eps, id.port);
  if (!candidates.length) throw serviceUnavailable(`no endpoints available for service ${JSON.stringify(id.name)}`);
  const pick = candidates[Math.floor(Math.random() * candidates.length)];
  const host = pick.ip.includes(':') ? `[${pick.ip}]` : pick.ip;
  const url = new URL(`${id.scheme || 'http'}://${host}:${pick.port}`);
  url.pathname = proxyPath(call.url.pathname) || '/';
  url.search = call.url.search;
  await forwardCall(call, { url, tls: { rejectUnauthorized: false } });
}

export function serviceProxyExtensions(api: ApiContext): void {
  api.extend('', 'services', {
    subresources: [{ name: 'proxy', kind: 'ServiceProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'], handle: (call) => serveServiceProxy(api, call) }],
  });
}
