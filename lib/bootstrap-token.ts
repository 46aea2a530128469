// Bootstrap tokens, as kubeadm makes them: "<id>.<secret>" (6 and 16 of [a-z0-9]), kept in a
// kube-system Secret "bootstrap-token-<id>" of type bootstrap.kubernetes.io/token, with an
// optional RFC 3339 expiration. And the server's own join token, in k3s' form
// "K10<sha256 of the CA PEM>::server:<secret>". Pure.
import { createHash, randomBytes } from 'node:crypto';

export const bootstrapTokenType = 'bootstrap.kubernetes.io/token';
export const bootstrapTokenPrefix = 'bootstrap-token-';
const tokenPattern = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';

export interface BootstrapToken {
  id: string;
  secret: string;
}

export function parseBootstrapToken(s: string): BootstrapToken | undefined {
  const m = tokenPattern.exec(s);
  return m ? { id: m[1] ?? '', secret: m[2] ?? '' } : undefined;
}

function randomString(n: number): string {
  const bytes = randomBytes(n * 2);
  let out = '';
  // Rejection sampling keeps every character equally likely (256 is not a multiple of 36).
  for (const b of bytes) {
    if (b < 252) out += alphabet[b % 36];
    if (out.length === n) return out;
  }
  return out + randomString(n - out.length);
}

export function newBootstrapToken(): BootstrapToken {
  return { id: randomString(6), secret: randomString(16) };
}

/** The hash a join token pins the cluster CA with: sha256 of the CA certificate's PEM bytes, hex. */
export function caHash(caPem: string | Buffer): string {
  return createHash('sha256').update(caPem).digest('hex');
}

export interface JoinToken {
  /** The CA hash to check before trusting the server (undefined: the token does not pin one). */
  caHash?: string;
  /** A bootstrap token, or the server's own secret. */
  bootstrap?: BootstrapToken;
  serverSecret?: string;
}

/**
 * Reads what `k8ts agent --token` takes: "K10<hash>::server:<secret>" (the server's node-token),
 * "K10<hash>::<id>.<secret>" (from `k8ts token create`), or a bare "<id>.<secret>".
 */
export function parseJoinToken(s: string): JoinToken | undefined {
  const full = /^K10([0-9a-f]{64})::(.+)$/.exec(s.trim());
  const hash = full?.[1];
  const rest = full ? full[2] ?? '' : s.trim();
  if (rest.startsWith('server:')) {
    const secret = rest.slice('server:'.length);
    return secret ? { caHash: hash, serverSecret: secret } : undefined;
  }
  const bootstrap = parseBootstrapToken(rest);
  return bootstrap ? { caHash: hash, bootstrap } : undefined;
}

export function formatJoinToken(hash: string, credential: string): string {
  return `K10${hash}::${credential}`;
}
