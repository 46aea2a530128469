// Authorization: may this user do this? Members of system:masters may do anything; anonymous
// users may read only the public health and version endpoints. Other users are checked by the
// pluggable authorizers (RBAC, node) and otherwise allowed until RBAC enforcement is on.
import { StatusError } from '../api/errors.js';
import type { PolicyRule } from '../api/kinds/rbac.js';
import type { UserInfo } from '../registry/context.js';
import type { RequestInfo } from '../http/request-info.js';

export type Decision = 'allow' | 'deny' | 'no-opinion';

export interface AuthorizationAttributes {
  user: UserInfo;
  info: RequestInfo;
}

export type AuthorizerFn = (a: AuthorizationAttributes) => Decision | Promise<Decision>;

const publicPaths = new Set(['/healthz', '/livez', '/readyz', '/version', '/version/']);

/** The rules that apply to a user in a namespace (SelfSubjectRulesReview). */
export type RuleLister = (user: UserInfo, namespace: string) => PolicyRule[];

export class Authorizer {
  private readonly chain: AuthorizerFn[] = [];
  /** Lists a user's rules, where an authorizer can (RBAC). */
  ruleLister?: RuleLister;
  /** Whether a user no authorizer allows is denied (true once RBAC is enforced). */
  enforce = false;

  add(fn: AuthorizerFn): void {
    this.chain.push(fn);
  }

  async authorize(a: AuthorizationAttributes): Promise<Decision> {
    if (a.user.groups.includes('system:masters')) return 'allow';
    if (a.info.kind === 'nonresource' && (publicPaths.has(a.info.path) || a.info.path.startsWith('/healthz/') || a.info.path.startsWith('/livez/') || a.info.path.startsWith('/readyz/'))) return 'allow';
    for (const fn of this.chain) {
      const d = await fn(a);
      if (d !== 'no-opinion') return d;
    }
    if (a.user.name === 'system:anonymous') return 'deny';
    return this.enforce ? 'deny' : 'allow';
  }
}

/** The 403 Kubernetes sends, naming the user, verb and resource. */
export function forbiddenFor(a: AuthorizationAttributes): StatusError {
  const u = a.user.name;
  const info = a.info;
  if (info.kind === 'nonresource') {
    return new StatusError({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 403, reason: 'Forbidden',
      message: `forbidden: User "${u}" cannot ${info.verb} path "${info.path}"`, details: {},
    });
  }
  const res = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  const what = info.group ? `${info.resource}.${info.group}` : info.resource;
  const named = info.name ? ` "${info.name}"` : '';
  const scope = info.namespace ? ` in the namespace "${info.namespace}"` : ' at the cluster scope';
  return new StatusError({
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 403, reason: 'Forbidden',
    message: `${what}${named} is forbidden: User "${u}" cannot ${info.verb} resource "${res}" in API group "${info.group}"${scope}`,
    details: { name: info.name || undefined, group: info.group || undefined, kind: info.resource },
  });
}
