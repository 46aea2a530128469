// pod-garbage-collector-controller: every 20 s, as Kubernetes' PodGC:
// - pods bound to a node that no longer exists (gone for 40 s, checked live) are marked Failed
//   with a DisruptionTarget condition and force-deleted;
// - pods being deleted that were never scheduled are force-deleted (no kubelet will);
// - pods being deleted on a NotReady node tainted node.kubernetes.io/out-of-service are
//   force-deleted;
// - beyond --terminated-pod-gc-threshold (12,500) finished pods, the oldest are deleted.
import { logger } from '../../lib/log.js';
import { isConflict, isNotFound } from '../../lib/client/api-error.js';
import { resources } from '../../lib/client/resource-types.js';
import { rfc3339, type Node, type Pod } from '../../lib/client/types.js';
import type { ControllerDescriptor } from './context.js';

const log = logger('pod-garbage-collector-controller');
const checkPeriodMs = 20_000;
const quarantineMs = 40_000;
const terminatedThreshold = 12_500;

const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** Finished pods to delete to get back under the threshold, oldest first. */
export function terminatedOverThreshold(pods: readonly Pod[], threshold: number): Pod[] {
  const done = pods.filter((p) => isTerminal(p) && !p.metadata?.deletionTimestamp);
  if (done.length <= threshold) return [];
  const created = (p: Pod) => Date.parse(p.metadata?.creationTimestamp ?? '') || 0;
  return done.sort((a, b) => created(a) - created(b)).slice(0, done.length - threshold);
}

export const podGarbageCollector: ControllerDescriptor = {
  name: 'pod-garbage-collector-controller',
  setup(ctx) {
    const pods = ctx.informers.informer<Pod>(resources.pods);
    const nodes = ctx.informers.informer<Node>(resources.nodes);
    const podApi = ctx.client.resource<Pod>(resources.pods);
    const nodeApi = ctx.client.resource<Node>(resources.nodes);
    /** Node names seen missing, and since when. */
    const missingSince = new Map<string, number>();

    const forceDelete = async (p: Pod, markFailed?: { reason: string; message: string }) => {
      const ns = p.metadata?.namespace ?? '';
      const name = p.metadata?.name ?? '';
      try {
        if (markFailed && !isTerminal(p)) {
          const conditions = (p.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
          conditions.push({ type: 'DisruptionTarget', status: 'True', reason: markFailed.reason, message: markFailed.message, lastTransitionTime: rfc3339(ctx.clock.now()) });
          await podApi.patch(ns, name, { status: { phase: 'Failed', conditions } }, 'merge', { subresource: 'status' });
        }
        await podApi.delete(ns, name, { gracePeriodSeconds: 0, preconditions: { uid: p.metadata?.uid } });
        log.info({ pod: `${ns}/${name}` }, 'deleted pod');
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    };

    const nodeGone = async (name: string): Promise<boolean> => {
      try {
        await nodeApi.get('', name);
        return false;
      } catch (err) {
        if (isNotFound(err)) return true;
        throw err;
      }
    };

    async function pass(): Promise<void> {
      const now = ctx.clock.now();
      const all = pods.cache.list();
      for (const p of terminatedOverThreshold(all, terminatedThreshold)) await forceDelete(p);
      const nodeNames = new Set(nodes.cache.keys());
      for (const name of missingSince.keys()) if (nodeNames.has(name)) missingSince.delete(name);
      for (const p of all) {
        const node = p.spec?.nodeName;
        if (!node) {
          if (p.metadata?.deletionTimestamp) await forceDelete(p);
          continue;
        }
        if (!nodeNames.has(node)) {
          const since = missingSince.get(node) ?? now;
          missingSince.set(node, since);
          if (now - since >= quarantineMs && (await nodeGone(node))) {
            await forceDelete(p, { reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' });
          }
          continue;
        }
        if (p.metadata?.deletionTimestamp) {
          const n = nodes.cache.get(node);
          const ready = n?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
          const outOfService = n?.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/out-of-service');
          if (!ready && outOfService) await forceDelete(p, { reason: 'DeletionByPodGC', message: 'PodGC: node is out of service' });
        }
      }
    }

    return {
      async run(signal) {
        if (!(await pods.waitForSync(signal)) || !(await nodes.waitForSync(signal))) return;
        while (!signal.aborted) {
          await ctx.clock.sleep(checkPeriodMs, signal);
          if (signal.aborted) break;
          await pass().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'pod garbage collection failed'));
        }
      },
    };
  },
};
