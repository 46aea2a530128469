// serviceaccounts/token (TokenRequest): issues a token for a service account, optionally bound
// to a Pod, Secret or Node, as kube-apiserver does - with its validation, defaults (audiences,
// 1 h), and the extended one-year life kubelet-requested pod tokens (3607 s) get. Also the
// token authenticator that accepts those tokens while what they are bound to still exists.
import { badRequest, conflict, invalid, notFound } from '../../api/errors.js';
import { forbiddenField, invalidValue, path } from '../../api/field-errors.js';
import type { ApiContext } from '../api-context.js';
import type { UserInfo } from '../context.js';
import type { KubeObject } from '../../api/object.js';
import type { Authenticator, TokenAuthenticator } from '../../auth/authenticate.js';
import { ensureServiceAccountKey, ServiceAccountTokens, type ObjectRef } from '../../auth/service-account-token.js';

interface TokenRequestSpec {
  audiences?: string[];
  expirationSeconds?: number;
  boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string };
}

/** What kubelet asks for a projected token by default; such pod tokens live a year (warnafter 3607 s). */
const WARN_ONLY_EXPIRATION = 3607;
const EXTENDED_EXPIRATION = 365 * 24 * 3600;
const MIN_EXPIRATION = 600;

const tokenRequestKind = { group: 'authentication.k8s.io', kind: 'TokenRequest' };

