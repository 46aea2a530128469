// Kubeconfig files, as kubectl reads them (credentials embedded as base64 data).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse, stringify } from 'yaml';

export interface KubeconfigInput {
  server: string;
  caCert: string;
  clientCert?: string;
  clientKey?: string;
  token?: string;
  user?: string;
  cluster?: string;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

export function renderKubeconfig(c: KubeconfigInput): string {
  const cluster = c.cluster ?? 'default';
  const user = c.user ?? 'default';
  const credentials: Record<string, string> = {};
  if (c.clientCert) credentials['client-certificate-data'] = b64(c.clientCert);
  if (c.clientKey) credentials['client-key-data'] = b64(c.clientKey);
  if (c.token) credentials.token = c.token;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server: c.server, 'certificate-authority-data': b64(c.caCert) } }],
    users: [{ name: user, user: credentials }],
    contexts: [{ name: cluster, context: { cluster, user } }],
    'current-context': cluster,
    preferences: {},
  });
}

export function writeKubeconfig(file: string, c: KubeconfigInput): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, renderKubeconfig(c), { mode: 0o600 });
}

/** What a client needs from a kubeconfig: where the server is and how to authenticate. */
export interface ClientConfig {
  server: string;
  caCert?: string;
  clientCert?: string;
  clientKey?: string;
  token?: string;
  insecure?: boolean;
}

type Named<T> = { name: string } & T;

export function readKubeconfig(file: string): ClientConfig {
  const doc = parse(readFileSync(file, 'utf8')) as {
    'current-context'?: string;
    contexts?: Named<{ context: { cluster: string; user: string } }>[];
    clusters?: Named<{ cluster: Record<string, string | boolean> }>[];
    users?: Named<{ user: Record<string, string> }>[];
  };
  const ctxName = doc['current-context'];
  const ctx = doc.contexts?.find((c) => c.name === ctxName)?.context ?? doc.contexts?.[0]?.context;
  const cluster = doc.clusters?.find((c) => c.name === ctx?.cluster)?.cluster ?? doc.clusters?.[0]?.cluster ?? {};
  const user = doc.users?.find((u) => u.name === ctx?.user)?.user ?? doc.users?.[0]?.user ?? {};
  const data = (inline: unknown, fileRef: unknown) =>
    typeof inline === 'string' ? Buffer.from(inline, 'base64').toString() : typeof fileRef === 'string' ? readFileSync(fileRef, 'utf8') : undefined;
  return {
    server: String(cluster.server),
    caCert: data(cluster['certificate-authority-data'], cluster['certificate-authority']),
    insecure: cluster['insecure-skip-tls-verify'] === true,
    clientCert: data(user['client-certificate-data'], user['client-certificate']),
    clientKey: data(user['client-key-data'], user['client-key']),
    token: user.token,
  };
}
