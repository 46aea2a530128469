// The CertificateSigningRequest as the certificate controllers read it.
import type { KubeObject } from '../../lib/client/types.js';

export interface CsrCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

export type Csr = KubeObject & {
  spec?: { request?: string; signerName?: string; usages?: string[]; username?: string; groups?: string[]; expirationSeconds?: number };
  status?: { conditions?: CsrCondition[]; certificate?: string };
};

export const kubeletClientSigner = 'kubernetes.io/kube-apiserver-client-kubelet';
export const kubeletServingSigner = 'kubernetes.io/kubelet-serving';
export const apiserverClientSigner = 'kubernetes.io/kube-apiserver-client';

export const hasCondition = (csr: Csr, type: string) => (csr.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');

/** The PEM request of a CSR (spec.request is base64 of it). */
export const requestPem = (csr: Csr) => Buffer.from(csr.spec?.request ?? '', 'base64').toString('utf8');
