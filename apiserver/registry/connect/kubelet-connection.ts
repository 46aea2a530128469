// How the API server reaches a node's agent (the kubelet's port 10250): an address from
// Node.status.addresses, the port from status.daemonEndpoints.kubeletEndpoint, HTTPS verified
// against the cluster CA, and the API server's own client certificate to be let in.
import { internalError, notFound, unexpectedError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { ApiContext } from '../api-context.js';
import type { ProxyTarget } from '../../../lib/streaming/http-proxy.js';
import { decoded } from '../decoded.js';

export const DEFAULT_KUBELET_PORT = 10250;

/** The certificate the API server presents to agents, and the CA their serving certificates chain to. */
export interface KubeletClientConfig {
  ca: string;
  cert: string;
  key: string;
}

interface NodeLike extends KubeObject {
  status?: {
    addresses?: { type: string; address: string }[];
    daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
  };
}

/** Address types in the order they are tried (k3s' --kubelet-preferred-address-types). */
export const preferredAddressTypes = ['InternalIP', 'ExternalIP', 'Hostname', 'InternalDNS', 'ExternalDNS'];

/** The address to reach a node at, or undefined when it reports none. Pure. */
export function nodeAddress(node: NodeLike): string | undefined {
  const addrs = node.status?.addresses ?? [];
  for (const t of preferredAddressTypes) {
    const a = addrs.find((x) => x.type === t && x.address);
    if (a) return a.address;
  }
  return undefined;
}

export function kubeletPort(node: NodeLike): number {
  const p = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  return p && p > 0 ? p : DEFAULT_KUBELET_PORT;
}

export class KubeletConnector {
  constructor(private readonly api: ApiContext, readonly tls: KubeletClientConfig) {}

  /** The node object; NotFound as the API reports it. */
  node(name: string): NodeLike {
    return decoded(this.api.storeFor('', 'nodes').get('', name)) as NodeLike;
  }

  /** https://<address>:<kubelet port><pathAndQuery> on the named node, with client TLS. */
  target(nodeName: string, pathAndQuery: string): ProxyTarget {
    let node: NodeLike;
    try {
      node = this.node(nodeName);
    } catch {
      throw notFound({ group: '', resource: 'nodes' }, nodeName);
    }
    const address = nodeAddress(node);
    if (!address) {
      const known = (node.status?.addresses ?? []).map((a) => `{${a.type} ${a.address}}`).join(' ');
      throw unexpectedError(`no preferred addresses found; known addresses: [${known}]`);
    }
    const host = address.includes(':') ? `[${address}]` : address;
    try {
      return { url: new URL(`https://${host}:${kubeletPort(node)}${pathAndQuery}`), tls: { ...this.tls } };
    } catch (err) {
      throw internalError(err);
    }
  }
}
