// A pod's QoS class, as kubelet computes it (GetPodQOS): it picks the cgroup the pod lives in
// and the OOM score of its containers. Only cpu and memory count.
import { compareQuantities, parseQuantity, zeroQuantity, addQuantities, type Quantity } from '../../apiserver/api/quantity.js';
import type { Pod } from '../kube-types.js';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const counted = ['cpu', 'memory'];

function positive(list: Record<string, string> | undefined): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  for (const name of counted) {
    const v = list?.[name];
    if (v === undefined) continue;
    try {
      const q = parseQuantity(v);
      if (compareQuantities(q, zeroQuantity) > 0) out.set(name, q);
    } catch {
      // invalid quantities were refused by the API server; ignore here
    }
  }
  return out;
}

export function podQOSClass(pod: Pod): QOSClass {
  if (pod.status?.qosClass) return pod.status.qosClass as QOSClass;
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    const req = positive(c.resources?.requests);
    const lim = positive(c.resources?.limits);
    for (const [k, q] of req) requests.set(k, requests.has(k) ? addQuantities(requests.get(k) as Quantity, q) : q);
    for (const [k, q] of lim) limits.set(k, limits.has(k) ? addQuantities(limits.get(k) as Quantity, q) : q);
    if (!lim.has('cpu') || !lim.has('memory')) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [k, q] of requests) {
      const l = limits.get(k);
      if (!l || compareQuantities(l, q) !== 0) guaranteed = false;
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
