// Writes the default RBAC policy at every server start, as Kubernetes' API server does: missing
// objects are created, defaults that lost something get it back, autoupdate=false ones are left
// alone. One pass over objects held in memory; only those that need a write are written, all
// at once so storage commits them together.
import { logger } from '../../../lib/log.js';
import { isStatusError } from '../../api/errors.js';
import type { Binding, Role } from '../../api/kinds/rbac.js';
import type { KubeObject } from '../../api/object.js';
import type { ApiContext } from '../../registry/api-context.js';
import { systemUser, type RequestContext } from '../../registry/context.js';
import { decoded } from '../../registry/decoded.js';
import type { RestStore } from '../../registry/rest-store.js';
import { bootstrapPolicy } from './policy/index.js';
import { reconcileBinding, reconcileRole, type Reconciled } from './reconcile.js';

const log = logger('rbac-bootstrap');
const group = 'rbac.authorization.k8s.io';

type Reconcile<T> = (existing: T | undefined, expected: T) => Reconciled<T>;

export interface PolicyCounts {
  created: number;
  updated: number;
  recreated: number;
  protected: number;
  unchanged: number;
  failed: number;
}

function stored(rs: RestStore, namespace: string, name: string): KubeObject | undefined {
  try {
    return decoded(rs.get(namespace, name));
  } catch (err) {
    if (isStatusError(err, 'NotFound')) return undefined;
    throw err;
  }
}

async function write<T extends Role | Binding>(rs: RestStore, expected: T, reconcile: Reconcile<T>, counts: PolicyCounts): Promise<void> {
  const namespace = expected.metadata.namespace ?? '';
  const name = expected.metadata.name ?? '';
  const ctx: RequestContext = { user: systemUser, namespace, dryRun: false };
  const plan = reconcile(stored(rs, namespace, name) as T | undefined, expected);
  switch (plan.op) {
    case 'none': counts.unchanged++; return;
    case 'protected': counts.protected++; return;
    case 'create':
      await rs.create(namespace, structuredClone(plan.object), ctx);
      counts.created++;
      return;
    case 'update':
      // Reconciled again against what is stored at the write, so a concurrent change is kept.
      await rs.guaranteedUpdate(namespace, name, ctx, (cur) => {
        const again = reconcile(cur as T, expected);
        return again.op === 'update' ? again.object : cur;
      });
      counts.updated++;
      return;
    case 'recreate':
      await rs.delete(namespace, name, {}, ctx);
      await rs.create(namespace, structuredClone(plan.object), ctx);
      counts.recreated++;
      return;
  }
}

/** Creates and reconciles every default ClusterRole, ClusterRoleBinding, Role and RoleBinding. */
export async function ensureRbacPolicy(api: ApiContext): Promise<PolicyCounts> {
  const started = Date.now();
  const policy = bootstrapPolicy();
  const counts: PolicyCounts = { created: 0, updated: 0, recreated: 0, protected: 0, unchanged: 0, failed: 0 };
  const roles = (plural: string, list: Role[]) => list.map((o) => ({ o, run: () => write(api.storeFor(group, plural), o, reconcileRole, counts) }));
  const bindings = (plural: string, list: Binding[]) => list.map((o) => ({ o, run: () => write(api.storeFor(group, plural), o, reconcileBinding, counts) }));
  const jobs = [
    ...roles('clusterroles', policy.clusterRoles), ...bindings('clusterrolebindings', policy.clusterRoleBindings),
    ...roles('roles', policy.roles), ...bindings('rolebindings', policy.roleBindings),
  ];
  await Promise.all(jobs.map(async ({ o, run }) => {
    try {
      await run();
    } catch (err) {
      // One default that cannot be written (a user made it invalid, say) must not stop the server.
      counts.failed++;
      log.warn({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name, err: String(err) }, 'could not reconcile default RBAC object');
    }
  }));
  log.info({ ...counts, ms: Date.now() - started }, 'default RBAC policy reconciled');
  return counts;
}
