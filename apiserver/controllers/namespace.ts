// namespace-controller: empties a Terminating namespace. Every namespaced resource the server
// serves (found through discovery, so custom resources too) is deleted; the status conditions
// say what is left; once nothing is, the "kubernetes" finalizer is removed through /finalize and
// the server deletes the namespace. Pods still terminating bring the next pass after about half
// their grace period, as in Kubernetes.
import { logger } from '../../lib/log.js';
import { isConflict, isNotFound } from '../../lib/client/api-error.js';
import { runController } from '../../lib/client/controller.js';
import { discoverResources, type DiscoveredResource } from '../../lib/client/discovery.js';
import { resources } from '../../lib/client/resource-types.js';
import { deepEqual } from '../api/object.js';
import type { KubeObject, Namespace, Pod } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import type { ControllerContext, ControllerDescriptor } from './context.js';
import { groupResourceName, namespaceConditions, type DeletionOutcome } from './namespace-conditions.js';

const log = logger('namespace-controller');
const finalizerName = 'kubernetes';
/** Kubernetes' namespaceDeletionGracePeriod. */
const namespaceDeletionGraceMs = 5000;

export const namespaceController: ControllerDescriptor = {
  name: 'namespace-controller',
  setup(ctx) {
    const namespaces = ctx.informers.informer<Namespace>(resources.namespaces);
    const queue = new WorkQueue<string>(ctx.clock);
    // As Kubernetes' controller, a terminating namespace is emptied only after a grace period,
    // so every API server sees the deletion (and refuses new content) before the cleanup lists
    // what is there; clients that watch for the namespace to go also see it Terminating first.
    const enqueue = (ns: Namespace) => {
      if (ns.metadata?.deletionTimestamp) queue.addAfter(ns.metadata.name ?? '', namespaceDeletionGraceMs);
    };
    namespaces.on({ add: enqueue, update: (_, ns) => enqueue(ns) });
    const sync = (name: string) => syncNamespace(ctx, queue, name);
    return { run: (signal) => runController({ name: 'namespace-controller', queue, workers: 5, sync, waitFor: [namespaces], signal }) };
  },
};

async function syncNamespace(ctx: ControllerContext, queue: WorkQueue<string>, name: string): Promise<void> {
  const api = ctx.client.resource<Namespace>(resources.namespaces);
  let ns: Namespace;
  try {
    ns = await api.get('', name);
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  if (!ns.metadata?.deletionTimestamp) return;
  if (!(ns.spec?.finalizers ?? []).includes(finalizerName)) return;
  const { outcome, estimateSeconds } = await deleteAllContent(ctx, name);
  ns = await updateConditions(ctx, ns, outcome);
  const left = [...outcome.remaining.values()].some((n) => n > 0);
  if (left || outcome.deleteErrors.length || outcome.discoveryFailures.size) {
    // Kubernetes checks again after about half the longest remaining grace period.
    queue.addAfter(name, (Math.floor(estimateSeconds / 2) + 1) * 1000);
    return;
  }
  const finalizers = (ns.spec?.finalizers ?? []).filter((f) => f !== finalizerName);
  try {
    await api.updateSubresource({ ...ns, spec: { ...ns.spec, finalizers } }, 'finalize');
    log.info({ namespace: name }, 'namespace finalized');
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

async function deleteAllContent(ctx: ControllerContext, namespace: string): Promise<{ outcome: DeletionOutcome; estimateSeconds: number }> {
  const outcome: DeletionOutcome = { discoveryFailures: new Map(), deleteErrors: [], remaining: new Map(), finalizers: new Map() };
  const discovery = await discoverResources(ctx.client);
  outcome.discoveryFailures = discovery.failed;
  const targets = discovery.resources.filter((r) => r.namespaced && r.verbs.includes('list') && r.verbs.includes('delete'));
  let estimateSeconds = 0;
  await Promise.all(targets.map(async (r) => {
    try {
      const { left, estimate } = await deleteResource(ctx, r, namespace, outcome);
      if (left > 0) outcome.remaining.set(groupResourceName(r.group, r.resource), left);
      estimateSeconds = Math.max(estimateSeconds, estimate);
    } catch (err) {
      outcome.deleteErrors.push(`${(err as Error).message}`);
    }
  }));
  return { outcome, estimateSeconds };
}

/** Deletes everything of one resource in the namespace; returns what is left and how long it may take. */
async function deleteResource(
  ctx: ControllerContext, r: DiscoveredResource, namespace: string, outcome: DeletionOutcome,
): Promise<{ left: number; estimate: number }> {
  const rc = ctx.client.resource<KubeObject>(r);
  const isPods = r.group === '' && r.resource === 'pods';
  if (r.verbs.includes('deletecollection')) {
    await rc.deleteCollection(namespace, { propagationPolicy: 'Background' });
  } else {
    const list = await rc.list(namespace);
    await Promise.all(list.items.map(async (o) => {
      try {
        await rc.delete(namespace, o.metadata?.name ?? '', { propagationPolicy: 'Background' });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }));
  }
  const after = await rc.list(namespace);
  let estimate = 0;
  for (const o of after.items) {
    for (const f of o.metadata?.finalizers ?? []) outcome.finalizers.set(f, (outcome.finalizers.get(f) ?? 0) + 1);
    if (isPods) {
      const p = o as Pod;
      estimate = Math.max(estimate, p.metadata?.deletionGracePeriodSeconds ?? p.spec?.terminationGracePeriodSeconds ?? 30);
    }
  }
  // Objects held only by finalizers wait for whoever owns them; check back soon.
  if (after.items.length && !isPods) estimate = Math.max(estimate, 1);
  return { left: after.items.length, estimate };
}

async function updateConditions(ctx: ControllerContext, ns: Namespace, outcome: DeletionOutcome): Promise<Namespace> {
  const api = ctx.client.resource<Namespace>(resources.namespaces);
  for (let attempt = 0; attempt < 5; attempt++) {
    const conditions = namespaceConditions(ns.status?.conditions, outcome, ctx.clock.now());
    if (ns.status?.phase === 'Terminating' && deepEqual(conditions, ns.status?.conditions)) return ns;
    try {
      return await api.updateStatus({ ...ns, status: { ...ns.status, phase: 'Terminating', conditions } });
    } catch (err) {
      if (!isConflict(err)) throw err;
      ns = await api.get('', ns.metadata?.name ?? '');
    }
  }
  return ns;
}
