// ClusterRoles for the cluster's own parts and for everyone signed in: discovery, the node,
// proxy, scheduler and controller manager identities, add-ons, and CSR approval by signer.
// Rules as Kubernetes 1.32 ships them with its default features.
import type { PolicyRule, Role } from '../../../api/kinds/rbac.js';
import { allow, allowURLs, clusterRole, eventsRule, read } from './build.js';

const storage = 'storage.k8s.io';
const certificates = 'certificates.k8s.io';

/** What a kubelet needs; the Node authorizer and NodeRestriction narrow it to its own node. */
function nodeRules(): PolicyRule[] {
  return [
    allow(['create'], 'authentication.k8s.io', ['tokenreviews']),
    allow(['create'], 'authorization.k8s.io', ['subjectaccessreviews', 'localsubjectaccessreviews']),
    allow(read, '', ['services']),
    allow(['create', 'get', 'list', 'watch'], '', ['nodes']),
    allow(['update', 'patch'], '', ['nodes/status']),
    allow(['update', 'patch'], '', ['nodes']),
    allow(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events']),
    allow(read, '', ['pods']),
    allow(['create', 'delete'], '', ['pods']),
    allow(['update', 'patch'], '', ['pods/status']),
    allow(['create'], '', ['pods/eviction']),
    allow(read, '', ['secrets', 'configmaps']),
    allow(['get'], '', ['persistentvolumeclaims', 'persistentvolumes']),
    allow(['get'], '', ['endpoints']),
    allow(['create', 'get', 'list', 'watch'], certificates, ['certificatesigningrequests']),
    allow(['get', 'create', 'update', 'patch', 'delete'], 'coordination.k8s.io', ['leases']),
    allow(['get'], storage, ['volumeattachments']),
    allow(['create'], '', ['serviceaccounts/token']),
    allow(['get', 'update', 'patch'], '', ['persistentvolumeclaims/status']),
    allow(read, storage, ['csidrivers']),
    allow(['get', 'create', 'update', 'patch', 'delete'], storage, ['csinodes']),
    allow(read, 'node.k8s.io', ['runtimeclasses']),
  ];
}

/** Approving CSRs for one signer. */
const approver = (role: string, signer: string) =>
  clusterRole(`system:certificates.k8s.io:${role}`, [allow(['approve'], certificates, ['signers'], [`kubernetes.io/${signer}`])]);

export function systemRoles(): Role[] {
  return [
    clusterRole('system:discovery', [
      allowURLs(['get'], ['/livez', '/readyz', '/healthz', '/version', '/version/', '/openapi', '/openapi/*', '/api', '/api/*', '/apis', '/apis/*']),
    ]),
    clusterRole('system:basic-user', [
      allow(['create'], 'authorization.k8s.io', ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      allow(['create'], 'authentication.k8s.io', ['selfsubjectreviews']),
    ]),
    clusterRole('system:public-info-viewer', [allowURLs(['get'], ['/livez', '/readyz', '/healthz', '/version', '/version/'])]),
    clusterRole('system:monitoring', [
      allowURLs(['get'], ['/metrics', '/metrics/slis', '/livez', '/readyz', '/healthz', '/livez/*', '/readyz/*', '/healthz/*']),
      allow(['get'], '', ['nodes/metrics']),
    ]),
    clusterRole('system:heapster', [
      allow(read, '', ['events', 'namespaces', 'nodes', 'pods']),
      allow(read, 'extensions', ['deployments']),
    ]),
    clusterRole('system:node', nodeRules()),
    clusterRole('system:node-problem-detector', [
      allow(['get'], '', ['nodes']),
      allow(['patch'], '', ['nodes/status']),
      eventsRule(),
    ]),
    clusterRole('system:kubelet-api-admin', [
      allow(read, '', ['nodes']),
      allow(['proxy'], '', ['nodes']),
      allow(['*'], '', ['nodes/proxy', 'nodes/metrics', 'nodes/stats', 'nodes/log']),
    ]),
    clusterRole('system:node-bootstrapper', [allow(['create', 'get', 'list', 'watch'], certificates, ['certificatesigningrequests'])]),
    clusterRole('system:auth-delegator', [
      allow(['create'], 'authentication.k8s.io', ['tokenreviews']),
      allow(['create'], 'authorization.k8s.io', ['subjectaccessreviews']),
    ]),
    clusterRole('system:kube-aggregator', [allow(read, '', ['services', 'endpoints'])]),
    clusterRole('system:kube-controller-manager', [
      eventsRule(),
      allow(['create'], 'coordination.k8s.io', ['leases']),
      allow(['get', 'update'], 'coordination.k8s.io', ['leases'], ['kube-controller-manager']),
      // Its own identity makes the per-controller service accounts and their tokens.
      allow(['create'], '', ['secrets', 'serviceaccounts']),
      allow(['delete'], '', ['secrets']),
      allow(['get'], '', ['namespaces', 'secrets', 'serviceaccounts', 'configmaps']),
      allow(['update'], '', ['secrets', 'serviceaccounts']),
      allow(['create'], 'authentication.k8s.io', ['tokenreviews']),
      allow(['create'], 'authorization.k8s.io', ['subjectaccessreviews']),
      // Its shared informers watch everything.
      allow(['list', 'watch'], '*', ['*']),
      allow(['create'], '', ['serviceaccounts/token']),
    ]),
    clusterRole('system:kube-dns', [allow(['list', 'watch'], '', ['endpoints', 'services'])]),
    clusterRole('system:persistent-volume-provisioner', [
      allow(['get', 'list', 'watch', 'create', 'delete'], '', ['persistentvolumes']),
      // update: to set the claim's binding annotations.
      allow(['get', 'list', 'watch', 'update'], '', ['persistentvolumeclaims']),
      allow(read, storage, ['storageclasses']),
      // watch: events that tell a recycler pod finished.
      allow(['watch'], '', ['events']),
      eventsRule(),
    ]),
    approver('kube-apiserver-client-approver', 'kube-apiserver-client'),
    approver('kube-apiserver-client-kubelet-approver', 'kube-apiserver-client-kubelet'),
    approver('kubelet-serving-approver', 'kubelet-serving'),
    approver('legacy-unknown-approver', 'legacy-unknown'),
    clusterRole('system:certificates.k8s.io:certificatesigningrequests:nodeclient', [
      allow(['create'], certificates, ['certificatesigningrequests/nodeclient']),
    ]),
    clusterRole('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [
      allow(['create'], certificates, ['certificatesigningrequests/selfnodeclient']),
    ]),
    clusterRole('system:service-account-issuer-discovery', [
      allowURLs(['get'], ['/.well-known/openid-configuration', '/.well-known/openid-configuration/', '/openid/v1/jwks', '/openid/v1/jwks/']),
    ]),
    clusterRole('system:node-proxier', [
      allow(['list', 'watch'], '', ['services', 'endpoints']),
      allow(read, '', ['nodes']),
      eventsRule(),
      allow(['list', 'watch'], 'discovery.k8s.io', ['endpointslices']),
    ]),
    // k8ts: what each node agent's NetworkPolicy enforcement reads beyond a kubelet's pods (k3s
    // grants its agents' kube-router the same through system:k3s-controller).
    clusterRole('system:k8ts-network-policy', [
      allow(['list', 'watch'], '', ['pods', 'namespaces']),
      allow(['list', 'watch'], 'networking.k8s.io', ['networkpolicies']),
    ]),
    clusterRole('system:kube-scheduler', [
      eventsRule(),
      allow(['create'], 'coordination.k8s.io', ['leases']),
      allow(['get', 'update'], 'coordination.k8s.io', ['leases'], ['kube-scheduler']),
      allow(read, '', ['nodes']),
      allow(['get', 'list', 'watch', 'delete'], '', ['pods']),
      allow(['create'], '', ['pods/binding', 'bindings']),
      allow(['patch', 'update'], '', ['pods/status']),
      // What spreading and volume binding look at.
      allow(read, '', ['replicationcontrollers', 'services']),
      allow(read, ['apps', 'extensions'], ['replicasets']),
      allow(read, 'apps', ['statefulsets']),
      allow(read, 'policy', ['poddisruptionbudgets']),
      allow(read, '', ['persistentvolumeclaims', 'persistentvolumes']),
      allow(['create'], 'authentication.k8s.io', ['tokenreviews']),
      allow(['create'], 'authorization.k8s.io', ['subjectaccessreviews']),
      allow(read, storage, ['csinodes']),
      allow(read, '', ['namespaces']),
      allow(read, storage, ['csidrivers']),
      allow(read, storage, ['csistoragecapacities']),
    ]),
    clusterRole('system:volume-scheduler', [
      allow([...read, 'update', 'patch'], '', ['persistentvolumes']),
      allow(read, storage, ['storageclasses']),
      allow([...read, 'update', 'patch'], '', ['persistentvolumeclaims']),
    ]),
  ];
}
