// Strategic merge patch (application/strategic-merge-patch+json), as Kubernetes applies it:
// maps merge key by key, lists merge by their patch merge key (containers by name, ...) or
// as sets of primitives when the schema says so and are replaced otherwise, and the directives
// kubectl sends steer the merge: $patch (replace/delete/merge), $retainKeys,
// $setElementOrder/<list> and $deleteFromPrimitiveList/<list>.
import { badRequest, internalError, StatusError } from '../api/errors.js';
import { isPlainObject } from '../api/object.js';
import { resolve, type Definitions, type Schema } from '../api/schema/schema.js';

type JsonMap = Record<string, unknown>;

const directiveMarker = '$patch';
const retainKeysDirective = '$retainKeys';
const setElementOrderPrefix = '$setElementOrder';
const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList';

/** A patch that cannot be applied; `code` is the HTTP status Kubernetes answers with. */
export class PatchError extends Error {
  constructor(message: string, readonly code: 400 | 422 | 500 = 500) {
    super(message);
  }
}

export const patchErrors = {
  badPrimitiveList: () => new PatchError('invalid patch format of primitive list', 400),
  badRetainKeys: () => new PatchError('invalid patch format of retainKeys', 400),
  badSetElementOrder: () => new PatchError('invalid patch format of setElementOrder list', 400),
  noListOfLists: () => new PatchError('lists of lists are not supported', 422),
  noMergeKey: (m: unknown, key: string) => new PatchError(`map: ${goValue(m)} does not contain declared merge key: ${key}`),
  badPatchType: (t: unknown, m: unknown) => new PatchError(`unknown patch type: ${goValue(t)} in map: ${goValue(m)}`),
};

/** Formats a JSON value as Go's %v does (maps with sorted keys), for error messages. */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (isPlainObject(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${goValue(v[k])}`).join(' ')}]`;
  return String(v);
}

/** What the schema says about one field of an object. */
interface FieldMeta {
  /** Schema of the field's value (for a list: of its items), resolved. */
  schema?: Schema;
  strategy: string;
  mergeKey: string;
}

function fieldMeta(s: Schema | undefined, key: string, defs: Definitions, list: boolean): FieldMeta {
  const p = s?.properties?.[key] ?? (typeof s?.additionalProperties === 'object' ? s.additionalProperties : undefined);
  const r = resolve(p, defs);
  // $retainKeys is a separate concern: 'merge,retainKeys' merges.
  const strategies = (p?.['x-kubernetes-patch-strategy'] ?? r?.['x-kubernetes-patch-strategy'] ?? '').split(',').filter(Boolean);
  const strategy = strategies.filter((x) => x !== 'retainKeys')[0] ?? '';
  return {
    schema: list ? resolve(r?.items, defs) : r,
    strategy,
    mergeKey: p?.['x-kubernetes-patch-merge-key'] ?? r?.['x-kubernetes-patch-merge-key'] ?? '',
  };
}

/**
 * Applies a strategic merge patch to `original` (not modified) following `schema` (the kind's
 * resolved object schema). Throws PatchError for malformed patches.
 */
export function strategicMergePatch(original: JsonMap, patch: JsonMap, schema: Schema | undefined, defs: Definitions): JsonMap {
  return mergeMap(structuredClone(original), structuredClone(patch), resolve(schema, defs), defs);
}

function mergeMap(original: JsonMap | undefined, patch: JsonMap, s: Schema | undefined, defs: Definitions): JsonMap {
  if (directiveMarker in patch) return mapDirective(patch[directiveMarker], patch);
  const out = original ?? {};
  applyRetainKeys(out, patch);
  mergeOrderedLists(out, patch, s, defs);
  for (const k of Object.keys(patch)) {
    let key = k;
    const patchV = patch[k];
    let isDeleteList = false;
    if (k.startsWith(deleteFromPrimitiveListPrefix)) {
      key = extractKey(k, deleteFromPrimitiveListPrefix, patchErrors.badPrimitiveList);
      isDeleteList = true;
    }
    if (patchV === null) {
      delete out[key];
      continue;
    }
    if (!(key in out)) {
      if (!isDeleteList) setWithoutDirectives(out, key, discardNulls(patchV));
      continue;
    }
    const origV = out[key];
    if (kindOf(origV) !== kindOf(patchV)) {
      if (!isDeleteList) setWithoutDirectives(out, key, discardNulls(patchV));
      continue;
    }
    if (isPlainObject(origV)) {
      const meta = fieldMeta(s, key, defs, false);
      out[key] = meta.strategy === 'replace' ? patchV : mergeMap(origV, patchV as JsonMap, meta.schema, defs);
    } else if (Array.isArray(origV)) {
      const meta = fieldMeta(s, key, defs, true);
      out[key] = meta.strategy === 'merge' || isDeleteList
        ? mergeSlice(origV, patchV as unknown[], meta.schema, meta.mergeKey, isDeleteList, defs)
        : patchV;
    } else {
      setWithoutDirectives(out, key, patchV);
    }
  }
  return out;
}

function mapDirective(directive: unknown, patch: JsonMap): JsonMap {
  if (directive === 'replace') {
    delete patch[directiveMarker];
    return patch;
  }
  if (directive === 'delete') return {};
  throw patchErrors.badPatchType(directive, patch);
}

const kindOf = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

function setWithoutDirectives(out: JsonMap, key: string, v: unknown): void {
  const [value, keep] = removeDirectives(v);
  if (keep) out[key] = value;
  else delete out[key];
}

/** Drops directive markers from a value taken from the patch as is. */
function removeDirectives(v: unknown): [unknown, boolean] {
  if (isPlainObject(v)) {
    if (directiveMarker in v) return [undefined, false];
    for (const k of Object.keys(v)) {
      const [x, keep] = removeDirectives(v[k]);
      if (keep) v[k] = x;
      else delete v[k];
    }
    return [v, true];
  }
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) {
      const [y, keep] = removeDirectives(x);
      if (keep) out.push(y);
    }
    return [out, true];
  }
  return [v, true];
}

