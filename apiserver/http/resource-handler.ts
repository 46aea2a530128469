// Dispatches a resource request to the verb or subresource that serves it.
import { invalid, methodNotSupported, notFoundPath } from '../api/errors.js';
import { notSupported, path } from '../api/field-errors.js';
import type { RequestContext } from '../registry/context.js';
import type { ApiContext } from '../registry/api-context.js';
import type { ResourceCall } from './resource-call.js';
import { getObject, listObjects } from './handlers/read.js';
import { createObject, deleteCollection, deleteObject, updateObject } from './handlers/write.js';
import { watchObjects } from './handlers/watch-stream.js';
import { getScale, updateScale } from './handlers/scale.js';
import { patchObject } from './handlers/patch.js';
import { serveSubresource } from './handlers/subresource.js';
import { rendererFor } from './render.js';
import { managerName } from '../apply/managers.js';
import { addWarnings } from './respond.js';
import type { ResourceRequest } from './request-info.js';
import type { ServedResource } from '../api/registry.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UserInfo } from '../registry/context.js';

export async function handleResource(
  api: ApiContext, info: ResourceRequest, served: ServedResource | undefined,
  req: IncomingMessage, res: ServerResponse, url: URL, user: UserInfo,
): Promise<void> {
  if (!served) throw notFoundPath();
  const def = served.def;
  if (def.deprecationWarning) addWarnings(res, [def.deprecationWarning]);
  // A namespaced resource outside /namespaces/<ns> only lists and watches across namespaces.
  if (def.namespaced && !info.namespace && !(info.verb === 'list' || info.verb === 'watch')) throw notFoundPath();
  if (!def.namespaced && info.namespace && info.resource !== 'namespaces') throw notFoundPath();
  const ctx: RequestContext = { user, namespace: def.namespaced ? info.namespace : '', dryRun: parseDryRun(url), fieldManager: managerName(url.searchParams.get('fieldManager') ?? undefined, req.headers['user-agent']) };
  const call: ResourceCall = {
    req, res, url, info, served, rs: api.restStore(def), renderer: rendererFor(def, served.version), ctx, api,
  };
  const gr = call.rs.gr;
  if (info.verb !== 'list' && info.verb !== 'watch' && info.verb !== 'create' && info.verb !== 'deletecollection' && !info.name) throw notFoundPath();
  if (!info.subresource) {
    if (!def.verbs.includes(info.verb)) throw methodNotSupported(gr, info.verb);
    switch (info.verb) {
      case 'get': return getObject(call);
      case 'list': return listObjects(call);
      case 'watch': return watchObjects(call);
      case 'create': return createObject(call);
      case 'update': return updateObject(call);
      case 'patch': return patchObject(call);
      case 'delete': return deleteObject(call);
      case 'deletecollection': return deleteCollection(call);
      default: throw methodNotSupported(gr, info.verb);
    }
  }
  if (info.subresource === 'status' && def.statusStrategy) {
    if (info.verb === 'get') return getObject(call);
    if (info.verb === 'update') return updateObject(call);
    if (info.verb === 'patch') return patchObject(call);
    throw methodNotSupported(gr, info.verb);
  }
  if (info.subresource === 'scale' && def.scale) {
    if (info.verb === 'get') return getScale(call);
    if (info.verb === 'update') return updateScale(call);
    if (info.verb === 'patch') return patchObject(call);
    throw methodNotSupported(gr, info.verb);
  }
  const custom = api.subresources(def).find((s) => s.name === info.subresource);
  if (!custom) throw notFoundPath();
  return serveSubresource(call, custom);
}

function parseDryRun(url: URL): boolean {
  const q = dryRunQuery(url);
  if (q.unsupported !== undefined) throw invalid({ group: 'meta.k8s.io', kind: 'CreateOptions' }, '', [notSupported(path('dryRun'), q.unsupported, ['All'])]);
  return q.dryRun;
}

/** A request's dryRun values: whether it asks for a dry run, and the first value Kubernetes does not support. */
export function dryRunQuery(url: URL): { dryRun: boolean; unsupported?: string } {
  const values = url.searchParams.getAll('dryRun');
  return { dryRun: values.length > 0, unsupported: values.find((v) => v !== 'All') };
}
