// resourcequota-controller: keeps each ResourceQuota's status (hard as in the spec, used as
// counted from what exists in its namespace), as Kubernetes' resource quota controller does.
// Pods, services, claims, config maps, secrets and replication controllers are watched, so usage
// is replenished when they change or go; count/<resource> of other kinds is listed at sync
// time. Every quota is recounted every five minutes as well.
import { runController } from '../../lib/client/controller.js';
import { discoverResources, type DiscoveredResource } from '../../lib/client/discovery.js';
import type { Informer } from '../../lib/client/informer.js';
import { resources } from '../../lib/client/resource-types.js';
import { objectKey, type KubeObject, type Pod } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import type { JsonObject } from '../api/kinds/json.js';
import { semanticEqual } from '../api/kinds/semantic.js';
import { zeroQuantity } from '../../lib/quantity.js';
import { addUsage, fromUsage, objectUsage, quotaApplies, toUsage, type QuotaLike, type Usage } from '../auth/admission/quota-usage.js';
import type { ControllerDescriptor } from './context.js';
import type { ResourceQuota } from './workload-types.js';

const resyncMs = 5 * 60_000;
const discoveryTtlMs = 30_000;

/**
 * The kinds with informers here, as [group, plural, type, metadata only]. Config maps and secrets
 * are only counted, so only their metadata is watched (their data can be large and is never read).
 */
const watched = [
  ['', 'pods', resources.pods, false], ['', 'services', resources.services, false],
  ['', 'persistentvolumeclaims', resources.persistentVolumeClaims, false],
  ['', 'configmaps', resources.configMaps, true], ['', 'secrets', resources.secrets, true],
  ['', 'replicationcontrollers', resources.replicationControllers, false],
] as const;

/** "count/deployments.apps" -> group apps, plural deployments ("count/pods" -> core pods). */
export function countTarget(name: string): { group: string; plural: string } | undefined {
  if (!name.startsWith('count/')) return undefined;
  const rest = name.slice('count/'.length);
  const dot = rest.indexOf('.');
  return dot < 0 ? { group: '', plural: rest } : { group: rest.slice(dot + 1), plural: rest.slice(0, dot) };
}

/** The used list for a quota: every hard resource, summed over the objects it applies to (zero when none). */
export function usedFor(q: QuotaLike, objects: ReadonlyArray<{ group: string; plural: string; obj: JsonObject }>, now: number): Record<string, string> {
  const hard = Object.keys(q.spec?.hard ?? {});
  let total: Usage = new Map(hard.map((k) => [k, zeroQuantity]));
  for (const o of objects) {
    if (!quotaApplies(q, o.group, o.plural, o.obj)) continue;
    const u = objectUsage(o.group, o.plural, o.obj, now);
    const relevant: Usage = new Map([...u].filter(([k]) => hard.includes(k)));
    total = addUsage(total, relevant);
  }
  return fromUsage(total);
}

export const resourceQuotaController: ControllerDescriptor = {
  name: 'resourcequota-controller',
  setup(ctx) {
    const quotas = ctx.informers.informer<ResourceQuota>(resources.resourceQuotas);
    const informers = watched.map(([group, plural, type, metadataOnly]) => ({
      group, plural, informer: metadataOnly ? ctx.informers.metadataInformer(type) : ctx.informers.informer<KubeObject>(type) as Informer<KubeObject>,
    }));
    const api = ctx.client.resource<ResourceQuota>(resources.resourceQuotas);
    const queue = new WorkQueue<string>(ctx.clock);
    const touchNamespace = (o: KubeObject) => {
      for (const q of quotas.cache.byIndex('namespace', o.metadata?.namespace ?? '')) queue.add(objectKey(q));
    };
    // Quotas count too (hard "resourcequotas"): one that comes or goes changes its neighbours' usage.
    quotas.on({
      add: touchNamespace,
      delete: touchNamespace,
      update: (old, q) => {
        if (!semanticEqual(old.spec, q.spec) || !semanticEqual(q.spec?.hard, q.status?.hard)) queue.add(objectKey(q));
      },
    });
    for (const { informer, plural } of informers) {
      informer.on({
        add: touchNamespace,
        delete: touchNamespace,
        update: (old, cur) => {
          if (plural !== 'pods' || old.metadata?.resourceVersion === cur.metadata?.resourceVersion) {
            if (plural !== 'pods') touchNamespace(cur);
            return;
          }
          // Pods change often; only what affects usage matters (finishing, deletion).
          const o = old as Pod;
          const c = cur as Pod;
          if (o.status?.phase !== c.status?.phase || o.metadata?.deletionTimestamp !== c.metadata?.deletionTimestamp) touchNamespace(cur);
        },
      });
    }
    let discovered: { at: number; list: DiscoveredResource[] } | undefined;
    const discovery = async (signal: AbortSignal): Promise<DiscoveredResource[]> => {
      if (!discovered || ctx.clock.now() - discovered.at > discoveryTtlMs) {
        discovered = { at: ctx.clock.now(), list: (await discoverResources(ctx.client, signal)).resources };
      }
      return discovered.list;
    };

    async function objectsFor(q: ResourceQuota, signal: AbortSignal): Promise<Array<{ group: string; plural: string; obj: JsonObject }>> {
      const ns = q.metadata?.namespace ?? '';
      const out: Array<{ group: string; plural: string; obj: JsonObject }> = [];
      for (const { group, plural, informer } of informers) {
        for (const obj of informer.cache.byIndex('namespace', ns)) out.push({ group, plural, obj: obj as JsonObject });
      }
      for (const obj of quotas.cache.byIndex('namespace', ns)) out.push({ group: '', plural: 'resourcequotas', obj: obj as JsonObject });
      // count/<resource> of kinds not watched here: listed now.
      const have = new Set([...informers.map((i) => `${i.group}/${i.plural}`), '/resourcequotas']);
      for (const name of Object.keys(q.spec?.hard ?? {})) {
        const t = countTarget(name);
        if (!t || have.has(`${t.group}/${t.plural}`)) continue;
        have.add(`${t.group}/${t.plural}`);
        const r = (await discovery(signal)).find((d) => d.group === t.group && d.resource === t.plural && d.namespaced);
        if (!r) continue;
        const list = await ctx.client.resource<KubeObject>(r).listAll(ns, { signal });
        for (const obj of list.items) out.push({ group: t.group, plural: t.plural, obj: obj as JsonObject });
      }
      return out;
    }

    async function sync(key: string, signal: AbortSignal): Promise<void> {
      const q = quotas.cache.get(key);
      if (!q) return;
      queue.addAfter(key, resyncMs);
      const hard = toUsage(q.spec?.hard);
      const used = usedFor(q as QuotaLike, await objectsFor(q, signal), ctx.clock.now());
      const status = { hard: fromUsage(hard), used };
      if (semanticEqual(q.status?.hard ?? {}, status.hard) && semanticEqual(q.status?.used ?? {}, status.used)) return;
      await api.updateStatus({ ...q, status });
    }
    return {
      run: (signal) => runController({
        name: 'resourcequota-controller', queue, workers: 5, sync, signal, waitFor: [quotas, ...informers.map((i) => i.informer)],
      }),
    };
  },
};
