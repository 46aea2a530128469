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

/** A decision, with why when an authorizer can say (it ends the 403's message). */
export interface Verdict {
  decision: Decision;
  reason?: string;
}

export type AuthorizerFn = (a: AuthorizationAttributes) => Decision | Verdict | Promise<Decision | Verdict>;

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
    return (await this.decide(a)).decision;
  }

  /** The first authorizer with an opinion decides; the reason of a denial is kept. */
  async decide(a: AuthorizationAttributes): Promise<Verdict> {
    if (a.user.groups.includes('system:masters')) return { decision: 'allow' };
    if (a.info.kind === 'nonresource' && (publicPaths.has(a.info.path) || a.info.path.startsWith('/healthz/') || a.info.path.startsWith('/livez/') || a.info.path.startsWith('/readyz/'))) return { decision: 'allow' };
    let reason: string | undefined;
    for (const fn of this.chain) {
      const d = await fn(a);
      const v = typeof d === 'string' ? { decision: d } : d;
      if (v.decision !== 'no-opinion') return v;
      reason ??= v.reason;
    }
    if (a.user.name === 'system:anonymous' || this.enforce) return { decision: 'deny', reason };
    return { decision: 'allow' };
  }
}

/** The 403 Kubernetes sends, naming the user, verb and resource. */
export function forbiddenFor(a: AuthorizationAttributes, reason?: string): StatusError {
  const why = reason ? `: ${reason}` : '';
  const u = a.user.name;
  const info = a.info;
  if (info.kind === 'nonresource') {
    return new StatusError({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 403, reason: 'Forbidden',
      message: `forbidden: User "${u}" cannot ${info.verb} path "${info.path}"${why}`, details: {},
    });
  }
  const res = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  const what = info.group ? `${info.resource}.${info.group}` : info.resource;
  const named = info.name ? ` "${info.name}"` : '';
  const scope = info.namespace ? ` in the namespace "${info.namespace}"` : ' at the cluster scope';
  return new StatusError({
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 403, reason: 'Forbidden',
    message: `${what}${named} is forbidden: User "${u}" cannot ${info.verb} resource "${res}" in API group "${info.group}"${scope}${why}`,
    details: { name: info.name || undefined, group: info.group || undefined, kind: info.resource },
  });
}
