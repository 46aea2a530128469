// What the built-in DNS's controller may do, and no more: keep the kube-dns Service and its
// EndpointSlice in kube-system, and read the nodes that serve DNS. It acts as the user
// system:k8ts:cluster-dns, bound here, as k3s binds its own controllers' users.
import type { ApiContext } from '../registry/api-context.js';
import { ensureCreated } from '../registry/ensure-created.js';
import { allow, clusterBinding, clusterRole, namespacedRole, read, readWrite, roleBinding, user } from '../auth/rbac/policy/build.js';
import { kubeDnsNamespace } from './kube-dns-objects.js';

export const clusterDnsUser = 'system:k8ts:cluster-dns';
const roleName = 'system:k8ts:cluster-dns';

export async function ensureClusterDnsRoles(api: ApiContext): Promise<void> {
  const rbac = 'rbac.authorization.k8s.io';
  await ensureCreated(api, rbac, 'clusterroles', clusterRole(roleName, [allow(read, '', ['nodes'])]));
  await ensureCreated(api, rbac, 'clusterrolebindings', clusterBinding(roleName, [user(clusterDnsUser)]));
  await ensureCreated(api, rbac, 'roles', namespacedRole(kubeDnsNamespace, roleName, [allow(readWrite, '', ['services']), allow(readWrite, 'discovery.k8s.io', ['endpointslices'])]));
  await ensureCreated(api, rbac, 'rolebindings', roleBinding(kubeDnsNamespace, roleName, roleName, [user(clusterDnsUser)]));
}