function discardNulls(v: unknown): unknown {
  if (isPlainObject(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null) delete v[k];
      else discardNulls(v[k]);
    }
  } else if (Array.isArray(v)) {
    v.forEach(discardNulls);
  }
  return v;
}

function extractKey(k: string, prefix: string, err: () => PatchError): string {
  const slash = k.indexOf('/');
  if (slash < 0 || k.slice(0, slash) !== prefix) throw err();
  return k.slice(slash + 1);
}

/** $retainKeys: drop the original's keys the list does not name. */
function applyRetainKeys(original: JsonMap, patch: JsonMap): void {
  if (!(retainKeysDirective in patch)) return;
  const list = patch[retainKeysDirective];
  delete patch[retainKeysDirective];
  if (!Array.isArray(list)) throw patchErrors.badRetainKeys();
  const keep = new Set(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(deleteFromPrimitiveListPrefix) || k.startsWith(setElementOrderPrefix)) continue;
    if (!keep.has(k)) throw patchErrors.badRetainKeys();
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/** $setElementOrder/<list>: merges that list now and orders it as the directive says. */
function mergeOrderedLists(original: JsonMap, patch: JsonMap, s: Schema | undefined, defs: Definitions): void {
  for (const k of Object.keys(patch)) {
    if (!k.startsWith(setElementOrderPrefix)) continue;
    const order = patch[k];
    delete patch[k];
    if (!Array.isArray(order)) throw patchErrors.badSetElementOrder();
    const key = extractKey(k, setElementOrderPrefix, patchErrors.badSetElementOrder);
    const origList = original[key];
    const patchList = patch[key];
    if (origList !== undefined && !Array.isArray(origList)) throw patchErrors.badSetElementOrder();
    if (patchList !== undefined && !Array.isArray(patchList)) throw patchErrors.badSetElementOrder();
    const meta = fieldMeta(s, key, defs, true);
    validateOrder(patchList ?? [], order, meta.mergeKey);
    let merged: unknown[];
    if (origList && !patchList) merged = origList;
    else if (!origList && patchList) merged = removeDirectives(patchList)[0] as unknown[];
    else if (origList && patchList) merged = meta.strategy === 'merge' ? mergeSlice(origList, patchList, meta.schema, meta.mergeKey, false, defs) : patchList;
    else continue;
    const [inOrder, serverOnly] = partition(merged, order, meta.mergeKey);
    original[key] = normalizeOrder(inOrder, serverOnly, order, origList ?? [], meta.mergeKey);
    delete patch[key];
  }
}

function validateOrder(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey ? patchList.filter((x) => !(isPlainObject(x) && x[directiveMarker] === 'delete')) : patchList;
  let pi = 0;
  let oi = 0;
  while (pi < items.length && oi < order.length) {
    if (isPlainObject(items[pi]) && directiveMarker in (items[pi] as JsonMap)) {
      pi++;
      continue;
    }
    if (sameItem(items[pi], order[oi], mergeKey)) pi++;
    oi++;
  }
  if (pi < items.length && oi >= order.length) {
    throw new PatchError(`The order in patch list:\n${goValue(patchList)}\n doesn't match ${setElementOrderPrefix} list:\n${goValue(order)}\n`);
  }
}

function keyOf(item: unknown, mergeKey: string): unknown {
  if (!mergeKey) return item;
  if (!isPlainObject(item) || !(mergeKey in item)) throw patchErrors.noMergeKey(item, mergeKey);
  return item[mergeKey];
}

const sameItem = (a: unknown, b: unknown, mergeKey: string) => keyOf(a, mergeKey) === keyOf(b, mergeKey);

function indexIn(list: readonly unknown[], item: unknown, mergeKey: string): number {
  const k = mergeKey ? (isPlainObject(item) ? item[mergeKey] : undefined) : item;
  return list.findIndex((x) => (mergeKey ? (isPlainObject(x) ? x[mergeKey] : undefined) : x) === k);
}

function mergeSlice(original: unknown[], patch: unknown[], s: Schema | undefined, mergeKey: string, isDeleteList: boolean, defs: Definitions): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const first = original[0] ?? patch[0];
  if (Array.isArray(first)) throw patchErrors.noListOfLists();
  let merged: unknown[];
  let orig = original;
  let rest = patch;
  if (!isPlainObject(first)) {
    if (isDeleteList) {
      const drop = new Set(patch);
      return original.filter((x) => !drop.has(x));
    }
    merged = [...new Set([...original, ...patch])];
  } else {
    if (!mergeKey) throw new PatchError(`cannot merge lists without merge key for ${s?.description?.split('.')[0] ?? 'the list'}`);
    [orig, rest] = specialElements(original, patch, mergeKey);
    merged = [...orig];
    for (const v of rest) {
      const key = keyOf(v, mergeKey);
      const at = merged.findIndex((x) => isPlainObject(x) && x[mergeKey] === key);
      if (at >= 0) merged[at] = mergeMap(merged[at] as JsonMap, v as JsonMap, s, defs);
      else merged.push(v);
    }
  }
  const [inPatch, serverOnly] = partition(merged, rest, mergeKey);
  return normalizeOrder(inPatch, serverOnly, rest, orig, mergeKey);
}

