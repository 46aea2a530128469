// Which resource a call is about, and the URL paths Kubernetes serves it under.

export interface ResourceType {
  group: string;
  version: string;
  /** The plural name in URLs ("pods"). */
  resource: string;
  kind: string;
  namespaced: boolean;
}

/** "v1" or "apps/v1". */
export function apiVersionOf(t: Pick<ResourceType, 'group' | 'version'>): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/**
 * /api/v1/namespaces/ns/pods/name/status and friends. An empty namespace on a namespaced
 * resource addresses the collection across all namespaces.
 */
export function resourcePath(t: ResourceType, namespace = '', name = '', subresource = ''): string {
  let p = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
  if (t.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${t.resource}`;
  if (name) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}

const core = (resource: string, kind: string, namespaced: boolean): ResourceType => ({ group: '', version: 'v1', resource, kind, namespaced });

/** The built-in resources controllers and agents talk to. */
export const resources = {
  pods: core('pods', 'Pod', true),
  nodes: core('nodes', 'Node', false),
  namespaces: core('namespaces', 'Namespace', false),
  events: core('events', 'Event', true),
  serviceAccounts: core('serviceaccounts', 'ServiceAccount', true),
  configMaps: core('configmaps', 'ConfigMap', true),
  replicationControllers: core('replicationcontrollers', 'ReplicationController', true),
  leases: { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', kind: 'Lease', namespaced: true },
  priorityClasses: { group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses', kind: 'PriorityClass', namespaced: false },
  replicaSets: { group: 'apps', version: 'v1', resource: 'replicasets', kind: 'ReplicaSet', namespaced: true },
  deployments: { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: true },
} satisfies Record<string, ResourceType>;
