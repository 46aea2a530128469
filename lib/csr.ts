// Certificate signing requests (PKCS#10): an agent makes one for its own key; the server reads
// one to check what it asks for, and signs it with the cluster CA. node-forge does the ASN.1.
import { forgeNow, signCertificate, type CertRequest, type KeyPair } from './pki.js';

export interface CsrSubject {
  commonName: string;
  organizations?: string[];
  dnsNames?: string[];
  ips?: string[];
}

export interface ParsedCsr extends Required<CsrSubject> {
  /** Other subject alternative names (emails, URIs): node CSRs must have none. */
  otherNames: number;
  /** The request is signed by the key it carries. */
  verified: boolean;
}

/** A PEM CSR for `keyPem` (PKCS#1 or PKCS#8 RSA), signed by that key. */
export function createCsr(keyPem: string, subject: CsrSubject): string {
  const { pki, md } = forgeNow();
  const key = pki.privateKeyFromPem(keyPem) as ReturnType<typeof pki.privateKeyFromPem> & { n: never; e: never };
  const csr = pki.createCertificationRequest();
  csr.publicKey = pki.setRsaPublicKey(key.n, key.e);
  csr.setSubject([...(subject.organizations ?? []).map((o) => ({ name: 'organizationName', value: o })), { name: 'commonName', value: subject.commonName }]);
  const altNames = [...(subject.dnsNames ?? []).map((value) => ({ type: 2, value })), ...(subject.ips ?? []).map((ip) => ({ type: 7, ip }))];
  if (altNames.length) csr.setAttributes([{ name: 'extensionRequest', extensions: [{ name: 'subjectAltName', altNames }] }]);
  csr.sign(key, md.sha256.create());
  return pki.certificationRequestToPem(csr);
}

interface AltName { type: number; value?: string; ip?: string }

/** What a PEM CSR asks for; throws on anything that is not one. */
export function parseCsr(pem: string): ParsedCsr {
  const { pki } = forgeNow();
  const csr = pki.certificationRequestFromPem(pem);
  const values = (name: string) => csr.subject.attributes.filter((a) => a.name === name).map((a) => String(a.value));
  const ext = (csr.getAttribute({ name: 'extensionRequest' }) as { extensions?: Array<{ name: string; altNames?: AltName[] }> } | null)?.extensions ?? [];
  const alt = ext.find((e) => e.name === 'subjectAltName')?.altNames ?? [];
  return {
    commonName: values('commonName')[0] ?? '',
    organizations: values('organizationName'),
    dnsNames: alt.filter((a) => a.type === 2).map((a) => a.value ?? ''),
    ips: alt.filter((a) => a.type === 7).map((a) => a.ip ?? ''),
    otherNames: alt.filter((a) => a.type !== 2 && a.type !== 7).length,
    verified: csr.verify(),
  };
}

/** Signs what the CSR asks for (its subject and names) with the CA, for `usage`. */
export function signCsr(ca: KeyPair, pem: string, usage: CertRequest['usage'], seconds: number): string {
  const { pki } = forgeNow();
  const csr = pki.certificationRequestFromPem(pem);
  const parsed = parseCsr(pem);
  return signCertificate(ca, csr.publicKey as never, {
    commonName: parsed.commonName, organizations: parsed.organizations, dnsNames: parsed.dnsNames, ips: parsed.ips, usage, seconds,
  });
}
