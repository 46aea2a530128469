// Custom resources against their structural schema: validation with the messages Kubernetes'
// OpenAPI validator gives (types, required, enum, pattern, bounds, lengths, item and property
// counts, nullable, int-or-string), and defaulting from `default` values.
import { isPlainObject } from '../api/object.js';
import {
  invalidValue, notSupported, path as rootPath, required, tooLong, tooMany, typeInvalid, type FieldError, type FieldPath,
} from '../api/field-errors.js';
import type { Schema } from '../api/schema/schema.js';

/** The JSON type name of a value, as the validator names it. */
function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

function typeMatches(s: Schema, v: unknown): boolean {
  if (s['x-kubernetes-int-or-string']) return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
  const t = typeName(v);
  switch (s.type) {
    case undefined: return true;
    case 'integer': return t === 'integer';
    case 'number': return t === 'integer' || t === 'number';
    default: return s.type === t;
  }
}

/** Validates `value` (the whole object) against a structural schema; paths are like "spec.replicas". */
export function validateStructural(value: unknown, schema: Schema): FieldError[] {
  const errs: FieldError[] = [];
  walk(value, schema, '', errs);
  return errs;
}

function fieldPath(at: string): FieldPath {
  return rootPath(...(at ? [at] : []));
}

function walk(v: unknown, s: Schema, at: string, errs: FieldError[]): void {
  if (v === undefined) return;
  const name = at || '.';
  const p = fieldPath(at);
  if (v === null) {
    if (s.nullable || s['x-kubernetes-preserve-unknown-fields'] && !s.type) return;
    if (s.type || s['x-kubernetes-int-or-string']) errs.push(typeInvalid(p, 'null', `${name} in body must be of type ${s.type ?? 'integer,string'}: "null"`));
    return;
  }
  if (!typeMatches(s, v)) {
    const t = typeName(v);
    errs.push(typeInvalid(p, t, `${name} in body must be of type ${s['x-kubernetes-int-or-string'] ? 'integer,string' : s.type}: ${JSON.stringify(t)}`));
    return;
  }
  if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
    errs.push(notSupported(p, v, s.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))));
  }
  if (typeof v === 'string') {
    const len = [...v].length;
    if (s.maxLength !== undefined && len > s.maxLength) errs.push(tooLong(p, s.maxLength));
    if (s.minLength !== undefined && len < s.minLength) errs.push(invalidValue(p, v, `${name} in body should be at least ${s.minLength} chars long`));
    if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(v)) errs.push(invalidValue(p, v, `${name} in body should match '${s.pattern}'`));
  }
  if (typeof v === 'number') {
    if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum)) {
      errs.push(invalidValue(p, v, `${name} in body should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`));
    }
    if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum)) {
      errs.push(invalidValue(p, v, `${name} in body should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`));
    }
    if (s.multipleOf !== undefined && Math.abs(v / s.multipleOf - Math.round(v / s.multipleOf)) > 1e-9) {
      errs.push(invalidValue(p, v, `${name} in body should be a multiple of ${s.multipleOf}`));
    }
  }
  if (Array.isArray(v)) {
    if (s.maxItems !== undefined && v.length > s.maxItems) errs.push(tooMany(p, v.length, s.maxItems));
    if (s.minItems !== undefined && v.length < s.minItems) errs.push(invalidValue(p, v, `${name} in body should have at least ${s.minItems} items`));
    if (s.uniqueItems && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) errs.push(invalidValue(p, v, `${name} in body shouldn't contain duplicates`));
    if (s.items) v.forEach((item, i) => walk(item, s.items!, `${at}[${i}]`, errs));
  }
  if (isPlainObject(v)) {
    const n = Object.keys(v).length;
    if (s.maxProperties !== undefined && n > s.maxProperties) errs.push(tooMany(p, n, s.maxProperties));
    if (s.minProperties !== undefined && n < s.minProperties) errs.push(invalidValue(p, v, `${name} in body should have at least ${s.minProperties} properties`));
    for (const r of s.required ?? []) if (!(r in v)) errs.push(required(fieldPath(at ? `${at}.${r}` : r)));
    for (const [k, child] of Object.entries(v)) {
      const cs = s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
      if (cs) walk(child, cs, at ? `${at}.${k}` : k, errs);
    }
  }
}

/** Fills `default` values of absent fields, depth first, as Kubernetes defaults custom resources. */
export function applyDefaults(v: unknown, s: Schema | undefined): void {
  if (!s) return;
  if (Array.isArray(v)) {
    if (s.items) for (const item of v) applyDefaults(item, s.items);
    return;
  }
  if (!isPlainObject(v)) return;
  for (const [k, ps] of Object.entries(s.properties ?? {})) {
    if (v[k] === undefined && ps.default !== undefined) v[k] = structuredClone(ps.default);
    applyDefaults(v[k], ps);
  }
  if (typeof s.additionalProperties === 'object') {
    for (const k of Object.keys(v)) if (!s.properties?.[k]) applyDefaults(v[k], s.additionalProperties);
  }
}
