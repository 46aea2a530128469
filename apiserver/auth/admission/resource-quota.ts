// ResourceQuota admission: a create (or a service or claim update) that would take a
// namespace's usage past a quota's hard limit is refused with Kubernetes' 403 ("exceeded quota:
// q, requested: pods=1, used: pods=2, limited: pods=2"), as is a pod that leaves cpu or memory
// unstated under a quota that limits them. Admitted usage is charged to the quota's status at
// once, so concurrent creates cannot all slip under the limit; the quota controller later
// recomputes usage from what exists.
import { forbidden } from '../../api/errors.js';
import type { JsonObject } from '../../api/kinds/json.js';
import type { RestStore } from '../../registry/rest-store.js';
import { systemUser, type AdmissionAttributes } from '../../registry/context.js';
import type { Store } from '../../storage/interfaces.js';
import type { AdmissionPlugin } from './chain.js';
import { compareQuantities, zeroQuantity } from '../../../lib/quantity.js';
import {
  addUsage, exceeded, fromUsage, maskUsage, missingConstraints, objectUsage, prettyPrint, quotaApplies, subtractUsage, toUsage,
  touches, type PodLike, type QuotaLike, type Usage,
} from './quota-usage.js';

/** Updates Kubernetes charges quota for besides creates: those that can change what is counted. */
const chargedUpdates = new Set(['/services', '/persistentvolumeclaims']);

/** What the write adds: the new object's usage, less the old one's on updates; only increases count. */
function requested(a: AdmissionAttributes, now: number): Usage {
  const usage = objectUsage(a.def.group, a.def.plural, a.object as JsonObject, now);
  if (a.operation !== 'UPDATE' || !a.oldObject) return usage;
  const delta = subtractUsage(usage, objectUsage(a.def.group, a.def.plural, a.oldObject as JsonObject, now));
  for (const [k, v] of delta) if (compareQuantities(v, zeroQuantity) <= 0) delta.delete(k);
  return delta;
}

/**
 * The decision for one request against the namespace's quotas: throws the 403 Kubernetes sends,
 * or returns the charges to record (quota name -> new used).
 */
export function evaluateQuotas(a: AdmissionAttributes, quotas: readonly QuotaLike[], now: number): Map<string, Usage> {
  const gr = { group: a.def.group, resource: a.def.plural };
  const delta = requested(a, now);
  const charges = new Map<string, Usage>();
  for (const q of [...quotas].sort((x, y) => (x.metadata?.name ?? '').localeCompare(y.metadata?.name ?? ''))) {
    const name = q.metadata?.name ?? '';
    if (!quotaApplies(q, a.def.group, a.def.plural, a.object as JsonObject)) continue;
    const hard = toUsage(q.status?.hard);
    const hardNames = [...hard.keys()];
    if (a.def.group === '' && a.def.plural === 'pods' && a.operation === 'CREATE') {
      const missing = missingConstraints(a.object as PodLike, hardNames);
      if (missing) throw forbidden(gr, a.name, `failed quota: ${name}: ${missing}`);
    }
    const interesting = touches(delta, hardNames);
    if (interesting.length === 0) continue;
    const used = toUsage(q.status?.used);
    const unknown = interesting.filter((r) => !used.has(r));
    if (unknown.length) throw forbidden(gr, a.name, `status unknown for quota: ${name}, resources: ${unknown.sort().join(',')}`);
    const charge = maskUsage(delta, interesting);
    const next = addUsage(used, charge);
    const over = exceeded(maskUsage(next, interesting), maskUsage(hard, interesting));
    if (over.length) {
      throw forbidden(gr, a.name, `exceeded quota: ${name}, requested: ${prettyPrint(maskUsage(charge, over))}, used: ${prettyPrint(maskUsage(used, over))}, limited: ${prettyPrint(maskUsage(hard, over))}`);
    }
    charges.set(name, next);
  }
  return charges;
}

export function resourceQuotaAdmission(store: Store, quotas: RestStore): AdmissionPlugin {
  /** Admission for one namespace at a time, so two creates cannot both take the last unit. */
  const lanes = new Map<string, Promise<void>>();
  const inLane = async <T>(namespace: string, fn: () => Promise<T>): Promise<T> => {
    const prev = lanes.get(namespace) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const chained = prev.then(() => mine);
    lanes.set(namespace, chained);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      if (lanes.get(namespace) === chained) lanes.delete(namespace);
    }
  };
  return {
    name: 'ResourceQuota',
    async validate(a) {
      if (a.subresource || !a.object || !a.def.namespaced || !a.namespace) return;
      const key = `${a.def.group}/${a.def.plural}`;
      if (a.operation !== 'CREATE' && !(a.operation === 'UPDATE' && chargedUpdates.has(key))) return;
      const prefix = quotas.prefix(a.namespace);
      if (store.list(prefix).items.length === 0) return;
      await inLane(a.namespace, async () => {
        const current = store.list(prefix).items.map((kv) => JSON.parse(kv.value) as QuotaLike);
        const charges = evaluateQuotas(a, current, Date.now());
        if (a.ctx.dryRun) return;
        for (const [name, used] of charges) {
          await quotas.guaranteedUpdate(a.namespace, name, { user: systemUser, namespace: a.namespace, dryRun: false }, (cur) => {
            const status = (cur.status ?? {}) as { used?: Record<string, string> };
            // Only the charged resources change; others keep what the controller computed.
            status.used = { ...status.used, ...fromUsage(used) };
            cur.status = status;
            return cur;
          }, { subresource: 'status' });
        }
      });
    },
  };
}
