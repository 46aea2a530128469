// Subresources that reach past the API into nodes and pods: pods/log, exec, attach,
// portforward and proxy, nodes/proxy, services/proxy.
import type { ApiContext } from '../api-context.js';
import { podConnectExtensions } from '../pods/connect.js';
import { KubeletConnector, type KubeletClientConfig } from './kubelet-connection.js';
import { nodeProxyExtensions } from './node-proxy.js';
import { serviceProxyExtensions } from './service-proxy.js';

export type { KubeletClientConfig } from './kubelet-connection.js';

export function connectExtensions(api: ApiContext, kubeletClient: KubeletClientConfig): void {
  const kubelet = new KubeletConnector(api, kubeletClient);
  podConnectExtensions(api, kubelet);
  nodeProxyExtensions(api, kubelet);
  serviceProxyExtensions(api);
}
