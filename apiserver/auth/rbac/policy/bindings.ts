// Who holds the default ClusterRoles from the start.
import type { Binding } from '../../../api/kinds/rbac.js';
import { clusterBinding, group, serviceAccount, user } from './build.js';

export function clusterBindings(): Binding[] {
  return [
    clusterBinding('cluster-admin', [group('system:masters')]),
    clusterBinding('system:monitoring', [group('system:monitoring')]),
    clusterBinding('system:discovery', [group('system:authenticated')]),
    clusterBinding('system:basic-user', [group('system:authenticated')]),
    clusterBinding('system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]),
    clusterBinding('system:node-proxier', [user('system:kube-proxy')]),
    clusterBinding('system:kube-controller-manager', [user('system:kube-controller-manager')]),
    clusterBinding('system:kube-dns', [serviceAccount('kube-system', 'kube-dns')]),
    clusterBinding('system:kube-scheduler', [user('system:kube-scheduler')]),
    clusterBinding('system:volume-scheduler', [user('system:kube-scheduler')]),
    // Kept without subjects since nodes are authorized by the Node authorizer (Kubernetes 1.8).
    clusterBinding('system:node', []),
    // Every node agent enforces NetworkPolicies for its pods (node-agent/netpol/).
    clusterBinding('system:k8ts-network-policy', [group('system:nodes')]),
    // Every workload may read the service account issuer's discovery documents.
    clusterBinding('system:service-account-issuer-discovery', [group('system:serviceaccounts')]),
  ];
}
