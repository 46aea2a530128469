// nodes/proxy: `/api/v1/nodes/<node>[:port]/proxy/<path>` to the node's agent (HTTPS, with the
// API server's client certificate), or to another port on the node's address over plain HTTP.
import { badRequest } from '../../api/errors.js';
import type { ApiContext } from '../api-context.js';
import type { Connection, RestRequest } from '../subresource.js';
import { forwardCall } from './proxy-call.js';
import { kubeletPort, nodeAddress, type KubeletConnector } from './kubelet-connection.js';
import { proxyPath, splitSchemeNamePort } from './scheme-name-port.js';

async function serveNodeProxy(kubelet: KubeletConnector, req: RestRequest, conn: Connection): Promise<void> {
  const id = splitSchemeNamePort(req.name);
  if (!id) throw badRequest(`invalid node request ${JSON.stringify(req.name)}`);
  const rest = `${proxyPath(conn.url.pathname) || '/'}${conn.url.search}`;
  const node = kubelet.node(id.name);
  if (!id.port || Number(id.port) === kubeletPort(node)) {
    await forwardCall(conn, kubelet.target(id.name, rest));
    return;
  }
  const address = nodeAddress(node) ?? '';
  const host = address.includes(':') ? `[${address}]` : address;
  await forwardCall(conn, { url: new URL(`${id.scheme || 'http'}://${host}:${id.port}${rest}`), tls: { rejectUnauthorized: false } });
}

export function nodeProxyExtensions(api: ApiContext, kubelet: KubeletConnector): void {
  api.extend('', 'nodes', {
    subresources: [{ name: 'proxy', kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'], connect: (req, conn) => serveNodeProxy(kubelet, req, conn) }],
  });
}
