// A pod's QoS class (core/helper/qos ComputePodQOS): Guaranteed when every container limits cpu
// and memory and requests equal limits, BestEffort with no requests or limits, else Burstable.
// The API server records it in status.qosClass; the node agent picks cgroups and OOM scores by
// it. It reads the spec as sent (admission runs before validation), so anything may be in it.
import { addQuantities, compareQuantities, tryParseQuantity, zeroQuantity, type Quantity } from './quantity.js';

type JsonObject = Record<string, unknown>;

const asObject = (v: unknown): JsonObject | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : undefined);
const objects = (v: unknown): JsonObject[] => (Array.isArray(v) ? v.map(asObject).filter((o) => o !== undefined) : []);

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const qosResources = new Set(['cpu', 'memory']);

/** Sums the positive cpu/memory quantities of a list into `into`; returns the names seen. */
function accumulate(list: unknown, into: Map<string, Quantity>): Set<string> {
  const found = new Set<string>();
  for (const [name, v] of Object.entries(asObject(list) ?? {})) {
    const q = tryParseQuantity(v);
    if (!qosResources.has(name) || !q || compareQuantities(q, zeroQuantity) <= 0) continue;
    found.add(name);
    const cur = into.get(name);
    into.set(name, cur ? addQuantities(q, cur) : q);
  }
  return found;
}

/** The QoS class of a pod spec (its containers' and init containers' cpu and memory). */
export function computePodQOS(spec: { containers?: unknown; initContainers?: unknown }): QOSClass {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  for (const c of [...objects(spec.containers), ...objects(spec.initContainers)]) {
    const resources = asObject(c.resources);
    accumulate(resources?.requests, requests);
    const limitsFound = accumulate(resources?.limits, limits);
    if (!limitsFound.has('cpu') || !limitsFound.has('memory')) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (!lim || compareQuantities(lim, req) !== 0) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