function lookup(api: ApiContext, plural: string, namespace: string, name: string): KubeObject | undefined {
  const store = api.storeFor('', plural);
  const kv = api.store.get(store.key(namespace, name));
  return kv ? (JSON.parse(kv.value) as KubeObject) : undefined;
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function serviceAccountTokenExtensions(api: ApiContext, tokens: ServiceAccountTokens): void {
  api.extend('', 'serviceaccounts', {
    subresources: [{
      name: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'],
      async create(r, req) {
        const ns = r.namespace;
        const name = r.name;
        if (req.metadata.name && req.metadata.name !== name) throw badRequest(`the name of the object (${req.metadata.name}) does not match the name on the URL (${name})`);
        const spec = (req.spec ?? {}) as TokenRequestSpec;
        const expirationSeconds = spec.expirationSeconds ?? 3600;
        const errs = [];
        if (expirationSeconds < MIN_EXPIRATION) errs.push(invalidValue(path('spec', 'expirationSeconds'), expirationSeconds, 'may not specify a duration less than 10 minutes'));
        if (expirationSeconds > 2 ** 32) errs.push(invalidValue(path('spec', 'expirationSeconds'), expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
        if (errs.length) throw invalid(tokenRequestKind, name, errs);

        const sa = lookup(api, 'serviceaccounts', ns, name);
        if (!sa) throw notFound({ group: '', resource: 'serviceaccounts' }, name);
        const audiences = spec.audiences?.length ? spec.audiences : tokens.audiences;

        let pod: ObjectRef | undefined;
        let secret: ObjectRef | undefined;
        let node: ObjectRef | undefined;
        const ref = spec.boundObjectRef;
        if (ref) {
          const kinds: Record<string, string> = { Pod: 'pods', Secret: 'secrets' };
          const plural = kinds[ref.kind ?? ''];
          if (!plural && ref.kind !== 'Node') throw badRequest(`cannot bind token to object of kind ${ref.kind}`);
          if (ref.apiVersion && ref.apiVersion !== 'v1') throw invalid(tokenRequestKind, name, [forbiddenField(path('spec', 'boundObjectRef', 'apiVersion'), 'must be v1')]);
          const obj = plural ? lookup(api, plural, ns, ref.name ?? '') : lookup(api, 'nodes', '', ref.name ?? '');
          const gr = { group: '', resource: plural ?? 'nodes' };
          if (!obj) throw notFound(gr, ref.name ?? '');
          if (ref.uid && ref.uid !== obj.metadata.uid) {
            throw conflict(gr, ref.name ?? '', `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
          }
          const bound = { name: obj.metadata.name ?? '', uid: obj.metadata.uid ?? '' };
          if (ref.kind === 'Pod') {
            pod = bound;
            const nodeName = (obj as { spec?: { nodeName?: string } }).spec?.nodeName;
            const n = nodeName ? lookup(api, 'nodes', '', nodeName) : undefined;
            if (n) node = { name: n.metadata.name ?? '', uid: n.metadata.uid ?? '' };
          } else if (ref.kind === 'Secret') secret = bound;
          else node = bound;
        }
        const extend = !!pod && expirationSeconds === WARN_ONLY_EXPIRATION && audiences.every((a) => tokens.audiences.includes(a));
        const { token } = await tokens.issue({
          namespace: ns, serviceAccount: { name, uid: sa.metadata.uid ?? '' }, audiences,
          expirationSeconds: extend ? EXTENDED_EXPIRATION : expirationSeconds, pod, secret, node,
          warnAfterSeconds: extend ? WARN_ONLY_EXPIRATION : undefined,
        });
        return {
          kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1',
          metadata: { name, namespace: ns, creationTimestamp: null },
          spec: { audiences, expirationSeconds, ...(ref ? { boundObjectRef: ref } : {}) },
          status: { token, expirationTimestamp: rfc3339(Date.now() + expirationSeconds * 1000) },
        };
      },
    }],
  });
}

/** Accepts our service account tokens while their account (and bound pod or secret) still exist. */
export function serviceAccountTokenAuthenticator(api: ApiContext, tokens: ServiceAccountTokens): TokenAuthenticator {
  return async (token) => {
    if (token.split('.').length !== 3) return undefined;
    const claims = await tokens.verify(token);
    if (!claims) return undefined;
    const k = claims['kubernetes.io'];
    if (!k?.namespace || !k.serviceaccount) return undefined;
    const sa = lookup(api, 'serviceaccounts', k.namespace, k.serviceaccount.name);
    if (!sa || sa.metadata.uid !== k.serviceaccount.uid) return undefined;
    const extra: Record<string, string[]> = { 'authentication.kubernetes.io/credential-id': [`JTI=${claims.jti}`] };
    if (k.pod) {
      const pod = lookup(api, 'pods', k.namespace, k.pod.name);
      if (!pod || pod.metadata.uid !== k.pod.uid || pod.metadata.deletionTimestamp) return undefined;
      extra['authentication.kubernetes.io/pod-name'] = [k.pod.name];
      extra['authentication.kubernetes.io/pod-uid'] = [k.pod.uid];
    }
    if (k.secret) {
      const s = lookup(api, 'secrets', k.namespace, k.secret.name);
      if (!s || s.metadata.uid !== k.secret.uid) return undefined;
    }
    if (k.node) {
      extra['authentication.kubernetes.io/node-name'] = [k.node.name];
      extra['authentication.kubernetes.io/node-uid'] = [k.node.uid];
    }
    return {
      name: claims.sub,
      uid: k.serviceaccount.uid,
      groups: serviceAccountGroups(k.namespace),
      extra,
    };
  };
}

/** The groups every service account of `namespace` is in. */
export function serviceAccountGroups(namespace: string): string[] {
  return ['system:serviceaccounts', `system:serviceaccounts:${namespace}`];
}

/** The user an in-process client names: a service account gets its groups. */
export function inProcessUser(name: string): UserInfo {
  const sa = /^system:serviceaccount:([^:]+):[^:]+$/.exec(name);
  return { name, groups: [...(sa ? serviceAccountGroups(sa[1] ?? '') : []), 'system:authenticated'] };
}

/** Wires service account tokens into a server: the signing key in `pkiDir`, the subresource, the authenticator. */
export function installServiceAccountTokens(api: ApiContext, authn: Authenticator, pkiDir: string): ServiceAccountTokens {
  const tokens = new ServiceAccountTokens(ensureServiceAccountKey(pkiDir));
  serviceAccountTokenExtensions(api, tokens);
  authn.addTokenAuthenticator(serviceAccountTokenAuthenticator(api, tokens));
  return tokens;
}
