// Who a join token is: the server's own secret is `system:bootstrap:k8ts-server`; a bootstrap
// token `<id>.<secret>` is `system:bootstrap:<id>` when its kube-system Secret says it may
// authenticate and has not expired (kubeadm's bootstrap-token authenticator). Both are in
// system:bootstrappers, which may ask for a node certificate and nothing else.
import { timingSafeEqual } from 'node:crypto';
import { bootstrapTokenPrefix, bootstrapTokenType, parseJoinToken } from '../../lib/bootstrap-token.js';
import { logger } from '../../lib/log.js';
import type { TokenAuthenticator } from '../auth/authenticate.js';
import type { ApiContext } from '../registry/api-context.js';

const log = logger('join-auth');

export const serverJoinUser = 'system:bootstrap:k8ts-server';
const bootstrappers = 'system:bootstrappers';

type Secret = { type?: string; data?: Record<string, string> };

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
const text = (s: Secret, key: string) => (s.data?.[key] === undefined ? undefined : Buffer.from(s.data[key] ?? '', 'base64').toString('utf8'));

export function joinTokenAuthenticator(api: ApiContext, serverSecret: string, expectedCaHash: string): TokenAuthenticator {
  const secrets = () => api.storeFor('', 'secrets');
  return (bearer) => {
    const t = parseJoinToken(bearer);
    if (!t) return undefined;
    // A token pinned to another cluster's CA is not one of ours, whatever its secret says.
    if (t.caHash && t.caHash !== expectedCaHash) return undefined;
    if (t.serverSecret !== undefined) {
      return same(t.serverSecret, serverSecret) ? { name: serverJoinUser, groups: [bootstrappers, `${bootstrappers}:k8ts:server-token`] } : undefined;
    }
    const { id, secret } = t.bootstrap!;
    const kv = api.store.get(secrets().key('kube-system', `${bootstrapTokenPrefix}${id}`));
    if (!kv) return undefined;
    const s = JSON.parse(kv.value) as Secret;
    if (s.type !== bootstrapTokenType || text(s, 'token-id') !== id || !same(text(s, 'token-secret') ?? '', secret)) return undefined;
    if (text(s, 'usage-bootstrap-authentication') !== 'true') return undefined;
    const expiration = text(s, 'expiration');
    if (expiration && Date.parse(expiration) <= Date.now()) {
      log.info({ tokenId: id }, 'expired bootstrap token refused');
      return undefined;
    }
    const extra = (text(s, 'auth-extra-groups') ?? '').split(',').map((g) => g.trim()).filter((g) => g.startsWith(`${bootstrappers}:`));
    return { name: `system:bootstrap:${id}`, groups: [...new Set([bootstrappers, ...extra])] };
  };
}
