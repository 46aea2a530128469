// The pods/eviction subresource (policy/v1 Eviction), as Kubernetes' eviction REST does: a pod
// covered by a PodDisruptionBudget is deleted only while the budget allows a disruption; the
// budget's disruptionsAllowed is taken down and the pod recorded in disruptedPods first, so
// concurrent evictions cannot overdraw it. Otherwise 429 "Cannot evict pod as it would violate
// the pod's disruption budget." The evicted pod gets the DisruptionTarget condition.
import { badRequest, forbidden, internalError, isStatusError, success, tooManyRequests, type StatusError } from '../../api/errors.js';
import { isPlainObject, timestamp, type KubeObject } from '../../api/object.js';
import { fromLabelSelectorSpec, type LabelSelectorSpec } from '../../api/selectors/labels.js';
import type { ApiContext } from '../api-context.js';
import type { RequestContext } from '../context.js';
import { decoded } from '../decoded.js';
import type { DeleteOptions } from '../rest-store.js';

interface PodLike extends KubeObject {
  status?: { phase?: string; conditions?: Array<{ type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string | null; lastProbeTime?: string | null }> };
}

interface Budget extends KubeObject {
  spec?: { selector?: LabelSelectorSpec; unhealthyPodEvictionPolicy?: string };
  status?: {
    observedGeneration?: number; disruptionsAllowed?: number; currentHealthy?: number; desiredHealthy?: number;
    disruptedPods?: Record<string, string>; conditions?: Array<{ type: string; status: string; reason?: string; message?: string; observedGeneration?: number; lastTransitionTime?: string }>;
  };
}

/** Evictions not yet confirmed by the disruption controller that a budget may hold. */
const maxDisruptedPods = 2000;
const retries = 20;

const isReady = (p: PodLike) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

function budgetError(message: string, retryAfterSeconds: number, cause: string): StatusError {
  const err = tooManyRequests(message, retryAfterSeconds);
  err.status.details = { ...(retryAfterSeconds > 0 ? { retryAfterSeconds } : {}), causes: [{ reason: 'DisruptionBudget', message: cause }] };
  return err;
}

const violation = "Cannot evict pod as it would violate the pod's disruption budget.";

/**
 * checkAndDecrement: whether the budget allows one more disruption; returns the budget with
 * disruptionsAllowed lowered, the pod recorded and the condition updated, or throws the refusal.
 */
export function takeDisruption(pdb: Budget, podName: string, now: string): Budget {
  const s = pdb.status ?? {};
  if ((s.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) {
    throw budgetError(violation, 10, `The disruption budget ${pdb.metadata.name} is still being processed by the server.`);
  }
  const allowed = s.disruptionsAllowed ?? 0;
  const gr = { group: 'policy', resource: 'poddisruptionbudget' };
  if (allowed < 0) throw forbidden(gr, pdb.metadata.name ?? '', 'pdb disruptions allowed is negative');
  if (Object.keys(s.disruptedPods ?? {}).length > maxDisruptedPods) {
    throw forbidden(gr, pdb.metadata.name ?? '', 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  }
  if (allowed === 0) {
    throw budgetError(violation, 0, `The disruption budget ${pdb.metadata.name} needs ${s.desiredHealthy ?? 0} healthy pods and has ${s.currentHealthy ?? 0} currently`);
  }
  const status = { ...s, disruptionsAllowed: allowed - 1, disruptedPods: { ...s.disruptedPods, [podName]: now } };
  if (status.disruptionsAllowed === 0) {
    const conditions = (status.conditions ?? []).filter((c) => c.type !== 'DisruptionAllowed');
    const prev = s.conditions?.find((c) => c.type === 'DisruptionAllowed');
    conditions.push({
      type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: status.observedGeneration,
      lastTransitionTime: prev?.status === 'False' ? prev.lastTransitionTime : now,
    });
    status.conditions = conditions;
  }
  return { ...pdb, status };
}

export function evictionExtensions(api: ApiContext): void {
  api.extend('', 'pods', {
    subresources: [{
      name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', otherVersions: ['policy/v1beta1'], verbs: ['create'],
      async create(req, eviction) {
        const ns = req.namespace;
        const name = req.name;
        if (eviction.metadata.name && eviction.metadata.name !== name) throw badRequest('name in URL does not match name in Eviction object');
        const opts = (isPlainObject(eviction.deleteOptions) ? eviction.deleteOptions : {}) as DeleteOptions & { dryRun?: string[] };
        const ctx = { ...req.ctx, dryRun: req.ctx.dryRun || (opts.dryRun ?? []).includes('All') };
        await evict(api, ns, name, opts, ctx);
        return { ...success(), code: 201 };
      },
    }],
  });
}

async function evict(api: ApiContext, ns: string, name: string, opts: DeleteOptions, ctx: RequestContext): Promise<void> {
  const pods = api.storeFor('', 'pods');
  const budgets = api.storeFor('policy', 'poddisruptionbudgets');
  for (let attempt = 0; ; attempt++) {
    const pod = decoded(pods.get(ns, name)) as PodLike;
    const phase = pod.status?.phase;
    // Finished, never-started or already-deleting pods are not protected by any budget.
    const unprotected = phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !!pod.metadata.deletionTimestamp;
    const matching = unprotected ? [] : api.store.list(budgets.prefix(ns)).items.map((kv) => JSON.parse(kv.value) as Budget)
      .filter((b) => {
        try {
          return fromLabelSelectorSpec(b.spec?.selector).matches(pod.metadata.labels ?? {});
        } catch {
          return false;
        }
      });
    if (matching.length > 1) throw internalError(new Error('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.'));
    const pdb = matching[0];
    // A pod that is not ready counts for nothing: evicting it costs no budget when the budget is
    // healthy anyway (IfHealthyBudget) or always (AlwaysAllow).
    const free = !pdb || (!isReady(pod) && (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow'
      || (pdb.status?.currentHealthy ?? 0) >= (pdb.status?.desiredHealthy ?? 0)));
    if (!free) {
      const next = takeDisruption(pdb, name, timestamp());
      if (ctx.dryRun) return;
      try {
        await budgets.guaranteedUpdate(ns, pdb.metadata.name ?? '', ctx, () => next, { subresource: 'status', expectedRV: Number(pdb.metadata.resourceVersion) });
      } catch (err) {
        if (isStatusError(err, 'Conflict') && attempt < retries) continue;
        throw err;
      }
    }
    if (ctx.dryRun) return;
    await markDisruptionTarget(api, ns, name, ctx);
    await pods.delete(ns, name, { ...opts, preconditions: opts.preconditions ?? { uid: pod.metadata.uid } }, ctx);
    return;
  }
}

/** The DisruptionTarget condition Kubernetes puts on a pod it evicts. */
async function markDisruptionTarget(api: ApiContext, ns: string, name: string, ctx: RequestContext): Promise<void> {
  await api.storeFor('', 'pods').guaranteedUpdate(ns, name, ctx, (cur) => {
    const pod = cur as PodLike;
    const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
    conditions.push({ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastProbeTime: null, lastTransitionTime: timestamp() });
    pod.status = { ...pod.status, conditions };
    return pod;
  }, { subresource: 'status' });
}
