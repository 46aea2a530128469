// The pod subresources that reach into the node: log, exec, attach, portforward (through the
// pod's node agent) and proxy (straight to the pod IP), as pkg/registry/core/pod/rest does.
// The API checks what it can (pod, container, node); the agent serves the rest.
import type { IncomingMessage } from 'node:http';
import { badRequest, genericServerResponse, internalError, unexpectedError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { ApiContext } from '../api-context.js';
import type { Connection, RestRequest, SubresourceDef } from '../subresource.js';
import { fetchUpstream, readLimited } from '../../../lib/streaming/http-proxy.js';
import { decoded } from '../decoded.js';
import { forwardCall } from '../connect/proxy-call.js';
import { dialErrorText, hostPortOf } from '../connect/dial-errors.js';
import type { KubeletConnector } from '../connect/kubelet-connection.js';
import { proxyPath, splitSchemeNamePort } from '../connect/scheme-name-port.js';
import { containerLogsQuery, podLogOptions, podStreamOptions, portForwardQuery, streamQuery } from './connect-options.js';

interface PodLike extends KubeObject {
  spec?: {
    nodeName?: string;
    containers?: { name: string; ports?: { containerPort: number }[] }[];
    initContainers?: { name: string }[];
    ephemeralContainers?: { name: string }[];
  };
  status?: { podIPs?: { ip: string }[]; podIP?: string };
}

const podsLog = { group: '', resource: 'pods/log' };

function getPod(api: ApiContext, namespace: string, name: string): PodLike {
  return decoded(api.storeFor('', 'pods').get(namespace, name)) as PodLike;
}

/** The container a request means: the one named (it must exist) or the pod's only one. */
export function resolveContainer(container: string, pod: PodLike): string {
  const spec = pod.spec ?? {};
  // Kubernetes lists them init containers first, then regular, then ephemeral ones.
  const all = [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])].map((c) => c.name);
  const name = pod.metadata.name ?? '';
  if (container) {
    if (!all.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
    return container;
  }
  const regular = spec.containers ?? [];
  if (regular.length === 1) return regular[0].name;
  if (regular.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
  throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${all.join(' ')}]`);
}

function nodeOf(pod: PodLike): string {
  const node = pod.spec?.nodeName;
  if (!node) throw badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
  return node;
}

const enc = encodeURIComponent;

async function serveLog(api: ApiContext, kubelet: KubeletConnector, req: RestRequest, conn: Connection): Promise<void> {
  const { namespace, name } = req;
  const opts = podLogOptions(req.options, name);
  const pod = getPod(api, namespace, name);
  const container = resolveContainer(opts.container, pod);
  const node = pod.spec?.nodeName;
  if (!node) {
    // Not scheduled yet: there is no log, and that is not an error (an empty stream).
    conn.res.writeHead(200, { 'Content-Type': 'text/plain' });
    conn.res.end();
    return;
  }
  const target = kubelet.target(node, `/containerLogs/${enc(namespace)}/${enc(name)}/${enc(container)}${containerLogsQuery(opts)}`);
  if (opts.insecureSkipTLSVerifyBackend) target.tls = { ...target.tls, rejectUnauthorized: false };
  const abort = new AbortController();
  conn.res.once('close', () => abort.abort());
  let answer: IncomingMessage;
  try {
    answer = await fetchUpstream(target, 'GET', {}, abort.signal);
  } catch (err) {
    throw unexpectedError(`Get ${JSON.stringify(target.url.toString())}: ${dialErrorText(err, hostPortOf(target.url))}`);
  }
  const code = answer.statusCode ?? 500;
  if (code < 200 || code > 206) {
    const text = (await readLimited(answer, 50_000)).toString();
    if (code === 500) throw internalError(new Error(text));
    if (code === 400) throw badRequest(text);
    throw genericServerResponse(code, '', podsLog, name, text);
  }
  conn.res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
  // A follow must reach the client line by line.
  if (opts.follow) conn.res.flushHeaders();
  await new Promise<void>((resolve) => {
    answer.pipe(conn.res);
    answer.once('end', resolve);
    answer.on('error', () => {
      conn.res.destroy();
      resolve();
    });
    conn.res.once('close', resolve);
  });
}

async function serveStream(api: ApiContext, kubelet: KubeletConnector, req: RestRequest, conn: Connection, kind: 'exec' | 'attach'): Promise<void> {
  const { namespace, name } = req;
  const opts = podStreamOptions(req.options);
  const pod = getPod(api, namespace, name);
  const container = resolveContainer(opts.container, pod);
  const node = nodeOf(pod);
  const target = kubelet.target(node, `/${kind}/${enc(namespace)}/${enc(name)}/${enc(container)}${streamQuery(opts, kind === 'exec')}`);
  await forwardCall(conn, target);
}

async function servePortForward(api: ApiContext, kubelet: KubeletConnector, req: RestRequest, conn: Connection): Promise<void> {
  const { namespace, name } = req;
  const query = portForwardQuery(req.options);
  const pod = getPod(api, namespace, name);
  const node = nodeOf(pod);
  await forwardCall(conn, kubelet.target(node, `/portForward/${enc(namespace)}/${enc(name)}${query}`));
}

/** pods/proxy: `name`, `name:port` or `scheme:name:port`, to the pod's IP; the first declared port by default. */
async function serveProxy(api: ApiContext, req: RestRequest, conn: Connection): Promise<void> {
  const id = splitSchemeNamePort(req.name);
  if (!id) throw badRequest(`invalid pod request ${JSON.stringify(req.name)}`);
  const pod = getPod(api, req.namespace, id.name);
  let port = id.port;
  if (!port) port = String(pod.spec?.containers?.find((c) => c.ports?.length)?.ports?.[0].containerPort ?? '');
  const ip = pod.status?.podIPs?.[0]?.ip ?? '';
  if (!isGlobalUnicast(ip)) throw badRequest('address not allowed');
  const host = ip.includes(':') ? `[${ip}]` : ip;
  const url = new URL(`${id.scheme || 'http'}://${host}${port ? `:${port}` : ''}`);
  url.pathname = proxyPath(conn.url.pathname) || '/';
  url.search = conn.url.search;
  await forwardCall(conn, { url, tls: { rejectUnauthorized: false } });
}

/** Whether an address may be proxied to (Go's IP.IsGlobalUnicast: not loopback, link-local, multicast or unspecified). */
export function isGlobalUnicast(ip: string): boolean {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(ip)) {
    const [a, b] = ip.split('.').map(Number);
    return !(a === 0 || a === 127 || (a === 169 && b === 254) || a >= 224);
  }
  if (ip.includes(':')) {
    const l = ip.toLowerCase();
    return !(l === '::' || l === '::1' || l.startsWith('fe80:') || l.startsWith('ff'));
  }
  return false;
}

export function podConnectExtensions(api: ApiContext, kubelet: KubeletConnector): void {
  const subresources: SubresourceDef[] = [
    { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'], connect: (req, conn) => serveStream(api, kubelet, req, conn, 'attach') },
    { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'], connect: (req, conn) => serveStream(api, kubelet, req, conn, 'exec') },
    { name: 'log', kind: 'Pod', verbs: ['get'], connect: (req, conn) => serveLog(api, kubelet, req, conn) },
    { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'], connect: (req, conn) => servePortForward(api, kubelet, req, conn) },
    { name: 'proxy', kind: 'PodProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'], connect: (req, conn) => serveProxy(api, req, conn) },
  ];
  api.extend('', 'pods', { subresources });
}

