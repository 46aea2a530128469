// The ClusterRole the metrics-server manifest (and so k3s) adds: whoever may view, edit or admin
// may also read metrics.k8s.io, so `kubectl top` works for a user bound only to `view`. Made
// with the built-in metrics server, not with the default policy, which holds only what a
// kubeadm cluster has.
import type { KubeObject } from '../api/object.js';
import type { ApiContext } from '../registry/api-context.js';
import { ensureCreated } from '../registry/ensure-created.js';

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
  await ensureCreated(api, 'rbac.authorization.k8s.io', 'clusterroles', metricsReaderRole);
}
