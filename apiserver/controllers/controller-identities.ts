// The service account each controller acts as, as kube-controller-manager runs them with
// --use-service-account-credentials: every controller writes as
// system:serviceaccount:kube-system:<account> and holds only its system:controller:<account>
// role. Shared informers read as the controller manager itself.

const accounts: Record<string, string> = {
  'clusterrole-aggregation-controller': 'clusterrole-aggregation-controller',
  'certificatesigningrequest-approving-controller': 'certificate-controller',
  'certificatesigningrequest-signing-controller': 'certificate-controller',
  'cronjob-controller': 'cronjob-controller',
  'daemonset-controller': 'daemon-set-controller',
  'deployment-controller': 'deployment-controller',
  'disruption-controller': 'disruption-controller',
  'endpoints-controller': 'endpoint-controller',
  'endpointslice-controller': 'endpointslice-controller',
  'garbage-collector-controller': 'generic-garbage-collector',
  'horizontal-pod-autoscaler-controller': 'horizontal-pod-autoscaler',
  'job-controller': 'job-controller',
  'namespace-controller': 'namespace-controller',
  'node-ipam-controller': 'node-controller',
  'node-lifecycle-controller': 'node-controller',
  'persistentvolume-binder-controller': 'persistent-volume-binder',
  'persistentvolume-protection-controller': 'pv-protection-controller',
  'persistentvolumeclaim-protection-controller': 'pvc-protection-controller',
  'pod-garbage-collector-controller': 'pod-garbage-collector',
  'replicaset-controller': 'replicaset-controller',
  'replicationcontroller-controller': 'replication-controller',
  'resourcequota-controller': 'resourcequota-controller',
  'root-ca-certificate-publisher-controller': 'root-ca-cert-publisher',
  'serviceaccount-controller': 'service-account-controller',
  'statefulset-controller': 'statefulset-controller',
  // Taint-based eviction was part of the node controller, and deletes pods with its role.
  'taint-eviction-controller': 'node-controller',
  'token-cleaner-controller': 'token-cleaner',
  'ttl-after-finished-controller': 'ttl-after-finished-controller',
};

/** The service account a controller acts as (undefined: it acts as the controller manager). */
export function controllerAccount(controller: string): string | undefined {
  return accounts[controller];
}

/** The user name of a kube-system service account. */
export function serviceAccountUser(account: string): string {
  return `system:serviceaccount:kube-system:${account}`;
}
