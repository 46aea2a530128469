// Wires per-resource behaviour that needs server state: allocators, graceful deletion,
// custom subresources and non-stored resources.
import type { ApiContext } from './registry/api-context.js';
import { ServiceAllocation } from './registry/allocators/service-allocation.js';
import { decoded } from './registry/decoded.js';
import { podExtensions } from './registry/pods/extensions.js';
import { evictionExtensions } from './registry/pods/eviction.js';
import { namespaceExtensions } from './registry/namespaces/extensions.js';
import { componentStatusExtensions } from './registry/kinds/component-statuses.js';
import { csrApprovalExtensions } from './registry/kinds/csr-approval.js';
import { localAPIServiceExtensions } from './registry/kinds/local-apiservices.js';
import { reviewExtensions } from './auth/reviews.js';
import type { Authenticator } from './auth/authenticate.js';
import type { Authorizer } from './auth/authorize.js';
import { connectExtensions, type KubeletClientConfig } from './registry/connect/index.js';
import { resourceMetricsExtensions } from './registry/kinds/resource-metrics.js';
import { MetricsStorage } from './metrics/metrics-storage.js';

export interface ExtensionOptions {
  serviceCIDR: string;
  nodePortRange: [number, number];
  authn: Authenticator;
  authz: Authorizer;
  /** How the API server authenticates to node agents (logs, exec, attach, port-forward, node proxy). */
  kubeletClient: KubeletClientConfig;
}

export function installExtensions(api: ApiContext, opts: ExtensionOptions): void {
  const services = new ServiceAllocation(opts.serviceCIDR, opts.nodePortRange);
  for (const kv of api.store.list('/core/services/').items) services.restore(decoded(kv));
  api.extend('', 'services', { hooks: services.hooks() });
  componentStatusExtensions(api);
  csrApprovalExtensions(api);
  localAPIServiceExtensions(api);
  podExtensions(api);
  evictionExtensions(api);
  namespaceExtensions(api);
  reviewExtensions(api, opts.authn, opts.authz);
  connectExtensions(api, opts.kubeletClient);
  // Empty until the metrics-server component (optional) takes over with scraped figures.
  resourceMetricsExtensions(api, new MetricsStorage(0));
}
