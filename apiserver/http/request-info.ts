// Turns a request path and method into what is being asked (Kubernetes' RequestInfo):
// group, version, namespace, resource, name, subresource and verb.
import { queryFlag } from '../../lib/parse-bool.js';
import { FieldSelectorError, parseFieldSelector } from '../api/selectors/fields.js';

export interface ResourceRequest {
  kind: 'resource';
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'connect';
  group: string;
  version: string;
  namespace: string;
  resource: string;
  name: string;
  subresource: string;
  /** Path segments after the subresource (e.g. pod proxy paths). */
  rest: string[];
}

export interface NonResourceRequest {
  kind: 'nonresource';
  verb: string;
  path: string;
}

export type RequestInfo = ResourceRequest | NonResourceRequest;

/** Subresources of a namespace that are not resources inside it. */
const namespaceSubresources = new Set(['status', 'finalize']);

export function requestInfo(method: string, pathname: string, query: URLSearchParams): RequestInfo {
  const lowerVerb = httpVerb(method);
  const split = pathname.split('/').filter((p) => p !== '');
  const parts = pathname.includes('%') ? split.map(decodeURIComponent) : split;
  const nonResource: NonResourceRequest = { kind: 'nonresource', verb: lowerVerb, path: pathname };
  let rest: string[];
  let group: string;
  if (parts[0] === 'api' && parts.length >= 2) {
    group = '';
    rest = parts.slice(1);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1];
    rest = parts.slice(2);
  } else {
    return nonResource;
  }
  const version = rest[0];
  rest = rest.slice(1);
  if (rest.length === 0) return nonResource;
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length >= 2) {
    namespace = rest[1];
    if (rest.length === 2 || (rest.length === 3 && namespaceSubresources.has(rest[2]))) {
      // /namespaces/<name>[/status|/finalize] addresses the namespace itself.
      rest = ['namespaces', rest[1], ...rest.slice(2)];
    } else {
      rest = rest.slice(2);
    }
  }
  const [resource, name = '', subresource = '', ...tail] = rest;
  if (!resource) return nonResource;
  let verb: ResourceRequest['verb'];
  // `watch=true`, `watch=True`, `watch=1`...: every value but 0 and false, as Kubernetes reads it.
  const isWatch = watchPath || queryFlag(query, 'watch');
  switch (lowerVerb) {
    case 'get': verb = name ? (isWatch ? 'watch' : 'get') : isWatch ? 'watch' : 'list'; break;
    case 'post': verb = 'create'; break;
    case 'put': verb = 'update'; break;
    case 'patch': verb = 'patch'; break;
    case 'delete': verb = name ? 'delete' : 'deletecollection'; break;
    default: verb = 'get';
  }
  if (resource === 'namespaces' && name === '') namespace = '';
  return { kind: 'resource', verb, group, version, namespace, resource, name, subresource, rest: tail };
}

/**
 * What authorization (and a Forbidden message) sees: a list or watch whose fieldSelector pins
 * metadata.name is about that one object, as Kubernetes' RequestInfo has it, so RBAC's
 * resourceNames and the Node authorizer can allow watching a single Secret. The handler keeps
 * the request as it came: it is still a list.
 */
export function authorizationInfo(info: RequestInfo, query: URLSearchParams): RequestInfo {
  if (info.kind !== 'resource' || info.name || (info.verb !== 'list' && info.verb !== 'watch')) return info;
  const selector = query.get('fieldSelector');
  if (!selector) return info;
  let name: string | undefined;
  try {
    name = parseFieldSelector(selector, 'any').exactValue('metadata.name');
  } catch (err) {
    if (err instanceof FieldSelectorError) return info;
    throw err;
  }
  // Only a name that could stand in a path (path.IsValidPathSegmentName).
  if (!name || name === '.' || name === '..' || /[/%]/.test(name)) return info;
  return { ...info, name };
}

function httpVerb(method: string): string {
  return method.toLowerCase();
}
