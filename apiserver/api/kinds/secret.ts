// Secrets: type defaults to Opaque, stringData is folded into data, and each well-known type
// requires its keys. The type and (with `immutable`) the data cannot change.
import { invalidEach, invalidValue, path, required, tooLong, type FieldError } from '../field-errors.js';
import type { KubeObject } from '../object.js';
import type { Strategy } from '../resource.js';
import { age, ageColumn, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';
import { isConfigMapKey } from '../validation/names.js';
import { immutable, undecodable } from './common.js';
import { base64Error, base64Length, maxDataSize, validateImmutableData } from './configmap.js';

type Secret = KubeObject & { type?: string; data?: Record<string, string>; stringData?: Record<string, string>; immutable?: boolean };

const redacted = '<secret contents redacted>';

function decode(v: string): string {
  return Buffer.from(v, 'base64').toString('utf8');
}

/** The error Go's encoding/json gives for content that is not a JSON object. */
function jsonObjectError(text: string): string | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      return `json: cannot unmarshal ${Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v} into Go value of type map[string]interface {}`;
    }
    return undefined;
  } catch {
    const first = text.trimStart()[0];
    return first === undefined || '{["tfn-0123456789'.includes(first)
      ? 'unexpected end of JSON input'
      : `invalid character '${first}' looking for beginning of value`;
  }
}

function validateTypeKeys(s: Secret): FieldError[] {
  const data = s.data ?? {};
  const dp = path('data');
  switch (s.type) {
    case 'kubernetes.io/service-account-token':
      if (!s.metadata.annotations?.['kubernetes.io/service-account.name']) {
        return [required(path('metadata', 'annotations').key('kubernetes.io/service-account.name'))];
      }
      return [];
    case 'kubernetes.io/dockercfg': {
      if (!('.dockercfg' in data)) return [required(dp.key('.dockercfg'))];
      const why = jsonObjectError(decode(data['.dockercfg']));
      return why ? [invalidValue(dp.key('.dockercfg'), redacted, why)] : [];
    }
    case 'kubernetes.io/dockerconfigjson': {
      if (!('.dockerconfigjson' in data)) return [required(dp.key('.dockerconfigjson'))];
      const why = jsonObjectError(decode(data['.dockerconfigjson']));
      return why ? [invalidValue(dp.key('.dockerconfigjson'), redacted, why)] : [];
    }
    case 'kubernetes.io/basic-auth':
      // Either may be empty, but one of them must be present.
      if (!('username' in data) && !('password' in data)) return [required(dp.key('username')), required(dp.key('password'))];
      return [];
    case 'kubernetes.io/ssh-auth':
      return base64Length(data['ssh-privatekey'] ?? '') ? [] : [required(dp.key('ssh-privatekey'))];
    case 'kubernetes.io/tls': {
      const errs: FieldError[] = [];
      if (!('tls.crt' in data)) errs.push(required(dp.key('tls.crt')));
      if (!('tls.key' in data)) errs.push(required(dp.key('tls.key')));
      return errs;
    }
    default:
      return [];
  }
}

function validateSecret(s: Secret): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [key, value] of Object.entries(s.data ?? {})) {
    errs.push(...invalidEach(path('data').key(key), key, isConfigMapKey(key)));
    size += base64Length(value) ?? 0;
  }
  if (size > maxDataSize) errs.push(tooLong(path('data'), maxDataSize));
  return [...errs, ...validateTypeKeys(s)];
}

export const secretStrategy: Strategy = {
  default(obj) {
    const s = obj as Secret;
    for (const v of Object.values(s.data ?? {})) {
      if (typeof v !== 'string' || base64Length(v) === undefined) throw undecodable('Secret', 'v1', base64Error(String(v)));
    }
    // stringData is write-only: it is merged into data (winning over it) and never stored.
    if (s.stringData) {
      s.data ??= {};
      for (const [k, v] of Object.entries(s.stringData)) s.data[k] = Buffer.from(String(v), 'utf8').toString('base64');
      delete s.stringData;
    }
    s.type ||= 'Opaque';
  },
  validate: (obj) => validateSecret(obj as Secret),
  validateUpdate: (obj, old) => [
    ...immutable((obj as Secret).type, (old as Secret).type, path('type')),
    ...validateImmutableData(obj, old, ['data']),
    ...validateSecret(obj as Secret),
  ],
};

export const secretTable: TableDef = {
  columns: [col('Type', 'Used to facilitate programmatic handling of secret data.'), col('Data', 'Data contains the secret data.'), ageColumn],
  cells: (o, now) => [(o as Secret).type ?? '', Object.keys((o as Secret).data ?? {}).length, age(o, now)],
};
