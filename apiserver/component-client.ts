// A client for a built-in part of the server (the Ingress status writer, the CSI provisioner): it
// acts as its own user, holding only the ClusterRole of that name, created here when absent, as
// k3s' bundled controllers come with their own RBAC.
import type { KubeClient } from '../lib/client/rest-client.js';
import type { ComponentContext } from '../lib/components.js';
import type { PolicyRule } from './api/kinds/rbac.js';
import { clusterBinding, clusterRole, user } from './auth/rbac/policy/build.js';
import { inProcessClient } from './http/in-process-client.js';
import { ensureCreated } from './registry/ensure-created.js';
import { inProcessUser } from './registry/serviceaccounts/token.js';
import { apiValue, httpValue, servingValue } from './server-components.js';

export async function clientWithOwnRole(ctx: ComponentContext, userName: string, rules: PolicyRule[], userAgent: string): Promise<KubeClient> {
  const { api } = ctx.get(apiValue);
  await ensureCreated(api, 'rbac.authorization.k8s.io', 'clusterroles', clusterRole(userName, rules));
  await ensureCreated(api, 'rbac.authorization.k8s.io', 'clusterrolebindings', clusterBinding(userName, [user(userName)]));
  return inProcessClient(ctx.get(httpValue), ctx.get(servingValue).port, inProcessUser(userName), userAgent);
}
