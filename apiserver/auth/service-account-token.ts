// Service account tokens as kube-apiserver issues and checks them: RS256 JWTs signed with the
// cluster's service-account key (<data>/pki/service-account.key), with Kubernetes' claims
// (iss, sub, aud, exp/iat/nbf, jti and the kubernetes.io block binding the token to its
// service account, pod and node).
import { createHash, createPublicKey, generateKeyPairSync, randomUUID, type KeyObject, createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, jwtVerify, base64url } from 'jose';

/** kube-apiserver's default issuer and audience for clusters like k3s. */
export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface ObjectRef {
  name: string;
  uid: string;
}

export interface KubernetesClaims {
  namespace: string;
  serviceaccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
  /** Tokens with extended expiry ask clients to refresh after this (seconds since the epoch). */
  warnafter?: number;
}

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': KubernetesClaims;
}

/** Loads the signing key, creating a 2048-bit RSA key on first start. */
export function ensureServiceAccountKey(pkiDir: string): KeyObject {
  const file = join(pkiDir, 'service-account.key');
  if (!existsSync(file)) {
    mkdirSync(pkiDir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(file, privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
  }
  return createPrivateKey(readFileSync(file, 'utf8'));
}

/** kube-apiserver's key ID: base64url(sha256(DER public key)). */
export function keyId(key: KeyObject): string {
  const der = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return base64url.encode(createHash('sha256').update(der).digest());
}

export interface IssueRequest {
  namespace: string;
  serviceAccount: ObjectRef;
  audiences: string[];
  /** Lifetime in seconds. */
  expirationSeconds: number;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
  warnAfterSeconds?: number;
}

export class ServiceAccountTokens {
  readonly kid: string;
  private readonly publicKey: KeyObject;

  constructor(private readonly key: KeyObject, readonly issuer = DEFAULT_ISSUER, readonly audiences: string[] = [DEFAULT_ISSUER]) {
    this.kid = keyId(key);
    this.publicKey = createPublicKey(key);
  }

  async issue(r: IssueRequest, nowMs = Date.now()): Promise<{ token: string; claims: TokenClaims }> {
    const now = Math.floor(nowMs / 1000);
    const k8s: KubernetesClaims = { namespace: r.namespace, serviceaccount: r.serviceAccount };
    if (r.node) k8s.node = r.node;
    if (r.pod) k8s.pod = r.pod;
    if (r.secret) k8s.secret = r.secret;
    if (r.warnAfterSeconds) k8s.warnafter = now + r.warnAfterSeconds;
    const claims: TokenClaims = {
      aud: r.audiences, exp: now + r.expirationSeconds, iat: now, iss: this.issuer, jti: randomUUID(),
      'kubernetes.io': k8s, nbf: now, sub: `system:serviceaccount:${r.namespace}:${r.serviceAccount.name}`,
    };
    const token = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'RS256', kid: this.kid }).sign(this.key);
    return { token, claims };
  }

  /** The token's claims when it is ours, unexpired and meant for us; undefined otherwise. */
  async verify(token: string): Promise<TokenClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.publicKey, { issuer: this.issuer, algorithms: ['RS256'], clockTolerance: 60 });
      const aud = Array.isArray(payload.aud) ? payload.aud : payload.aud ? [payload.aud] : [];
      if (!aud.some((a) => this.audiences.includes(a))) return undefined;
      return payload as unknown as TokenClaims;
    } catch {
      return undefined;
    }
  }
}
