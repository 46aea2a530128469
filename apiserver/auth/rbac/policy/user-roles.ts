// The roles meant for people: cluster-admin, and admin/edit/view, which are made of whatever
// ClusterRoles carry their aggregate-to labels (the system:aggregate-to-* roles below, and any
// a user or an add-on labels so). Rules as Kubernetes 1.32 ships them with its default features.
import type { Role } from '../../../api/kinds/rbac.js';
import { allow, allowURLs, clusterRole, read, readWrite, write } from './build.js';

export const aggregateToAdmin = 'rbac.authorization.k8s.io/aggregate-to-admin';
export const aggregateToEdit = 'rbac.authorization.k8s.io/aggregate-to-edit';
export const aggregateToView = 'rbac.authorization.k8s.io/aggregate-to-view';

const yes = (label: string) => ({ [label]: 'true' });

export function userRoles(): Role[] {
  return [
    clusterRole('cluster-admin', [allow(['*'], '*', ['*']), allowURLs(['*'], ['*'])]),
    // admin is edit and more (roles and bindings); edit is view and writes; view reads what
    // does not let one escalate (no secrets).
    clusterRole('admin', [], { aggregateFrom: aggregateToAdmin }),
    clusterRole('edit', [], { aggregateFrom: aggregateToEdit, labels: yes(aggregateToAdmin) }),
    clusterRole('view', [], { aggregateFrom: aggregateToView, labels: yes(aggregateToEdit) }),
    clusterRole('system:aggregate-to-admin', [
      allow(['create'], 'authorization.k8s.io', ['localsubjectaccessreviews']),
      allow(readWrite, 'rbac.authorization.k8s.io', ['roles', 'rolebindings']),
    ], { labels: yes(aggregateToAdmin) }),
    clusterRole('system:aggregate-to-edit', [
      // Reading these lets one act as (or read the credentials of) others: edit, not view.
      allow(read, '', ['pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward', 'secrets', 'services/proxy']),
      allow(['impersonate'], '', ['serviceaccounts']),
      allow(write, '', ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward']),
      allow(['create'], '', ['pods/eviction']),
      allow(write, '', ['replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/proxy',
        'persistentvolumeclaims', 'configmaps', 'secrets']),
      allow(['create'], '', ['serviceaccounts/token']),
      allow(write, ['', 'events.k8s.io'], ['events']),
      allow(write, 'apps', ['statefulsets', 'statefulsets/scale', 'daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback',
        'replicasets', 'replicasets/scale']),
      allow(write, 'autoscaling', ['horizontalpodautoscalers']),
      allow(write, 'batch', ['jobs', 'cronjobs']),
      allow(write, 'extensions', ['daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'ingresses', 'replicasets',
        'replicasets/scale', 'replicationcontrollers/scale', 'networkpolicies']),
      allow(write, 'policy', ['poddisruptionbudgets']),
      allow(write, 'networking.k8s.io', ['networkpolicies', 'ingresses']),
      allow(readWrite, 'coordination.k8s.io', ['leases']),
    ], { labels: yes(aggregateToEdit) }),
    clusterRole('system:aggregate-to-view', [
      allow(read, '', ['pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status',
        'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'configmaps']),
      allow(read, '', ['limitranges', 'resourcequotas', 'bindings', 'pods/status', 'resourcequotas/status', 'namespaces/status',
        'replicationcontrollers/status', 'pods/log']),
      // Reading namespaces in a namespace's scope means reading that one: who may see which.
      allow(read, '', ['namespaces']),
      allow(read, ['', 'events.k8s.io'], ['events']),
      allow(read, 'discovery.k8s.io', ['endpointslices']),
      allow(read, 'apps', ['controllerrevisions', 'statefulsets', 'statefulsets/status', 'statefulsets/scale', 'daemonsets',
        'daemonsets/status', 'deployments', 'deployments/status', 'deployments/scale', 'replicasets', 'replicasets/status', 'replicasets/scale']),
      allow(read, 'autoscaling', ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
      allow(read, 'batch', ['jobs', 'jobs/status', 'cronjobs', 'cronjobs/status']),
      allow(read, 'extensions', ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses',
        'ingresses/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale', 'networkpolicies']),
      allow(read, 'policy', ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
      allow(read, 'networking.k8s.io', ['ingresses', 'ingresses/status', 'networkpolicies']),
    ], { labels: yes(aggregateToView) }),
  ];
}
