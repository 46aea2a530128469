// LimitRanger: the LimitRanges of a namespace give new pods' containers default requests and
// limits (noted in the kubernetes.io/limit-ranger annotation), and bound containers, pods and
// claims by min, max and maxLimitRequestRatio, with Kubernetes' messages.
import { forbidden } from '../../api/errors.js';
import { computePodQOS } from '../../../lib/pod-qos.js';
import type { JsonObject } from '../../api/kinds/json.js';
import type { ResourceList } from '../../api/kinds/common.js';
import type { LimitRange, LimitRangeItem } from '../../api/kinds/limit-range.js';
import type { KubeObject } from '../../api/object.js';
import { formatQuantity, parseQuantity, quantityMilliValue, tryParseQuantity, type Quantity } from '../../../lib/quantity.js';
import type { Store } from '../../storage/interfaces.js';
import type { AdmissionPlugin } from './chain.js';

export type { LimitRange };

export const limitRangerAnnotation = 'kubernetes.io/limit-ranger';


interface Container {
  name?: string;
  resources?: { requests?: ResourceList; limits?: ResourceList };
}

interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
}

/** mergeContainerResources for one container; returns the annotation parts it adds. */
function mergeContainer(c: Container, defaults: { requests: ResourceList; limits: ResourceList }, prefix: string): string[] {
  const res = (c.resources ??= {});
  const setLimits: string[] = [];
  const setRequests: string[] = [];
  for (const [k, v] of Object.entries(defaults.limits)) {
    if (res.limits && k in res.limits) continue;
    (res.limits ??= {})[k] = v;
    setLimits.push(k);
  }
  for (const [k, v] of Object.entries(defaults.requests)) {
    if (res.requests && k in res.requests) continue;
    (res.requests ??= {})[k] = v;
    setRequests.push(k);
  }
  const out: string[] = [];
  if (setRequests.length) out.push(`${setRequests.sort().join(', ')} request for ${prefix} ${c.name}`);
  if (setLimits.length) out.push(`${setLimits.sort().join(', ')} limit for ${prefix} ${c.name}`);
  return out;
}

/** PodMutateLimitFunc: fills container defaults from the range's Container items. */
export function applyDefaults(pod: KubeObject, lr: LimitRange): boolean {
  const defaults = { requests: {} as ResourceList, limits: {} as ResourceList };
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== 'Container') continue;
    Object.assign(defaults.requests, item.defaultRequest);
    Object.assign(defaults.limits, item.default);
  }
  const spec = (pod.spec ?? {}) as PodSpec;
  const notes = [
    ...(spec.containers ?? []).flatMap((c) => mergeContainer(c, defaults, 'container')),
    ...(spec.initContainers ?? []).flatMap((c) => mergeContainer(c, defaults, 'init container')),
  ];
  if (!notes.length) return false;
  pod.metadata.annotations = { ...pod.metadata.annotations, [limitRangerAnnotation]: `LimitRanger plugin set: ${notes.join('; ')}` };
  return true;
}

/** requestLimitEnforcedValues: compare in milli units (values here never overflow them). */
const milli = (q: Quantity | undefined): bigint => (q ? quantityMilliValue(q) : 0n);

function minConstraint(type: string, name: string, enforced: Quantity, req: ResourceList | undefined, lim: ResourceList | undefined): string | undefined {
  const r = tryParseQuantity(req?.[name]);
  const l = tryParseQuantity(lim?.[name]);
  const e = formatQuantity(enforced);
  if (!r) return `minimum ${name} usage per ${type} is ${e}.  No request is specified`;
  if (milli(r) < milli(enforced)) return `minimum ${name} usage per ${type} is ${e}, but request is ${formatQuantity(r)}`;
  if (l && milli(l) < milli(enforced)) return `minimum ${name} usage per ${type} is ${e}, but limit is ${formatQuantity(l)}`;
  return undefined;
}

function maxConstraint(type: string, name: string, enforced: Quantity, req: ResourceList | undefined, lim: ResourceList | undefined): string | undefined {
  const r = tryParseQuantity(req?.[name]);
  const l = tryParseQuantity(lim?.[name]);
  const e = formatQuantity(enforced);
  if (!l) return `maximum ${name} usage per ${type} is ${e}.  No limit is specified`;
  if (milli(l) > milli(enforced)) return `maximum ${name} usage per ${type} is ${e}, but limit is ${formatQuantity(l)}`;
  if (r && milli(r) > milli(enforced)) return `maximum ${name} usage per ${type} is ${e}, but request is ${formatQuantity(r)}`;
  return undefined;
}

function maxRequestConstraint(type: string, name: string, enforced: Quantity, req: ResourceList | undefined): string | undefined {
  const r = tryParseQuantity(req?.[name]);
  const e = formatQuantity(enforced);
  if (!r) return `maximum ${name} usage per ${type} is ${e}.  No request is specified`;
  if (milli(r) > milli(enforced)) return `maximum ${name} usage per ${type} is ${e}, but request is ${formatQuantity(r)}`;
  return undefined;
}

