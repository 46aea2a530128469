// The storageVersionHash discovery publishes per resource: clients that cache objects (the
// storage version migrator, garbage collectors) watch it to learn that stored objects changed
// version. Kubernetes computes it from the version objects are stored in, not the one served.
import { createHash } from 'node:crypto';
import type { ResourceDef } from './resource.js';

/**
 * Base64 of the first 8 bytes of sha256("group/version/kind") of the storage version, or
 * undefined for a resource that stores nothing. In Kubernetes only the generic registry store
 * provides a storage version, and every such resource can be created and read back; those that
 * cannot only process a request (reviews, bindings) or compute their answer (componentstatuses,
 * metrics), and discovery publishes no hash for them.
 */
export function storageVersionHash(def: Pick<ResourceDef, 'kind' | 'verbs' | 'storageApiVersion'>): string | undefined {
  if (!def.verbs.includes('create') || !def.verbs.includes('get')) return undefined;
  const slash = def.storageApiVersion.indexOf('/');
  const group = slash < 0 ? '' : def.storageApiVersion.slice(0, slash);
  const version = def.storageApiVersion.slice(slash + 1);
  return createHash('sha256').update(`${group}/${version}/${def.kind}`).digest().subarray(0, 8).toString('base64');
}
