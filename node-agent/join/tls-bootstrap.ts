// Joining a cluster with a token (kubelet's TLS bootstrap, k3s' agent join):
//   1. the server's CA, checked against the token's hash (ca-discovery.ts);
//   2. a client certificate for system:node:<name> (group system:nodes), requested with the
//      token and approved and signed by the server's certificate controllers;
//   3. the check that no other agent owns a Node of this name;
//   4. a serving certificate for the agent's port, requested with the new credential;
//   5. <data-dir>/agent/kubelet.kubeconfig and the serving pair written, last, so that a failed
//      join leaves nothing that a restart would take for a finished one.
// A restart reuses what is there; cert-rotation.ts renews it.
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { parseJoinToken } from '../../lib/bootstrap-token.js';
import { isNotFound } from '../../lib/client/api-error.js';
import { KubeClient } from '../../lib/client/rest-client.js';
import { resources } from '../../lib/client/resource-types.js';
import type { Node } from '../../lib/client/types.js';
import { readKubeconfig, renderKubeconfig } from '../../lib/kubeconfig.js';
import { logger } from '../../lib/log.js';
import { newPrivateKey, type KeyPair } from '../../lib/pki.js';
import { agentPaths } from '../config.js';
import { nodeIdAnnotation, nodeIdentity } from '../node/node-identity.js';
import { discoverCA } from './ca-discovery.js';
import { requestCertificate } from './csr-request.js';
import { JoinError } from './join-error.js';

const log = logger('join');

/** Past this, certificates look "not yet valid" or expired to one side: refuse with the numbers. */
const maxSkewMs = 5 * 60_000;

export const clientUsages = ['digital signature', 'key encipherment', 'client auth'];
export const servingUsages = ['digital signature', 'key encipherment', 'server auth'];

export interface JoinOptions {
  server: string;
  token: string;
  nodeName: string;
  dataDir: string;
  /** Addresses for the serving certificate (the node IP). */
  nodeIPs: string[];
  /** Lifetime asked for (expirationSeconds); the server's default (1 year) when absent. */
  certLifetimeSeconds?: number;
}

export interface JoinedCredentials {
  kubeconfig: string;
  servingCertFile: string;
  servingKeyFile: string;
}

export function joinPaths(dataDir: string): JoinedCredentials {
  const root = agentPaths(dataDir).root;
  return { kubeconfig: join(root, 'kubelet.kubeconfig'), servingCertFile: join(root, 'serving-kubelet.crt'), servingKeyFile: join(root, 'serving-kubelet.key') };
}