function ratioConstraint(type: string, name: string, enforced: Quantity, req: ResourceList | undefined, lim: ResourceList | undefined): string | undefined {
  const r = milli(tryParseQuantity(req?.[name]));
  const l = milli(tryParseQuantity(lim?.[name]));
  const e = formatQuantity(enforced);
  if (r === 0n) return `${name} max limit to request ratio per ${type} is ${e}, but no request is specified or request is 0`;
  if (l === 0n) return `${name} max limit to request ratio per ${type} is ${e}, but no limit is specified or limit is 0`;
  const ratio = Number(l) / Number(r);
  if (ratio * 1000 > Number(milli(enforced))) return `${name} max limit to request ratio per ${type} is ${e}, but provided ratio is ${ratio.toFixed(6)}`;
  return undefined;
}

function sumLists(lists: Array<ResourceList | undefined>): ResourceList {
  const out: ResourceList = {};
  const keys = new Set(lists.flatMap((l) => Object.keys(l ?? {})));
  for (const k of keys) {
    let total = 0n;
    let all = true;
    for (const l of lists) {
      const q = tryParseQuantity(l?.[k]);
      if (!q) all = false;
      else total += quantityMilliValue(q);
    }
    // A resource missing from any container is left out of the pod total, as Kubernetes sums.
    if (all) out[k] = formatQuantity(parseQuantity(`${total}m`));
  }
  return out;
}

function checkBounds(item: LimitRangeItem, type: string, req: ResourceList | undefined, lim: ResourceList | undefined, errs: string[]): void {
  for (const [k, v] of Object.entries(item.min ?? {})) {
    const e = minConstraint(type, k, parseQuantity(v), req, lim);
    if (e) errs.push(e);
  }
  for (const [k, v] of Object.entries(item.max ?? {})) {
    const e = maxConstraint(type, k, parseQuantity(v), req, lim);
    if (e) errs.push(e);
  }
  for (const [k, v] of Object.entries(item.maxLimitRequestRatio ?? {})) {
    const e = ratioConstraint(type, k, parseQuantity(v), req, lim);
    if (e) errs.push(e);
  }
}

/** PodValidateLimitFunc: every container (and the pod's totals) within the range. */
export function podViolations(pod: KubeObject, lr: LimitRange): string[] {
  const spec = (pod.spec ?? {}) as PodSpec;
  const errs: string[] = [];
  for (const item of lr.spec?.limits ?? []) {
    if (item.type === 'Container') {
      for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) checkBounds(item, 'Container', c.resources?.requests, c.resources?.limits, errs);
    }
    if (item.type === 'Pod') {
      const containers = spec.containers ?? [];
      checkBounds(item, 'Pod', sumLists(containers.map((c) => c.resources?.requests)), sumLists(containers.map((c) => c.resources?.limits)), errs);
    }
  }
  return errs;
}

/** PersistentVolumeClaimValidateLimitFunc: the claim's storage request within min and max. */
export function claimViolations(pvc: KubeObject, lr: LimitRange): string[] {
  const requests = ((pvc.spec ?? {}) as { resources?: { requests?: ResourceList } }).resources?.requests;
  const errs: string[] = [];
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== 'PersistentVolumeClaim') continue;
    for (const [k, v] of Object.entries(item.min ?? {})) {
      const e = minConstraint('PersistentVolumeClaim', k, parseQuantity(v), requests, {});
      if (e) errs.push(e);
    }
    for (const [k, v] of Object.entries(item.max ?? {})) {
      const e = maxRequestConstraint('PersistentVolumeClaim', k, parseQuantity(v), requests);
      if (e) errs.push(e);
    }
  }
  return errs;
}

/** utilerrors.NewAggregate's text: one message alone, several in brackets. */
export function aggregateText(errs: string[]): string {
  return errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
}

export function limitRanger(store: Store, prefix: (namespace: string) => string): AdmissionPlugin {
  const ranges = (namespace: string): LimitRange[] =>
    store.list(prefix(namespace)).items.map((kv) => JSON.parse(kv.value) as LimitRange);
  const isPod = (a: { def: { group: string; plural: string } }) => a.def.group === '' && a.def.plural === 'pods';
  const isClaim = (a: { def: { group: string; plural: string } }) => a.def.group === '' && a.def.plural === 'persistentvolumeclaims';
  return {
    name: 'LimitRanger',
    mutate(a) {
      if (a.subresource || !a.object || !isPod(a) || a.operation !== 'CREATE') return;
      let changed = false;
      for (const lr of ranges(a.namespace)) if (applyDefaults(a.object, lr)) changed = true;
      // The QoS class was computed before these defaults: compute it again.
      const status = a.object.status as { qosClass?: string } | undefined;
      if (changed && status) status.qosClass = computePodQOS((a.object.spec ?? {}) as JsonObject);
    },
    validate(a) {
      if (a.subresource || !a.object) return;
      const pod = isPod(a) && a.operation === 'CREATE';
      const claim = isClaim(a) && (a.operation === 'CREATE' || a.operation === 'UPDATE');
      if (!pod && !claim) return;
      for (const lr of ranges(a.namespace)) {
        const errs = pod ? podViolations(a.object, lr) : claimViolations(a.object, lr);
        if (errs.length) throw forbidden({ group: '', resource: a.def.plural }, a.name, aggregateText(errs));
      }
    },
  };
}
