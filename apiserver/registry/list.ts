// Listing a resource: selectors, paging with continue tokens over a consistent snapshot, and
// resourceVersion semantics (unset, "0", NotOlderThan, Exact).
import { badRequest, resourceExpired, StatusError } from '../api/errors.js';
import { isStorageError, type KV, type Store } from '../storage/interfaces.js';
import { decodeContinue, encodeContinue } from './continue-token.js';
import { decoded } from './decoded.js';
import { fieldsOf, type ListQuery } from './list-query.js';
import type { RestStore } from './rest-store.js';

export interface ListPage {
  items: KV[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

const tooOldContinue =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

/** Whether a stored object passes the query's selectors. */
export function matcher(rs: RestStore, q: Pick<ListQuery, 'labelSelector' | 'fieldSelector'>): ((kv: KV) => boolean) | undefined {
  if (q.labelSelector.empty && q.fieldSelector.empty) return undefined;
  // A selector on name and namespace alone (a controller watching one ConfigMap in every
  // namespace, say) is answered from the storage key, without parsing every object.
  if (q.labelSelector.empty && q.fieldSelector.requirements.every((r) => identityFields.has(r.field))) {
    return (kv) => {
      const { namespace, name } = rs.identityOfKey(kv.key);
      return q.fieldSelector.matches({ 'metadata.name': name, 'metadata.namespace': namespace });
    };
  }
  return (kv) => {
    const o = decoded(kv);
    return q.labelSelector.matches(o.metadata.labels) && (q.fieldSelector.empty || q.fieldSelector.matches(fieldsOf(rs.def, o)));
  };
}

const identityFields = new Set(['metadata.name', 'metadata.namespace']);

export async function listResource(rs: RestStore, store: Store, namespace: string, q: ListQuery): Promise<ListPage> {
  // A field selector on metadata.namespace narrows a cluster-wide list to one namespace.
  const ns = namespace || (rs.def.namespaced ? q.fieldSelector.exactValue('metadata.namespace') ?? '' : '');
  const prefix = rs.prefix(ns);
  const filter = matcher(rs, q);
  let atRevision: number | undefined;
  let after: string | undefined;
  if (q.continueToken) {
    if (q.resourceVersion && q.resourceVersion !== '0') throw badRequest('specifying resource version is not allowed when using continue');
    const token = decodeContinue(q.continueToken);
    atRevision = token.rv;
    after = prefix + token.after;
  } else if (q.resourceVersion && q.resourceVersion !== '0') {
    const rv = Number(q.resourceVersion);
    await waitForRevision(store, rv);
    if (q.resourceVersionMatch === 'Exact') atRevision = rv;
  }
  let result;
  try {
    result = store.list(prefix, { atRevision, after, limit: q.limit, filter });
  } catch (err) {
    if (isStorageError(err, 'Compacted')) {
      if (q.continueToken) {
        const retry = store.list(prefix, { after, limit: q.limit, filter });
        const e = resourceExpired(tooOldContinue);
        if (retry.continueAfter) e.status.metadata = { continue: encodeContinue(retry.revision, prefix, retry.continueAfter) };
        throw e;
      }
      throw resourceExpired(`too old resource version: ${atRevision} (${store.compactedRevision()})`);
    }
    throw err;
  }
  const page: ListPage = { items: result.items, resourceVersion: String(result.revision) };
  if (result.continueAfter) {
    page.continue = encodeContinue(result.revision, prefix, result.continueAfter);
    if (!filter) page.remainingItemCount = result.remaining;
  }
  return page;
}

/** Waits (up to 3 s, as Kubernetes does) until storage has caught up with a requested revision. */
export async function waitForRevision(store: Store, rv: number, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (store.revision() < rv) {
    if (Date.now() > deadline) {
      throw new StatusError({
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 504, reason: 'Timeout',
        message: `Too large resource version: ${rv}, current: ${store.revision()}`,
        details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 },
      });
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}
