// The review resources, answered and never stored: who am I (SelfSubjectReview), may I
// (SelfSubjectAccessReview, SelfSubjectRulesReview), may they (SubjectAccessReview,
// LocalSubjectAccessReview), and is this token valid (TokenReview).
import { badRequest } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import type { ApiContext } from '../registry/api-context.js';
import type { ResourceRequest } from '../http/request-info.js';
import type { UserInfo } from '../registry/context.js';
import type { Authenticator } from './authenticate.js';
import type { Authorizer } from './authorize.js';

interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

interface AccessSpec {
  resourceAttributes?: ResourceAttributes;
  nonResourceAttributes?: { path?: string; verb?: string };
  user?: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

function requestFromSpec(spec: AccessSpec, namespaceOverride?: string): ResourceRequest | { kind: 'nonresource'; verb: string; path: string } {
  if (spec.resourceAttributes) {
    const r = spec.resourceAttributes;
    return {
      kind: 'resource', verb: (r.verb ?? '') as ResourceRequest['verb'], group: r.group ?? '', version: r.version ?? '',
      namespace: namespaceOverride ?? r.namespace ?? '', resource: r.resource ?? '', name: r.name ?? '', subresource: r.subresource ?? '', rest: [],
    };
  }
  if (spec.nonResourceAttributes) return { kind: 'nonresource', verb: spec.nonResourceAttributes.verb ?? '', path: spec.nonResourceAttributes.path ?? '' };
  throw badRequest('exactly one of nonResourceAttributes or resourceAttributes must be specified');
}

async function decide(authz: Authorizer, user: UserInfo, spec: AccessSpec, ns?: string) {
  const decision = await authz.authorize({ user, info: requestFromSpec(spec, ns) });
  if (decision === 'allow') {
    return { allowed: true, ...(user.groups.includes('system:masters') ? {} : { reason: '' }) };
  }
  return { allowed: false, ...(decision === 'deny' ? { denied: true } : {}) };
}

export function reviewExtensions(api: ApiContext, authn?: Authenticator, authz?: Authorizer): void {
  if (!authz) return;
  const withStatus = (obj: KubeObject, status: object): KubeObject => ({ ...obj, metadata: { ...obj.metadata, creationTimestamp: null }, status });
  api.extend('authorization.k8s.io', 'selfsubjectaccessreviews', {
    async create(req, obj) {
      return withStatus(obj, await decide(authz, req.ctx.user, (obj.spec ?? {}) as AccessSpec));
    },
  });
  api.extend('authorization.k8s.io', 'subjectaccessreviews', {
    async create(req, obj) {
      const spec = (obj.spec ?? {}) as AccessSpec;
      const user: UserInfo = { name: spec.user ?? '', groups: spec.groups ?? [], uid: spec.uid, extra: spec.extra };
      return withStatus(obj, await decide(authz, user, spec));
    },
  });
  api.extend('authorization.k8s.io', 'localsubjectaccessreviews', {
    async create(req, obj) {
      const spec = (obj.spec ?? {}) as AccessSpec;
      const user: UserInfo = { name: spec.user ?? '', groups: spec.groups ?? [], uid: spec.uid, extra: spec.extra };
      return withStatus(obj, await decide(authz, user, spec, req.namespace));
    },
  });
  api.extend('authorization.k8s.io', 'selfsubjectrulesreviews', {
    async create(req, obj) {
      const user = req.ctx.user;
      const namespace = (obj.spec as { namespace?: string } | undefined)?.namespace ?? '';
      const rules = [
        ...(user.groups.includes('system:masters') ? [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }] : []),
        ...(authz.ruleLister?.(user, namespace) ?? []),
      ];
      const resourceRules = rules.filter((r) => !r.nonResourceURLs?.length)
        .map((r) => ({ verbs: r.verbs ?? [], apiGroups: r.apiGroups, resources: r.resources, resourceNames: r.resourceNames }));
      const nonResourceRules = rules.filter((r) => r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs ?? [], nonResourceURLs: r.nonResourceURLs }));
      return withStatus(obj, { resourceRules, nonResourceRules, incomplete: false });
    },
  });
  api.extend('authentication.k8s.io', 'selfsubjectreviews', {
    async create(req, obj) {
      const u = req.ctx.user;
      return withStatus(obj, { userInfo: { username: u.name, ...(u.uid ? { uid: u.uid } : {}), groups: u.groups, ...(u.extra ? { extra: u.extra } : {}) } });
    },
  });
  api.extend('authentication.k8s.io', 'tokenreviews', {
    async create(_req, obj) {
      const token = (obj.spec as { token?: string } | undefined)?.token ?? '';
      const user = authn ? await authn.authenticateToken(token) : undefined;
      return withStatus(obj, user
        ? { authenticated: true, user: { username: user.name, uid: user.uid, groups: user.groups, extra: user.extra }, audiences: (obj.spec as { audiences?: string[] }).audiences ?? [] }
        : { authenticated: false, user: {} });
    },
  });
}
