// Asks the cluster for a certificate as kubelet's TLS bootstrap does: a CertificateSigningRequest
// for the node's own key, then waiting for the signer to issue it (or for a denial or failure,
// which is reported with the server's reason).
import { randomBytes } from 'node:crypto';
import { ApiError } from '../../lib/client/api-error.js';
import type { KubeClient } from '../../lib/client/rest-client.js';
import { resources } from '../../lib/client/resource-types.js';
import type { KubeObject } from '../../lib/client/types.js';
import { createCsr, type CsrSubject } from '../../lib/csr.js';
import { JoinError } from './join-error.js';

type Csr = KubeObject & { status?: { certificate?: string; conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> } };

export interface CertificateAsk {
  signerName: string;
  usages: string[];
  subject: CsrSubject;
  keyPem: string;
  expirationSeconds?: number;
  /** What the request is for, in messages ("client", "serving"). */
  what: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends the request and resolves with the issued certificate (PEM). */
export async function requestCertificate(client: KubeClient, ask: CertificateAsk, timeoutMs = 120_000): Promise<string> {
  const api = client.resource<Csr>(resources.certificateSigningRequests);
  const name = `node-csr-${randomBytes(8).toString('hex')}`;
  try {
    await api.create({
      apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name },
      spec: {
        request: Buffer.from(createCsr(ask.keyPem, ask.subject)).toString('base64'),
        signerName: ask.signerName, usages: ask.usages,
        ...(ask.expirationSeconds ? { expirationSeconds: ask.expirationSeconds } : {}),
      },
    } as Csr);
  } catch (err) {
    if (err instanceof ApiError && err.code === 401) {
      throw new JoinError('the server refused the token: it is wrong, has expired or was deleted. Make a new one on the server with \'k8ts token create\', or use the one in <data-dir>/node-token there.');
    }
    if (err instanceof ApiError) throw new JoinError(`the server refused the ${ask.what} certificate request: ${err.message}`);
    throw err;
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const csr = await api.get('', name);
    const cond = (t: string) => csr.status?.conditions?.find((c) => c.type === t && c.status === 'True');
    const bad = cond('Denied') ?? cond('Failed');
    if (bad) throw new JoinError(`the server ${bad.type === 'Denied' ? 'denied' : 'could not sign'} this node's ${ask.what} certificate (${name}): ${bad.reason ?? ''} ${bad.message ?? ''}`.trim());
    if (csr.status?.certificate) return Buffer.from(csr.status.certificate, 'base64').toString('utf8');
    await sleep(300);
  }
  throw new JoinError(`no ${ask.what} certificate was issued within ${timeoutMs / 1000} s (request ${name}): does the server run its controllers? See 'kubectl get csr'.`);
}
