// What exists from the first start: the system namespaces, the `kubernetes` Service and the
// default RBAC policy, as a fresh Kubernetes cluster has them. Idempotent: existing objects are
// left alone, except RBAC defaults, which are brought up to date as Kubernetes does.
import { logger } from '../lib/log.js';
import { isStatusError } from './api/errors.js';
import { ensureCreated } from './registry/ensure-created.js';
import { ensureRbacPolicy } from './auth/rbac/ensure-policy.js';
import { joinBindings } from './join/join-policy.js';
import type { KubeObject } from './api/object.js';
import type { ApiContext } from './registry/api-context.js';
import { decoded } from './registry/decoded.js';
import { systemUser, type RequestContext } from './registry/context.js';
import { kubeDnsManager, kubeDnsName, kubeDnsNamespace, managedByLabel } from './kube-dns/kube-dns-objects.js';

const log = logger('bootstrap');

export interface BootstrapOptions {
  /** The first address of the service CIDR (10.43.0.1). */
  kubernetesServiceIP: string;
  /** Where the API server is reachable for pods (the kubernetes Service's endpoints). */
  advertiseAddress: string;
  securePort: number;
  /**
   * Built-in cluster DNS is off (`--disable dns`): the kube-dns endpoints it once listed are
   * removed, so a CoreDNS deployed in its place gets the Service's traffic alone.
   */
  clusterDnsDisabled?: boolean;
}

const ctx = (namespace: string): RequestContext => ({ user: systemUser, namespace, dryRun: false });

async function ensure(api: ApiContext, group: string, plural: string, obj: KubeObject): Promise<void> {
  if (await ensureCreated(api, group, plural, obj)) log.info({ kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name }, 'created');
}

export async function bootstrap(api: ApiContext, opts: BootstrapOptions): Promise<void> {
  if (opts.clusterDnsDisabled) await removeBuiltinDnsEndpoints(api);
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    await ensure(api, '', 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  // After the namespaces: some default Roles live in kube-system and kube-public.
  await ensureRbacPolicy(api);
  for (const b of joinBindings()) await ensure(api, 'rbac.authorization.k8s.io', 'clusterrolebindings', b);
  await ensure(api, '', 'services', {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP', clusterIP: opts.kubernetesServiceIP, sessionAffinity: 'None',
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: opts.securePort }],
    },
  });
  if (opts.advertiseAddress.startsWith('127.') || opts.advertiseAddress === '::1') {
    // Endpoints may not point at loopback (pods could not reach it anyway): a server bound to
    // loopback only has no `kubernetes` endpoints, like a server without a routable address.
    log.warn({ address: opts.advertiseAddress }, 'advertise address is loopback: the kubernetes Service gets no endpoints');
    await ensurePriorityClasses(api);
    return;
  }
  await ensure(api, '', 'endpoints', {
    apiVersion: 'v1', kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: opts.advertiseAddress }], ports: [{ name: 'https', port: opts.securePort, protocol: 'TCP' }] }],
  });
  await ensure(api, 'discovery.k8s.io', 'endpointslices', {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [opts.advertiseAddress], conditions: { ready: true } }],
    ports: [{ name: 'https', port: opts.securePort, protocol: 'TCP' }],
  });
  await ensurePriorityClasses(api);
}

async function ensurePriorityClasses(api: ApiContext): Promise<void> {
  for (const [name, value] of [['system-node-critical', 2000001000], ['system-cluster-critical', 2000000000]] as const) {
    await ensure(api, 'scheduling.k8s.io', 'priorityclasses', {
      apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name },
      value, preemptionPolicy: 'PreemptLowerPriority',
      description: name === 'system-node-critical' ? 'Used for system critical pods that must not be moved from their current node.' : 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
    });
  }
}

/** Deletes kube-dns's EndpointSlice if k8ts' built-in DNS made it (anyone else's stays). */
async function removeBuiltinDnsEndpoints(api: ApiContext): Promise<void> {
  const slices = api.storeFor('discovery.k8s.io', 'endpointslices');
  let slice: KubeObject;
  try {
    slice = decoded(slices.get(kubeDnsNamespace, kubeDnsName));
  } catch (err) {
    if (isStatusError(err, 'NotFound')) return;
    throw err;
  }
  if (slice.metadata.labels?.[managedByLabel] !== kubeDnsManager) return;
  await slices.delete(kubeDnsNamespace, kubeDnsName, { preconditions: { uid: slice.metadata.uid } }, ctx(kubeDnsNamespace)).catch((err: unknown) => {
    if (!isStatusError(err, 'NotFound')) throw err;
  });
  log.info({ namespace: kubeDnsNamespace, name: kubeDnsName }, 'built-in DNS is disabled: its kube-dns endpoints removed');
}