function writeAtomically(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/** The credentials of an earlier join to this server that are still valid, if any. */
function earlierJoin(opts: JoinOptions, paths: JoinedCredentials): boolean {
  if (![paths.kubeconfig, paths.servingCertFile, paths.servingKeyFile].every(existsSync)) return false;
  try {
    const kc = readKubeconfig(paths.kubeconfig);
    if (new URL(kc.server).origin !== new URL(opts.server).origin || !kc.clientCert) return false;
    return Date.parse(new X509Certificate(kc.clientCert).validTo) > Date.now();
  } catch {
    return false;
  }
}

export function nodeSubject(nodeName: string) {
  return { commonName: `system:node:${nodeName}`, organizations: ['system:nodes'] };
}

export function servingNames(nodeName: string, nodeIPs: string[]) {
  return { dnsNames: [...new Set([nodeName, hostname()])], ips: [...new Set([...nodeIPs, '127.0.0.1'])] };
}

export async function tlsBootstrap(opts: JoinOptions): Promise<JoinedCredentials> {
  const paths = joinPaths(opts.dataDir);
  if (earlierJoin(opts, paths)) {
    log.info({ kubeconfig: paths.kubeconfig }, 'using the credentials of an earlier join');
    return paths;
  }
  const token = parseJoinToken(opts.token);
  if (!token) {
    throw new JoinError('the token is not a k8ts join token: use K10<hash>::server:<secret> (the server\'s <data-dir>/node-token) or K10<hash>::<id>.<secret> (from \'k8ts token create\').');
  }
  if (!token.caHash) {
    throw new JoinError('the token does not pin the server\'s CA, so the server cannot be checked: use the full K10<hash>::... token that \'k8ts token create\' prints.');
  }
  const ca = await discoverCA(opts.server, token.caHash);
  if (Math.abs(ca.skewMs) > maxSkewMs) {
    throw new JoinError(`this host's clock is ${Math.round(Math.abs(ca.skewMs) / 1000)} s ${ca.skewMs > 0 ? 'behind' : 'ahead of'} the server's: certificates would not be valid on one side. Set the time right (timedatectl set-ntp true) and join again.`);
  }
  log.info({ server: opts.server }, 'server CA matches the token');

  const bootstrapClient = new KubeClient({ server: opts.server, caCert: ca.pem, token: opts.token.trim() }, { userAgent: `k8ts-agent/${opts.nodeName} (bootstrap)` });
  const clientKey = newPrivateKey();
  let clientCert: string;
  try {
    clientCert = await requestCertificate(bootstrapClient, {
      what: 'client', signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: clientUsages,
      subject: nodeSubject(opts.nodeName), keyPem: clientKey, expirationSeconds: opts.certLifetimeSeconds,
    });
  } finally {
    bootstrapClient.close();
  }
  const client = new KubeClient({ server: opts.server, caCert: ca.pem, clientCert, clientKey }, { userAgent: `k8ts-agent/${opts.nodeName}` });
  try {
    await checkNodeName(client, opts);
    const servingKey = newPrivateKey();
    const servingCert = await requestCertificate(client, {
      what: 'serving', signerName: 'kubernetes.io/kubelet-serving', usages: servingUsages,
      subject: { ...nodeSubject(opts.nodeName), ...servingNames(opts.nodeName, opts.nodeIPs) }, keyPem: servingKey, expirationSeconds: opts.certLifetimeSeconds,
    });
    writeCredentials(paths, opts.server, ca.pem, { cert: clientCert, key: clientKey }, { cert: servingCert, key: servingKey });
  } finally {
    client.close();
  }
  log.info({ node: opts.nodeName, kubeconfig: paths.kubeconfig }, 'joined: node credentials written');
  return paths;
}

/** Writes (or rewrites, on renewal) the kubeconfig and the serving pair. */
export function writeCredentials(paths: JoinedCredentials, server: string, caPem: string, client: KeyPair | undefined, serving: KeyPair | undefined): void {
  mkdirSync(join(paths.kubeconfig, '..'), { recursive: true, mode: 0o700 });
  if (serving) {
    writeAtomically(paths.servingKeyFile, serving.key);
    writeAtomically(paths.servingCertFile, serving.cert);
  }
  if (client) writeAtomically(paths.kubeconfig, renderKubeconfig({ server, caCert: caPem, clientCert: client.cert, clientKey: client.key, user: 'kubelet', cluster: 'k8ts' }));
}

/** A Node of this name that another agent registered is not ours to take. */
async function checkNodeName(client: KubeClient, opts: JoinOptions): Promise<void> {
  let node: Node;
  try {
    node = await client.resource<Node>(resources.nodes).get('', opts.nodeName);
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  const owner = node.metadata?.annotations?.[nodeIdAnnotation];
  if (owner && owner !== nodeIdentity(opts.dataDir)) {
    throw new JoinError(`a node named "${opts.nodeName}" already exists and belongs to another agent (${nodeIdAnnotation}=${owner}). Join under another name with --node-name, or remove the old node first: kubectl delete node ${opts.nodeName}`);
  }
}

/** The PEM of a file (for callers that reload what tlsBootstrap wrote). */
export const readPem = (file: string) => readFileSync(file, 'utf8');
