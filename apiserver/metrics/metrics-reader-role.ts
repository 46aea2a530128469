// The ClusterRole the metrics-server manifest (and so k3s) adds: whoever may view, edit or admin
// may also read metrics.k8s.io, so `kubectl top` works for a user bound only to `view`. Made
// with the built-in metrics server, not with the default policy, which holds only what a
// kubeadm cluster has.
import { isStatusError } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import type { ApiContext } from '../registry/api-context.js';
import { systemUser } from '../registry/context.js';

export const metricsReaderRole: KubeObject = {
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole',
  metadata: {
    name: 'system:aggregated-metrics-reader',
    labels: {
      'rbac.authorization.k8s.io/aggregate-to-view': 'true',
      'rbac.authorization.k8s.io/aggregate-to-edit': 'true',
      'rbac.authorization.k8s.io/aggregate-to-admin': 'true',
    },
  },
  rules: [{ apiGroups: ['metrics.k8s.io'], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] }],
} as KubeObject;

export async function ensureMetricsReaderRole(api: ApiContext): Promise<void> {
  try {
    await api.storeFor('rbac.authorization.k8s.io', 'clusterroles').create('', structuredClone(metricsReaderRole), { user: systemUser, namespace: '', dryRun: false });
  } catch (err) {
    if (!isStatusError(err, 'AlreadyExists')) throw err;
  }
}
