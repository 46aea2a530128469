import { isStatusError } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import type { ApiContext } from './api-context.js';
import { systemUser } from './context.js';

/**
 * Creates `obj` as the server itself unless an object of that name exists: what a built-in
 * component needs in the cluster (a role, a class), leaving a user's edits alone afterwards.
 */
/** True when it created the object, false when one of that name was there. */
export async function ensureCreated(api: ApiContext, group: string, resource: string, obj: KubeObject): Promise<boolean> {
  try {
    await api.storeFor(group, resource).create(obj.metadata.namespace ?? '', structuredClone(obj), { user: systemUser, namespace: obj.metadata.namespace ?? '', dryRun: false });
    return true;
  } catch (err) {
    if (!isStatusError(err, 'AlreadyExists')) throw err;
    return false;
  }
}
