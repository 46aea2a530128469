// ConfigMaps: key syntax, the 1 MiB size limit, and `immutable`.
import { forbiddenField, invalidEach, invalidValue, path, tooLong, type FieldError } from '../field-errors.js';
import { deepEqual, type KubeObject } from '../object.js';
import type { Strategy } from '../resource.js';
import { age, ageColumn, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';
import { isConfigMapKey } from '../validation/names.js';
import { undecodable } from './common.js';

/** Kubernetes' limit on the data of a ConfigMap or Secret (1 MiB). */
export const maxDataSize = 1024 * 1024;

type ConfigMap = KubeObject & { data?: Record<string, string>; binaryData?: Record<string, string>; immutable?: boolean };

const utf8Length = (s: string) => Buffer.byteLength(s, 'utf8');

/** Decoded size of a base64 value; undefined when it is not valid base64. */
export function base64Length(s: string): number | undefined {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return undefined;
  return (s.length / 4) * 3 - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0);
}

/** Go's base64 error for a value that does not decode. */
export function base64Error(s: string): string {
  const bad = s.search(/[^A-Za-z0-9+/=]/);
  const at = bad >= 0 ? bad : s.length - (s.length % 4 || 4);
  return `illegal base64 data at input byte ${Math.max(0, at)}`;
}

function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [key, value] of Object.entries(cm.data ?? {})) {
    errs.push(...invalidEach(path('data').key(key), key, isConfigMapKey(key)));
    if (cm.binaryData && key in cm.binaryData) errs.push(invalidValue(path('data').key(key), key, 'duplicate of key present in binaryData'));
    size += utf8Length(String(value));
  }
  for (const [key, value] of Object.entries(cm.binaryData ?? {})) {
    errs.push(...invalidEach(path('binaryData').key(key), key, isConfigMapKey(key)));
    size += base64Length(value) ?? 0;
  }
  // The path is empty: the error is about the whole object.
  if (size > maxDataSize) errs.push(tooLong(path(''), maxDataSize));
  return errs;
}

/** `immutable: true` freezes data and the flag itself (shared with Secrets). */
export function validateImmutableData(obj: KubeObject, old: KubeObject, dataFields: readonly string[]): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  const why = 'field is immutable when `immutable` is set';
  if (obj.immutable !== true) errs.push(forbiddenField(path('immutable'), why));
  for (const f of dataFields) if (!deepEqual(obj[f] ?? null, old[f] ?? null)) errs.push(forbiddenField(path(f), why));
  return errs;
}

export const configMapStrategy: Strategy = {
  default(obj) {
    const cm = obj as ConfigMap;
    for (const v of Object.values(cm.binaryData ?? {})) {
      if (base64Length(v) === undefined) throw undecodable('ConfigMap', 'v1', base64Error(v));
    }
  },
  validate: (obj) => validateConfigMap(obj as ConfigMap),
  validateUpdate: (obj, old) => [...validateImmutableData(obj, old, ['data', 'binaryData']), ...validateConfigMap(obj as ConfigMap)],
};

export const configMapTable: TableDef = {
  columns: [col('Data', 'Data contains the configuration data.'), ageColumn],
  cells: (o, now) => {
    const cm = o as ConfigMap;
    return [Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length, age(o, now)];
  },
};
