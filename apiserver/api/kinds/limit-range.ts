// LimitRanges: container items get default limits and requests filled from max/default/min
// (SetDefaults_LimitRangeItem), and the bounds must be consistent.
import { duplicate, forbiddenField, invalidEach, invalidValue, path, required, type FieldError, type FieldPath } from '../field-errors.js';
import type { KubeObject } from '../object.js';
import { compareQuantities, parseQuantity, quantityValue, type Quantity } from '../../../lib/quantity.js';
import type { Strategy } from '../resource.js';
import { isQualifiedName } from '../validation/names.js';
import { canonicalizeResourceList, validateContainerResourceName, validateResourceName, type ResourceList } from './common.js';
import { isOvercommitAllowed } from './resource-names.js';

export interface LimitRangeItem {
  type?: string;
  max?: ResourceList;
  min?: ResourceList;
  default?: ResourceList;
  defaultRequest?: ResourceList;
  maxLimitRequestRatio?: ResourceList;
}

export type LimitRange = KubeObject & { spec?: { limits?: LimitRangeItem[] } };

const limitTypes = new Set(['Pod', 'Container', 'PersistentVolumeClaim']);
const listFields = ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const;


function defaultItem(item: LimitRangeItem): void {
  if (item.type !== 'Container') return;
  const def = { ...item.default };
  const req = { ...item.defaultRequest };
  for (const [k, v] of Object.entries(item.max ?? {})) if (!(k in def)) def[k] = v;
  for (const [k, v] of Object.entries(def)) if (!(k in req)) req[k] = v;
  for (const [k, v] of Object.entries(item.min ?? {})) if (!(k in req)) req[k] = v;
  if (Object.keys(def).length) item.default = def;
  if (Object.keys(req).length) item.defaultRequest = req;
}

function validateTypeName(t: string, p: FieldPath): FieldError[] {
  const errs = invalidEach(p, t, isQualifiedName(t));
  if (errs.length) return errs;
  if (!t.includes('/') && !limitTypes.has(t)) return [invalidValue(p, t, 'must be a standard limit type or fully qualified')];
  return [];
}

function validateItem(item: LimitRangeItem, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const type = item.type ?? '';
  const nameCheck = type === 'Pod' || type === 'Container' ? validateContainerResourceName : validateResourceName;
  const q: Record<string, Map<string, Quantity>> = {};
  const keys = new Set<string>();
  for (const f of listFields) {
    q[f] = new Map();
    if ((f === 'default' || f === 'defaultRequest') && type === 'Pod') {
      if (Object.keys(item[f] ?? {}).length) errs.push(forbiddenField(p.child(f), "may not be specified when `type` is 'Pod'"));
      continue;
    }
    for (const [k, v] of Object.entries(item[f] ?? {})) {
      errs.push(...nameCheck(k, p.child(f).key(k)));
      keys.add(k);
      q[f].set(k, parseQuantity(v));
    }
  }
  if (type === 'PersistentVolumeClaim' && !q.min.has('storage') && !q.max.has('storage')) {
    errs.push(required(p.child('limits'), 'either minimum or maximum storage value is required, but neither was provided'));
  }
  const text = (f: string, k: string) => item[f as keyof LimitRangeItem] !== undefined ? (item[f as 'max'] as ResourceList)[k] : '';
  for (const k of keys) {
    const min = q.min.get(k);
    const max = q.max.get(k);
    const def = q.default.get(k);
    const defReq = q.defaultRequest.get(k);
    const ratio = q.maxLimitRequestRatio.get(k);
    const [minS, maxS, defS, defReqS, ratioS] = ['min', 'max', 'default', 'defaultRequest', 'maxLimitRequestRatio'].map((f) => text(f, k));
    if (min && max && compareQuantities(min, max) > 0) errs.push(invalidValue(p.child('min').key(k), minS, `min value ${minS} is greater than max value ${maxS}`));
    if (defReq && min && compareQuantities(min, defReq) > 0) errs.push(invalidValue(p.child('defaultRequest').key(k), defReqS, `min value ${minS} is greater than default request value ${defReqS}`));
    if (defReq && max && compareQuantities(defReq, max) > 0) errs.push(invalidValue(p.child('defaultRequest').key(k), defReqS, `default request value ${defReqS} is greater than max value ${maxS}`));
    if (defReq && def && compareQuantities(defReq, def) > 0) errs.push(invalidValue(p.child('defaultRequest').key(k), defReqS, `default request value ${defReqS} is greater than default limit value ${defS}`));
    if (def && min && compareQuantities(min, def) > 0) errs.push(invalidValue(p.child('default').key(k), minS, `min value ${minS} is greater than default value ${defS}`));
    if (def && max && compareQuantities(def, max) > 0) errs.push(invalidValue(p.child('default').key(k), maxS, `default value ${defS} is greater than max value ${maxS}`));
    if (ratio && compareQuantities(ratio, parseQuantity('1')) < 0) errs.push(invalidValue(p.child('maxLimitRequestRatio').key(k), ratioS, `ratio ${ratioS} is less than 1`));
    if (ratio && min && max) {
      const limit = quantityValue(max) / quantityValue(min);
      if (quantityValue(ratio) > limit) errs.push(invalidValue(p.child('maxLimitRequestRatio').key(k), ratioS, `ratio ${ratioS} is greater than max/min = ${limit.toFixed(6)}`));
    }
    if (!isOvercommitAllowed(k) && def && defReq && compareQuantities(def, defReq) !== 0) {
      errs.push(invalidValue(p.child('defaultRequest').key(k), defReqS, `default value ${defS} must equal to defaultRequest value ${defReqS} in ${k}`));
    }
  }
  return errs;
}

function validateLimitRange(lr: LimitRange): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (lr.spec?.limits ?? []).forEach((item, i) => {
    const p = path('spec', 'limits').index(i);
    errs.push(...validateTypeName(item.type ?? '', p.child('type')));
    if (seen.has(item.type ?? '')) errs.push(duplicate(p.child('type'), item.type ?? ''));
    seen.add(item.type ?? '');
    errs.push(...validateItem(item, p));
  });
  return errs;
}

export const limitRangeStrategy: Strategy = {
  default(obj) {
    for (const item of (obj as LimitRange).spec?.limits ?? []) {
      for (const f of listFields) canonicalizeResourceList(item[f], 'LimitRange');
      defaultItem(item);
    }
  },
  validate: (obj) => validateLimitRange(obj as LimitRange),
};
