// Helpers several kinds share: immutability checks, resource lists of quantities, and the
// resource-name rules of Kubernetes' core helper package.
import { badRequest } from '../errors.js';
import { invalidEach, invalidValue, type FieldError, type FieldPath } from '../field-errors.js';
import { deepEqual, isPlainObject, type KubeObject } from '../object.js';
import { formatQuantity, isInteger, isNegative, parseQuantity, QuantityError, type Quantity } from '../quantity.js';
import { isQualifiedName } from '../validation/names.js';

export const fieldImmutable = 'field is immutable';

/** ValidateImmutableField: an error when a field changed, showing the new value. */
export function immutable(value: unknown, old: unknown, p: FieldPath): FieldError[] {
  return deepEqual(value ?? null, old ?? null) ? [] : [invalidValue(p, value ?? null, fieldImmutable)];
}

/** A field of an object as a typed record (created empty when asked to). */
export function recordOf<T extends object>(obj: KubeObject, key: string, create = false): T | undefined {
  const v = obj[key];
  if (isPlainObject(v)) return v as T;
  if (create) return (obj[key] = {}) as T;
  return undefined;
}

export type ResourceList = Record<string, string>;

/** The error a body gets when it cannot be decoded into the kind (a 400, not a 422). */
export function undecodable(kind: string, version: string, why: string): Error {
  return badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: ${why}`);
}

/**
 * Rewrites every quantity of a resource list in canonical form, as decoding and re-encoding
 * does in Kubernetes ("1.5Gi" is stored as "1536Mi"). Malformed ones fail the decode.
 */
export function canonicalizeResourceList(list: unknown, kind: string, version = 'v1'): void {
  if (!isPlainObject(list)) return;
  for (const [k, v] of Object.entries(list)) {
    try {
      if (typeof v !== 'string' && typeof v !== 'number') throw new QuantityError('quantities must be strings or numbers');
      list[k] = formatQuantity(parseQuantity(v));
    } catch (err) {
      throw undecodable(kind, version, (err as Error).message);
    }
  }
}

export function quantityOf(list: ResourceList | undefined, name: string): Quantity | undefined {
  const v = list?.[name];
  return v === undefined ? undefined : parseQuantity(v);
}

const standardContainerResources = new Set(['cpu', 'memory', 'ephemeral-storage']);
const standardResources = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'pods', 'services', 'replicationcontrollers',
  'resourcequotas', 'secrets', 'persistentvolumeclaims', 'configmaps', 'services.nodeports',
  'services.loadbalancers', 'storage', 'requests.storage',
]);
const standardQuotaResources = new Set([
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims',
  'storage', 'requests.storage', 'services.nodeports', 'services.loadbalancers', 'cpu', 'memory', 'ephemeral-storage',
  'requests.cpu', 'requests.memory', 'requests.ephemeral-storage', 'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
]);
const integerResources = new Set([
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims',
  'services.nodeports', 'services.loadbalancers',
]);

const isHugePages = (name: string) => name.startsWith('hugepages-');
const isNative = (name: string) => !name.includes('/') || name.includes('kubernetes.io/');
/** Extended resources: domain-prefixed, not in kubernetes.io, not a quota "requests." name. */
export const isExtendedResourceName = (name: string): boolean =>
  !isNative(name) && !name.startsWith('requests.') && isQualifiedName(`requests.${name}`).length === 0;

export const isStandardContainerResource = (name: string): boolean => standardContainerResources.has(name) || isHugePages(name);
const isStandardResource = (name: string): boolean =>
  standardResources.has(name) || isHugePages(name) || name.startsWith('requests.hugepages-') || name.startsWith('limits.hugepages-');
export const isStandardQuotaResource = (name: string): boolean =>
  standardQuotaResources.has(name) || name.startsWith('requests.hugepages-') || name.startsWith('count/');
export const isIntegerResource = (name: string): boolean => integerResources.has(name) || isExtendedResourceName(name);

/** validateResourceName: a qualified name, standard unless domain-qualified. */
export function validateResourceName(name: string, p: FieldPath): FieldError[] {
  const errs = invalidEach(p, name, isQualifiedName(name));
  if (errs.length) return errs;
  if (!name.includes('/') && !isStandardResource(name)) return [invalidValue(p, name, 'must be a standard resource type or fully qualified')];
  return [];
}

/** validateContainerResourceName: what a container (or a LimitRange item for one) may name. */
export function validateContainerResourceName(name: string, p: FieldPath): FieldError[] {
  const errs = validateResourceName(name, p);
  if (!name.includes('/')) {
    if (!isStandardContainerResource(name)) errs.push(invalidValue(p, name, 'must be a standard resource for containers'));
  } else if (!isNative(name) && !isExtendedResourceName(name)) {
    errs.push(invalidValue(p, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** ValidateResourceQuantityValue: not negative, and whole for countable resources. */
export function validateResourceQuantity(name: string, value: string, p: FieldPath): FieldError[] {
  const q = parseQuantity(value);
  const errs: FieldError[] = [];
  if (isNegative(q)) errs.push(invalidValue(p, value, 'must be greater than or equal to 0'));
  if (isIntegerResource(name) && !isInteger(q)) errs.push(invalidValue(p, value, 'must be an integer'));
  return errs;
}

/** The access modes column: "RWO,ROX,RWX,RWOP" in that order, duplicates removed. */
export function accessModesText(modes: readonly string[] | undefined): string {
  const set = new Set(modes ?? []);
  const out: string[] = [];
  if (set.has('ReadWriteOnce')) out.push('RWO');
  if (set.has('ReadOnlyMany')) out.push('ROX');
  if (set.has('ReadWriteMany')) out.push('RWX');
  if (set.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}
