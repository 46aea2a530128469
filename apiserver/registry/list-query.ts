// List and watch parameters, parsed and checked once from the query string.
import { badRequest } from '../api/errors.js';
import { FieldSelectorError, everyField, parseFieldSelector, type FieldSelector } from '../api/selectors/fields.js';
import { SelectorParseError, everything, parseLabelSelector, type LabelSelector } from '../api/selectors/labels.js';
import type { KubeObject } from '../api/object.js';
import type { ResourceDef } from '../api/resource.js';

export interface ListQuery {
  labelSelector: LabelSelector;
  fieldSelector: FieldSelector;
  limit?: number;
  continueToken?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  /** Watch only. */
  allowWatchBookmarks: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
}

export function selectableFields(def: ResourceDef): Set<string> {
  return new Set(['metadata.name', 'metadata.namespace', ...Object.keys(def.fieldSelectors)]);
}

/** The values of every selectable field of an object. */
export function fieldsOf(def: ResourceDef, obj: KubeObject): Record<string, string> {
  const f: Record<string, string> = {
    'metadata.name': obj.metadata.name ?? '',
    'metadata.namespace': obj.metadata.namespace ?? '',
  };
  for (const [name, read] of Object.entries(def.fieldSelectors)) f[name] = read(obj);
  return f;
}

export function parseListQuery(def: ResourceDef, q: URLSearchParams): ListQuery {
  let labelSelector = everything;
  let fieldSelector = everyField;
  try {
    const ls = q.get('labelSelector');
    if (ls) labelSelector = parseLabelSelector(ls);
    const fs = q.get('fieldSelector');
    if (fs) fieldSelector = parseFieldSelector(fs, selectableFields(def));
  } catch (err) {
    if (err instanceof SelectorParseError || err instanceof FieldSelectorError) throw badRequest(err.message);
    throw err;
  }
  const limitRaw = q.get('limit');
  const limit = limitRaw ? Number(limitRaw) : undefined;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw badRequest(`invalid limit: ${limitRaw}`);
  const rv = q.get('resourceVersion') ?? undefined;
  const match = q.get('resourceVersionMatch') || undefined;
  const cont = q.get('continue') || undefined;
  if (match !== undefined && match !== 'Exact' && match !== 'NotOlderThan') {
    throw badRequest(`resourceVersionMatch: Unsupported value: ${JSON.stringify(match)}: supported values: "Exact", "NotOlderThan"`);
  }
  if (match && cont) throw badRequest('resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided');
  if (match && !rv) throw badRequest('resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
  if (match === 'Exact' && rv === '0') throw badRequest('resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
  if (rv && !/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${JSON.stringify(rv)}`);
  const sie = q.get('sendInitialEvents');
  const timeoutRaw = q.get('timeoutSeconds');
  return {
    labelSelector,
    fieldSelector,
    limit: limit || undefined,
    continueToken: cont,
    resourceVersion: rv,
    resourceVersionMatch: match,
    allowWatchBookmarks: q.get('allowWatchBookmarks') === 'true',
    sendInitialEvents: sie === null ? undefined : sie === 'true',
    timeoutSeconds: timeoutRaw ? Number(timeoutRaw) : undefined,
  };
}
