// List and watch parameters, parsed and checked once from the query string.
import { badRequest, invalid } from '../api/errors.js';
import { forbiddenField, notSupported, path, type FieldError } from '../api/field-errors.js';
import { FieldSelectorError, everyField, parseFieldSelector, type FieldSelector } from '../api/selectors/fields.js';
import { SelectorParseError, everything, parseLabelSelector, type LabelSelector } from '../api/selectors/labels.js';
import type { KubeObject } from '../api/object.js';
import type { ResourceDef } from '../api/resource.js';
import { queryFlag, queryOption } from '../../lib/parse-bool.js';

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

/** The query of a list, or of a watch when `watch` (whose options Kubernetes checks apart). */
export function parseListQuery(def: ResourceDef, q: URLSearchParams, watch = false): ListQuery {
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
  const sendInitialEvents = queryOption(q, 'sendInitialEvents');
  const errs = watch ? watchOptionErrors(match, cont, sendInitialEvents) : listOptionErrors(rv, match, cont, sendInitialEvents);
  if (errs.length > 0) throw invalid({ group: 'meta.k8s.io', kind: 'ListOptions' }, '', errs);
  if (rv && !/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${JSON.stringify(rv)}`);
  const timeoutRaw = q.get('timeoutSeconds');
  return {
    labelSelector,
    fieldSelector,
    limit: limit || undefined,
    continueToken: cont,
    resourceVersion: rv,
    resourceVersionMatch: match as ListQuery['resourceVersionMatch'],
    allowWatchBookmarks: queryFlag(q, 'allowWatchBookmarks'),
    sendInitialEvents,
    timeoutSeconds: timeoutRaw ? Number(timeoutRaw) : undefined,
  };
}

const matchPath = path('resourceVersionMatch');

/** Kubernetes' checks of a list's resourceVersionMatch and sendInitialEvents. */
function listOptionErrors(rv: string | undefined, match: string | undefined, cont: string | undefined, sendInitialEvents: boolean | undefined): FieldError[] {
  const errs: FieldError[] = [];
  if (match) {
    if (!rv) errs.push(forbiddenField(matchPath, 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
    if (cont) errs.push(forbiddenField(matchPath, 'resourceVersionMatch is forbidden when continue is provided'));
    if (match !== 'Exact' && match !== 'NotOlderThan') errs.push(notSupported(matchPath, match, ['Exact', 'NotOlderThan', '']));
    if (match === 'Exact' && rv === '0') errs.push(forbiddenField(matchPath, 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
  }
  if (sendInitialEvents !== undefined) errs.push(forbiddenField(path('sendInitialEvents'), 'sendInitialEvents is forbidden for list'));
  return errs;
}

/**
 * The same for a watch: a watch-list (sendInitialEvents) needs NotOlderThan, and needs no
 * resourceVersion (client-go's first watch-list sends none).
 */
function watchOptionErrors(match: string | undefined, cont: string | undefined, sendInitialEvents: boolean | undefined): FieldError[] {
  const errs: FieldError[] = [];
  if (sendInitialEvents !== undefined && match !== 'NotOlderThan') {
    errs.push(forbiddenField(matchPath, 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'));
  }
  if (match) {
    if (sendInitialEvents === undefined) errs.push(forbiddenField(matchPath, 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
    if (match !== 'NotOlderThan') errs.push(notSupported(matchPath, match, ['NotOlderThan']));
    if (cont) errs.push(forbiddenField(matchPath, 'resourceVersionMatch is forbidden when continue is provided'));
  }
  return errs;
}
