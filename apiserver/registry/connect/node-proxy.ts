// nodes/proxy: `/api/v1/nodes/<node>[:port]/proxy/<path>` to the node's agent (HTTPS, with the
// API server's client certificate), or to another port on the node's address over plain HTTP.
import { badRequest } from '../../api/errors.js';
import type { ApiContext, ResourceCall } from '../../http/api-context.js';
import { forwardCall } from './proxy-call.js';
import { kubeletPort, nodeAddress, type KubeletConnector } from './kubelet-connection.js';
import { proxyPath, splitSchemeNamePort } from './scheme-name-port.js';

async function serveNodeProxy(kubelet: KubeletConnector, call: ResourceCall): Promise<void> {
  const id = splitSchemeNamePort(call.info.name);
  if (!id) throw badRequest(`invalid node request ${JSON.stringify(call.info.name)}`);
  const rest = `${proxyPath(call.url.pathname) || '/'}${call.url.search}`;
  const node = kubelet.node(id.name);
  if (!id.port || Number(id.port) === kubeletPort(node)) {
    await forwardCall(call, kubelet.target(id.name, rest));
    return;
  }
  const address = nodeAddress(node) ?? '';
  const host = address.includes(':') ? `[${address}]` : address;
  await forwardCall(call, { url: new URL(`${id.scheme || 'http'}://${host}:${id.port}${rest}`), tls: { rejectUnauthorized: false } });
}

export function nodeProxyExtensions(api: ApiContext, kubelet: KubeletConnector): void {
  api.extend('', 'nodes', {
    subresources: [{ name: 'proxy', kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'], handle: (call) => serveNodeProxy(kubelet, call) }],
  });
}
