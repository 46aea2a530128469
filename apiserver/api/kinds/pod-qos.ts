// A pod's QoS class (core/helper/qos ComputePodQOS): Guaranteed when every container limits cpu
// and memory and requests equal limits, BestEffort with no requests or limits, else Burstable.
import { addQuantities, compareQuantities, tryParseQuantity, zeroQuantity, type Quantity } from '../quantity.js';
import { asObject, objects, type JsonObject } from './json.js';

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

export function computePodQOS(spec: JsonObject): QOSClass {
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