/** Applies `$patch: delete` and `$patch: replace` list elements; returns the original and the remaining patch. */
function specialElements(original: unknown[], patch: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const plain: unknown[] = [];
  let replace = false;
  let orig = original;
  for (const v of patch) {
    const m = v as JsonMap;
    if (!(directiveMarker in m)) {
      plain.push(v);
      continue;
    }
    const d = m[directiveMarker];
    if (d === 'delete') {
      if (!(mergeKey in m)) throw patchErrors.noMergeKey(m, mergeKey);
      orig = orig.filter((x) => !(isPlainObject(x) && x[mergeKey] === m[mergeKey]));
    } else if (d === 'replace') {
      replace = true;
    } else if (d === 'merge') {
      throw new PatchError('merging lists cannot yet be specified in the patch');
    } else {
      throw patchErrors.badPatchType(d, m);
    }
  }
  return replace ? [plain, []] : [orig, plain];
}

function partition(list: unknown[], by: readonly unknown[], mergeKey: string): [unknown[], unknown[]] {
  const inBy: unknown[] = [];
  const rest: unknown[] = [];
  for (const v of list) (indexIn(by, v, mergeKey) >= 0 ? inBy : rest).push(v);
  return [inBy, rest];
}

/** Orders patch items as `patchOrder` says and interleaves server-only items at their live positions. */
function normalizeOrder(patchItems: unknown[], serverOnly: unknown[], patchOrder: readonly unknown[], serverOrder: readonly unknown[], mergeKey: string): unknown[] {
  const sortBy = (items: unknown[], order: readonly unknown[]) => {
    const kept = mergeKey ? items.filter((x) => !(isPlainObject(x) && x[directiveMarker] === 'delete')) : items;
    const deleted = mergeKey ? items.filter((x) => isPlainObject(x) && x[directiveMarker] === 'delete') : [];
    const decorated = kept.map((v, i) => ({ v, i, at: indexIn(order, v, mergeKey) }));
    decorated.sort((a, b) => (a.at >= 0 && b.at >= 0 ? a.at - b.at : a.i - b.i));
    return [...decorated.map((d) => d.v), ...deleted];
  };
  const left = sortBy(serverOnly, serverOrder);
  const right = sortBy(patchItems, patchOrder);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey);
      const ri = indexIn(serverOrder, right[j], mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/** The Status a failed strategic merge patch is answered with. */
export function patchErrorStatus(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  if (err instanceof PatchError) {
    if (err.code === 400) return badRequest(err.message);
    if (err.code === 422) return new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: err.message, reason: 'Invalid', code: 422 });
  }
  return internalError(err);
}
