// Impersonation (`kubectl --as`, `--as-group`, `--as-uid`): the Impersonate-* headers ask for
// the request to be served as another user. Each part needs the `impersonate` verb on what it
// names, as kube-apiserver's impersonation filter checks: users, groups, service accounts (in
// their namespace), uids and user extras. A refusal is the usual 403, naming what was asked.
import type { IncomingMessage } from 'node:http';
import { badRequest } from '../api/errors.js';
import type { ResourceRequest } from '../http/request-info.js';
import type { UserInfo } from '../registry/context.js';
import { serviceAccountGroups } from '../registry/serviceaccounts/token.js';
import { forbiddenFor, type Authorizer } from './authorize.js';

const extraPrefix = 'impersonate-extra-';

function values(req: IncomingMessage, name: string): string[] {
  const v = req.headers[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
}

function target(resource: string, name: string, over: Partial<ResourceRequest> = {}): ResourceRequest {
  return { kind: 'resource', verb: 'impersonate' as ResourceRequest['verb'], group: '', version: '', namespace: '', resource, name, subresource: '', rest: [], ...over };
}

/** The user to serve the request as: `user` itself unless it asks to impersonate. */
export async function impersonatedUser(req: IncomingMessage, user: UserInfo, authz: Authorizer): Promise<UserInfo> {
  const name = req.headers['impersonate-user'];
  const groups = values(req, 'impersonate-group');
  const uid = req.headers['impersonate-uid'];
  const extraKeys = Object.keys(req.headers).filter((h) => h.startsWith(extraPrefix));
  if (name === undefined) {
    if (groups.length || uid !== undefined || extraKeys.length) throw badRequest('impersonating groups, a uid or extras requires impersonating a user');
    return user;
  }
  const asName = Array.isArray(name) ? name[0] ?? '' : name;
  const checks: ResourceRequest[] = [];
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(asName);
  checks.push(sa ? target('serviceaccounts', sa[2] ?? '', { namespace: sa[1] ?? '' }) : target('users', asName));
  for (const g of groups) checks.push(target('groups', g));
  if (typeof uid === 'string') checks.push(target('uids', uid, { group: 'authentication.k8s.io' }));
  const extra: Record<string, string[]> = {};
  for (const h of extraKeys) {
    const key = decodeURIComponent(h.slice(extraPrefix.length));
    extra[key] = values(req, h);
    for (const v of extra[key] ?? []) checks.push(target('userextras', v, { group: 'authentication.k8s.io', subresource: key }));
  }
  for (const info of checks) {
    if ((await authz.authorize({ user, info })) !== 'allow') throw forbiddenFor({ user, info });
  }
  const anonymous = asName === 'system:anonymous';
  const implied = anonymous ? ['system:unauthenticated'] : [...(sa ? serviceAccountGroups(sa[1] ?? '') : []), 'system:authenticated'];
  return {
    name: asName,
    groups: [...new Set([...groups, ...implied])],
    ...(typeof uid === 'string' ? { uid } : {}),
    ...(extraKeys.length ? { extra } : {}),
  };
}
