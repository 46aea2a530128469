// The controllers' names and the --controllers flag, apart from the controllers themselves: the
// server checks the flag when it starts, before the control plane's thread loads any controller,
// so a wrong name fails the command as it fails kube-controller-manager.

/** Every controller's name, in the order they start (all.ts holds the same list; a test ties them). */
export const controllerNames: readonly string[] = [
  'namespace-controller', 'serviceaccount-controller', 'root-ca-certificate-publisher-controller',
  'node-ipam-controller', 'node-lifecycle-controller', 'taint-eviction-controller',
  'garbage-collector-controller', 'pod-garbage-collector-controller', 'replicaset-controller',
  'replicationcontroller-controller', 'deployment-controller', 'daemonset-controller',
  'statefulset-controller', 'job-controller', 'cronjob-controller', 'ttl-after-finished-controller',
  'endpoints-controller', 'endpointslice-controller', 'resourcequota-controller', 'disruption-controller',
  'horizontal-pod-autoscaler-controller',
  'clusterrole-aggregation-controller', 'certificatesigningrequest-approving-controller',
  'certificatesigningrequest-signing-controller', 'token-cleaner-controller',
  'persistentvolume-binder-controller', 'persistentvolumeclaim-protection-controller', 'persistentvolume-protection-controller',
];

/**
 * The items of kube-controller-manager's --controllers syntax ('*' every controller on by
 * default, 'name' enables one, '-name' disables one); throws on a name not in `known`.
 */
export function controllerSpec(spec: readonly string[], known: readonly string[] = controllerNames): string[] {
  const items = spec.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    const name = item.replace(/^-/, '');
    if (name !== '*' && !known.includes(name)) throw new Error(`"${name}" is not in the list of known controllers`);
  }
  return items;
}
