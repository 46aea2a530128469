// What each signer accepts, as Kubernetes' certificate validation says: a kubelet client
// certificate is CN system:node:<name>, O system:nodes, no alternative names, client usages;
// a kubelet serving certificate the same subject with DNS or IP names and server usages. Pure.
import { parseCsr, type ParsedCsr } from '../../lib/csr.js';
import { apiserverClientSigner, kubeletClientSigner, kubeletServingSigner, requestPem, type Csr } from './csr-types.js';

const clientUsageSets = [['client auth', 'digital signature', 'key encipherment'], ['client auth', 'digital signature']];
const servingUsageSets = [['digital signature', 'key encipherment', 'server auth'], ['digital signature', 'server auth']];

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

function nodeSubject(p: ParsedCsr): string | undefined {
  if (p.organizations.length !== 1 || p.organizations[0] !== 'system:nodes') return 'subject organization is not system:nodes';
  if (!p.commonName.startsWith('system:node:') || p.commonName === 'system:node:') return 'subject common name does not begin with "system:node:"';
  return undefined;
}

/** Why the CSR is not a valid request for its signer (undefined: it is). */
export function signerProblem(csr: Csr): string | undefined {
  let p: ParsedCsr;
  try {
    p = parseCsr(requestPem(csr));
  } catch {
    return 'unable to parse csr';
  }
  if (!p.verified) return 'csr signature does not match its public key';
  const usages = [...(csr.spec?.usages ?? [])].sort();
  switch (csr.spec?.signerName) {
    case kubeletClientSigner:
      if (p.dnsNames.length || p.ips.length || p.otherNames) return 'subject alternative names are not allowed';
      if (!clientUsageSets.some((s) => sameSet(s, usages))) return `usages did not match [client auth digital signature key encipherment]`;
      return nodeSubject(p);
    case kubeletServingSigner:
      if (p.otherNames) return 'only DNS and IP subject alternative names are allowed';
      if (!p.dnsNames.length && !p.ips.length) return 'at least one DNS or IP subjectAltName is required';
      if (!servingUsageSets.some((s) => sameSet(s, usages))) return `usages did not match [digital signature key encipherment server auth]`;
      return nodeSubject(p);
    case apiserverClientSigner:
      return usages.includes('client auth') && !usages.includes('server auth') ? undefined : 'usages must include client auth and not server auth';
    default:
      return `unknown signer ${csr.spec?.signerName}`;
  }
}

/** The CSR's common name (for the self checks), or '' when it cannot be read. */
export function csrCommonName(csr: Csr): string {
  try {
    return parseCsr(requestPem(csr)).commonName;
  } catch {
    return '';
  }
}
