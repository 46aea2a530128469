// One ClusterRole per kube-controller-manager controller, system:controller:<name>, each bound
// to the service account kube-system/<name> that controller acts as when the controller manager
// runs with --use-service-account-credentials. Kubernetes 1.32's set with its default features
// (k8ts runs some of these controllers, not all; the roles are there as on any cluster).
import type { Binding, PolicyRule, Role } from '../../../api/kinds/rbac.js';
import { allow, clusterBinding, clusterRole, eventsRule, read, serviceAccount } from './build.js';

export const controllerRolePrefix = 'system:controller:';

const core = '';
const apps = 'apps';
const ext = 'extensions';
const batch = 'batch';
const storage = 'storage.k8s.io';
const certificates = 'certificates.k8s.io';
const appsAndExt = [apps, ext];

/** Each controller's rules, by the name of its service account. */
function controllerRules(): Array<[string, PolicyRule[]]> {
  return [
    ['attachdetach-controller', [
      allow(['list', 'watch'], core, ['persistentvolumes', 'persistentvolumeclaims']),
      allow(read, core, ['nodes']),
      allow(['patch', 'update'], core, ['nodes/status']),
      allow(['list', 'watch'], core, ['pods']),
      eventsRule(),
      allow(['get', 'create', 'delete', 'list', 'watch'], storage, ['volumeattachments']),
      allow(read, storage, ['csidrivers']),
      allow(read, storage, ['csinodes']),
    ]],
    // Must be able to write any rule into a ClusterRole, hence escalate.
    ['clusterrole-aggregation-controller', [allow(['escalate', 'get', 'list', 'watch', 'update', 'patch'], 'rbac.authorization.k8s.io', ['clusterroles'])]],
    ['cronjob-controller', [
      allow([...read, 'update'], batch, ['cronjobs']),
      allow([...read, 'create', 'update', 'delete', 'patch'], batch, ['jobs']),
      allow(['update'], batch, ['cronjobs/status']),
      allow(['update'], batch, ['cronjobs/finalizers']),
      allow(['list', 'delete'], core, ['pods']),
      eventsRule(),
    ]],
    ['daemon-set-controller', [
      allow(read, appsAndExt, ['daemonsets']),
      allow(['update'], appsAndExt, ['daemonsets/status']),
      allow(['update'], appsAndExt, ['daemonsets/finalizers']),
      allow(['list', 'watch'], core, ['nodes']),
      allow(['list', 'watch', 'create', 'delete', 'patch'], core, ['pods']),
      allow(['create'], core, ['pods/binding']),
      allow([...read, 'create', 'delete', 'update', 'patch'], apps, ['controllerrevisions']),
      eventsRule(),
    ]],
    ['deployment-controller', [
      allow([...read, 'update'], appsAndExt, ['deployments']),
      allow(['update'], appsAndExt, ['deployments/status']),
      allow(['update'], appsAndExt, ['deployments/finalizers']),
      allow([...read, 'create', 'update', 'patch', 'delete'], appsAndExt, ['replicasets']),
      allow([...read, 'update'], core, ['pods']),
      eventsRule(),
    ]],
    ['disruption-controller', [
      allow(read, appsAndExt, ['deployments']),
      allow(read, appsAndExt, ['replicasets']),
      allow(read, core, ['replicationcontrollers']),
      allow(read, 'policy', ['poddisruptionbudgets']),
      allow(read, apps, ['statefulsets']),
      allow(['update'], 'policy', ['poddisruptionbudgets/status']),
      allow(['get'], '*', ['*/scale']),
      eventsRule(),
    ]],
    ['endpoint-controller', [
      allow(read, core, ['services', 'pods']),
      allow(['get', 'list', 'create', 'update', 'delete'], core, ['endpoints']),
      allow(['create'], core, ['endpoints/restricted']),
      eventsRule(),
    ]],
    ['endpointslice-controller', [
      allow(read, core, ['services', 'pods', 'nodes']),
      // Owner references with blockOwnerDeletion on a Service need its finalizers.
      allow(['update'], core, ['services/finalizers']),
      allow(['get', 'list', 'create', 'update', 'delete'], 'discovery.k8s.io', ['endpointslices']),
      eventsRule(),
    ]],
    ['endpointslicemirroring-controller', [
      allow(read, core, ['services', 'endpoints']),
      allow(['update'], core, ['services/finalizers']),
      allow(['update'], core, ['endpoints/finalizers']),
      allow(['get', 'list', 'create', 'update', 'delete'], 'discovery.k8s.io', ['endpointslices']),
      eventsRule(),
    ]],
    ['expand-controller', [
      allow([...read, 'update', 'patch'], core, ['persistentvolumes']),
      allow(['update', 'patch'], core, ['persistentvolumeclaims/status']),
      allow(read, core, ['persistentvolumeclaims']),
      allow(read, storage, ['storageclasses']),
      allow(['get'], core, ['services', 'endpoints']),
      allow(['get'], core, ['secrets']),
      eventsRule(),
    ]],
    ['ephemeral-volume-controller', [
      allow(read, core, ['pods']),
      allow(['update'], core, ['pods/finalizers']),
      allow([...read, 'create'], core, ['persistentvolumeclaims']),
      eventsRule(),
    ]],
    // Owner references can point at anything.
    ['generic-garbage-collector', [allow([...read, 'patch', 'update', 'delete'], '*', ['*']), eventsRule()]],
    ['horizontal-pod-autoscaler', [
      allow(read, 'autoscaling', ['horizontalpodautoscalers']),
      allow(['update'], 'autoscaling', ['horizontalpodautoscalers/status']),
      allow(['get', 'update'], '*', ['*/scale']),
      allow(['list'], core, ['pods']),
      allow(['get'], core, ['services/proxy'], ['https:heapster:', 'http:heapster:']),
      allow(['list'], 'metrics.k8s.io', ['pods']),
      allow(['get', 'list'], 'custom.metrics.k8s.io', ['*']),
      allow(['get', 'list'], 'external.metrics.k8s.io', ['*']),
      eventsRule(),
    ]],
    ['job-controller', [
      allow([...read, 'update', 'patch'], batch, ['jobs']),
      allow(['update'], batch, ['jobs/status']),
      allow(['update'], batch, ['jobs/finalizers']),
      allow(['list', 'watch', 'create', 'delete', 'patch'], core, ['pods']),
      eventsRule(),
    ]],
    ['legacy-service-account-token-cleaner', [
      allow(['get'], core, ['configmaps'], ['kube-apiserver-legacy-service-account-token-tracking']),
      allow(['patch', 'delete'], core, ['secrets']),
    ]],
    // Deleting a namespace's content means reaching every kind in it.
    ['namespace-controller', [
      allow([...read, 'delete'], core, ['namespaces']),
      allow(['update'], core, ['namespaces/finalize', 'namespaces/status']),
      allow(['get', 'list', 'delete', 'deletecollection'], '*', ['*']),
    ]],
    ['node-controller', [
      allow(['get', 'list', 'update', 'delete', 'patch'], core, ['nodes']),
      allow(['patch', 'update'], core, ['nodes/status']),
      allow(['update'], core, ['pods/status']),
      allow(['list', 'delete'], core, ['pods']),
      eventsRule(),
      // The DisruptionTarget condition set before an eviction.
      allow(['get'], core, ['pods']),
      allow(['patch'], core, ['pods/status']),
    ]],
    ['persistent-volume-binder', [
      allow([...read, 'update', 'create', 'delete'], core, ['persistentvolumes']),
      allow(['update'], core, ['persistentvolumes/status']),
      allow([...read, 'update'], core, ['persistentvolumeclaims']),
      allow(['update'], core, ['persistentvolumeclaims/status']),
      allow([...read, 'create', 'delete'], core, ['pods']),
      allow(read, storage, ['storageclasses']),
      allow(['get', 'create', 'update', 'delete'], core, ['endpoints']),
      allow(['get', 'create', 'delete'], core, ['services']),
      allow(['get'], core, ['secrets']),
      allow(['get', 'list'], core, ['nodes']),
      allow(['watch'], core, ['events']),
      eventsRule(),
    ]],
    ['pod-garbage-collector', [
      allow(['list', 'watch', 'delete'], core, ['pods']),
      allow(['get', 'list'], core, ['nodes']),
      allow(['patch'], core, ['pods/status']),
    ]],
    ['replicaset-controller', [
      allow([...read, 'update'], appsAndExt, ['replicasets']),
      allow(['update'], appsAndExt, ['replicasets/status']),
      allow(['update'], appsAndExt, ['replicasets/finalizers']),
      allow(['list', 'watch', 'patch', 'create', 'delete'], core, ['pods']),
      eventsRule(),
    ]],
    ['replication-controller', [
      allow([...read, 'update'], core, ['replicationcontrollers']),
      allow(['update'], core, ['replicationcontrollers/status']),
      allow(['update'], core, ['replicationcontrollers/finalizers']),
      allow(['list', 'watch', 'patch', 'create', 'delete'], core, ['pods']),
      eventsRule(),
    ]],
    // Quota can count anything.
    ['resourcequota-controller', [
      allow(['list', 'watch'], '*', ['*']),
      allow(['update'], core, ['resourcequotas/status']),
      eventsRule(),
    ]],
    ['route-controller', [allow(['list', 'watch'], core, ['nodes']), allow(['patch'], core, ['nodes/status']), eventsRule()]],
    ['service-account-controller', [allow(['create'], core, ['serviceaccounts']), eventsRule()]],
    ['service-controller', [
      allow(read, core, ['services']),
      allow(['patch', 'update'], core, ['services/status']),
      allow(['list', 'watch'], core, ['nodes']),
      eventsRule(),
    ]],
    ['statefulset-controller', [
      allow(['list', 'watch'], core, ['pods']),
      allow(read, apps, ['statefulsets']),
      allow(['update'], apps, ['statefulsets/status']),
      allow(['update'], apps, ['statefulsets/finalizers']),
      allow(['get', 'create', 'delete', 'update', 'patch'], core, ['pods']),
      allow([...read, 'create', 'delete', 'update', 'patch'], apps, ['controllerrevisions']),
      allow(['get', 'create'], core, ['persistentvolumeclaims']),
      eventsRule(),
      // persistentVolumeClaimRetentionPolicy sets owner references on claims.
      allow(['update'], core, ['persistentvolumeclaims']),
    ]],
    ['ttl-controller', [allow(['update', 'patch', 'list', 'watch'], core, ['nodes']), eventsRule()]],
    ['certificate-controller', [
      allow([...read, 'delete'], certificates, ['certificatesigningrequests']),
      allow(['update'], certificates, ['certificatesigningrequests/status', 'certificatesigningrequests/approval']),
      // kubelet-serving too: k8ts approves a node's own serving certificate (as k3s does).
      allow(['approve'], certificates, ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/kubelet-serving']),
      allow(['sign'], certificates, ['signers'], ['kubernetes.io/legacy-unknown', 'kubernetes.io/kube-apiserver-client',
        'kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/kubelet-serving']),
      allow(['create'], 'authorization.k8s.io', ['subjectaccessreviews']),
      eventsRule(),
    ]],
    ['pvc-protection-controller', [
      allow([...read, 'update'], core, ['persistentvolumeclaims']),
      allow(read, core, ['pods']),
      eventsRule(),
    ]],
    ['pv-protection-controller', [allow([...read, 'update'], core, ['persistentvolumes']), eventsRule()]],
    ['ttl-after-finished-controller', [allow([...read, 'delete'], batch, ['jobs']), eventsRule()]],
    ['root-ca-cert-publisher', [allow(['create', 'update'], core, ['configmaps']), eventsRule()]],
    ['validatingadmissionpolicy-status-controller', [
      allow(read, 'admissionregistration.k8s.io', ['validatingadmissionpolicies']),
      allow(['get', 'patch', 'update'], 'admissionregistration.k8s.io', ['validatingadmissionpolicies/status']),
      eventsRule(),
    ]],
  ];
}

export function controllerRoles(): { roles: Role[]; bindings: Binding[] } {
  const roles: Role[] = [];
  const bindings: Binding[] = [];
  for (const [name, rules] of controllerRules()) {
    roles.push(clusterRole(controllerRolePrefix + name, rules));
    bindings.push(clusterBinding(controllerRolePrefix + name, [serviceAccount('kube-system', name)]));
  }
  return { roles, bindings };
}
