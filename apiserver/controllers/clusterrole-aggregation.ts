// clusterrole-aggregation-controller: a ClusterRole with an aggregationRule gets as its rules
// the rules of every other ClusterRole its selectors match, so admin, edit and view grow with
// whatever is labelled aggregate-to-admin/edit/view (a CRD's roles, say).
import { runController } from '../../lib/client/controller.js';
import { isNotFound } from '../../lib/client/api-error.js';
import { resources } from '../../lib/client/resource-types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import type { KubeObject } from '../../lib/client/types.js';
import type { AggregationRule, PolicyRule } from '../api/kinds/rbac.js';
import { semanticEqual } from '../api/kinds/semantic.js';
import { fromLabelSelectorSpec } from '../api/selectors/labels.js';
import type { ControllerDescriptor } from './context.js';

const name = 'clusterrole-aggregation-controller';

export type ClusterRole = KubeObject & { rules?: PolicyRule[] | null; aggregationRule?: AggregationRule | null };

/** Missing, null and empty lists are the same list, order counts (Kubernetes' semantic equality). */
export function sameRules(a: readonly PolicyRule[] | null | undefined, b: readonly PolicyRule[] | null | undefined): boolean {
  return semanticEqual(a, b);
}

/**
 * The rules an aggregated ClusterRole should have: for each selector in turn, the rules of the
 * ClusterRoles it matches (by name, itself excluded), each rule once; undefined for a role
 * without an aggregationRule.
 */
export function aggregatedRules(role: ClusterRole, all: readonly ClusterRole[]): PolicyRule[] | undefined {
  if (!role.aggregationRule) return undefined;
  const byName = [...all].sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
  const out: PolicyRule[] = [];
  for (const spec of role.aggregationRule.clusterRoleSelectors ?? []) {
    const selector = fromLabelSelectorSpec(spec);
    for (const other of byName) {
      if (other.metadata?.name === role.metadata?.name || !selector.matches(other.metadata?.labels)) continue;
      for (const rule of other.rules ?? []) {
        if (!out.some((r) => semanticEqual(r, rule))) out.push(rule);
      }
    }
  }
  return out;
}

export const clusterRoleAggregationController: ControllerDescriptor = {
  name,
  setup(ctx) {
    const roles = ctx.informers.informer<ClusterRole>(resources.clusterRoles);
    const api = ctx.client.resource<ClusterRole>(resources.clusterRoles);
    const queue = new WorkQueue<string>(ctx.clock);
    // Any ClusterRole may feed any aggregated one: every change looks at all aggregated roles.
    const enqueueAggregated = () => {
      for (const r of roles.cache.list()) if (r.aggregationRule) queue.add(r.metadata?.name ?? '');
    };
    roles.on({ add: enqueueAggregated, update: enqueueAggregated, delete: enqueueAggregated });

    async function sync(key: string): Promise<void> {
      const role = roles.cache.getByName('', key);
      if (!role) return;
      const rules = aggregatedRules(role, roles.cache.list());
      if (!rules || sameRules(rules, role.rules)) return;
      try {
        // Server-side apply, as Kubernetes' controller does: the rules are owned by this manager.
        await api.patch('', key, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: key }, rules },
          'apply', { fieldManager: name, force: true });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return { run: (signal) => runController({ name, queue, workers: 5, sync, waitFor: [roles], signal }) };
  },
};
