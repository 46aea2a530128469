// Helpers several kinds share: immutability checks, resource lists of quantities and their
// names (classified in resource-names.ts).
import { badRequest } from '../errors.js';
import { invalidEach, invalidValue, type FieldError, type FieldPath } from '../field-errors.js';
import { deepEqual, isPlainObject, type KubeObject } from '../object.js';
import { formatQuantity, isInteger, isNegative, parseQuantity, QuantityError, type Quantity } from '../../../lib/quantity.js';
import { isQualifiedName } from '../validation/names.js';
import {
  isExtendedResourceName, isIntegerResourceName, isNativeResource, isStandardContainerResourceName, isStandardResourceName,
} from './resource-names.js';

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

/** validateResourceName: a qualified name, standard unless domain-qualified. */
export function validateResourceName(name: string, p: FieldPath): FieldError[] {
  const errs = invalidEach(p, name, isQualifiedName(name));
  if (errs.length) return errs;
  if (!name.includes('/') && !isStandardResourceName(name)) return [invalidValue(p, name, 'must be a standard resource type or fully qualified')];
  return [];
}

/** validateContainerResourceName: what a container (or a LimitRange item for one) may name. */
export function validateContainerResourceName(name: string, p: FieldPath): FieldError[] {
  const errs = validateResourceName(name, p);
  if (!name.includes('/')) {
    if (!isStandardContainerResourceName(name)) errs.push(invalidValue(p, name, 'must be a standard resource for containers'));
  } else if (!isNativeResource(name) && !isExtendedResourceName(name)) {
    errs.push(invalidValue(p, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** ValidateResourceQuantityValue: not negative, and whole for countable resources. */
export function validateResourceQuantity(name: string, value: string, p: FieldPath): FieldError[] {
  const q = parseQuantity(value);
  const errs: FieldError[] = [];
  if (isNegative(q)) errs.push(invalidValue(p, value, 'must be greater than or equal to 0'));
  if (isIntegerResourceName(name) && !isInteger(q)) errs.push(invalidValue(p, value, 'must be an integer'));
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
