// Every group/version this server serves itself has an APIService ("v1.apps", "v1." for core),
// as the aggregator's autoregister controller keeps them: Local and always Available. They
// follow the registry, so CRD groups come and go with their definitions.
import { isStatusError } from '../../api/errors.js';
import { timestamp, type KubeObject } from '../../api/object.js';
import type { ApiContext } from '../api-context.js';
import { logger } from '../../../lib/log.js';
import { systemUser, type RequestContext } from '../context.js';
import { decoded } from '../decoded.js';

const log = logger('apiservices');

const managedLabel = 'kube-aggregator.kubernetes.io/automanaged';
const ctx: RequestContext = { user: systemUser, namespace: '', dryRun: false };

/** Group and version priorities of the built-in groups (kube-aggregator's table). */
const priorities: Record<string, [number, number]> = {
  '/v1': [18000, 1], 'apiregistration.k8s.io/v1': [18000, 15], 'apps/v1': [17800, 15], 'events.k8s.io/v1': [17750, 15],
  'authentication.k8s.io/v1': [17700, 15], 'authorization.k8s.io/v1': [17600, 15], 'autoscaling/v2': [17500, 30],
  'autoscaling/v1': [17500, 15], 'batch/v1': [17400, 15], 'certificates.k8s.io/v1': [17300, 15], 'networking.k8s.io/v1': [17200, 15],
  'policy/v1': [17100, 15], 'rbac.authorization.k8s.io/v1': [17000, 15], 'storage.k8s.io/v1': [16800, 15],
  'admissionregistration.k8s.io/v1': [16700, 15], 'apiextensions.k8s.io/v1': [16400, 15], 'scheduling.k8s.io/v1': [16600, 15],
  'coordination.k8s.io/v1': [16500, 15], 'node.k8s.io/v1': [16300, 15], 'discovery.k8s.io/v1': [16200, 15],
  'flowcontrol.apiserver.k8s.io/v1': [16100, 21],
};

/** The APIService for a served group/version; CRD groups rank below every built-in one. */
export function localAPIService(group: string, version: string): KubeObject {
  const [groupPriorityMinimum, versionPriority] = priorities[`${group}/${version}`] ?? [1000, 100];
  return {
    apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService',
    metadata: { name: `${version}.${group}`, labels: { [managedLabel]: priorities[`${group}/${version}`] ? 'onstart' : 'true' } },
    spec: { group, version, groupPriorityMinimum, versionPriority },
  };
}

const available = () => ({
  conditions: [{ type: 'Available', status: 'True', lastTransitionTime: timestamp(), reason: 'Local', message: 'Local APIServices are always available' }],
});

export function localAPIServiceExtensions(api: ApiContext): void {
  const rs = api.storeFor('apiregistration.k8s.io', 'apiservices');
  let running: Promise<void> = Promise.resolve();

  async function reconcile(): Promise<void> {
    const wanted = new Map<string, KubeObject>();
    for (const g of api.registry.groups()) for (const v of g.versions) {
      const svc = localAPIService(g.name, v);
      wanted.set(svc.metadata.name!, svc);
    }
    const existing = new Map(api.store.list(rs.prefix('')).items.map((kv) => [decoded(kv).metadata.name!, decoded(kv)]));
    for (const [name, svc] of wanted) {
      if (existing.has(name)) continue;
      try {
        await rs.create('', svc, ctx);
        await rs.guaranteedUpdate('', name, ctx, (cur) => ({ ...cur, status: available() }), { subresource: 'status' });
      } catch (err) {
        if (!isStatusError(err, 'AlreadyExists')) throw err;
      }
    }
    for (const [name, svc] of existing) {
      // Only what this controller made goes away with its group.
      if (wanted.has(name) || !svc.metadata.labels?.[managedLabel]) continue;
      await rs.delete('', name, {}, ctx).catch((err: unknown) => {
        if (!isStatusError(err, 'NotFound')) throw err;
      });
    }
  }

  const schedule = () => {
    running = running.then(reconcile).catch((err: unknown) => log.warn({ err }, 'could not register local APIServices'));
  };
  api.registry.onChange(schedule);
  schedule();
}
