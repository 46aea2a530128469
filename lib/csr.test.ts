import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createCsr, parseCsr, signCsr } from './csr.js';
import { createCA, newPrivateKey } from './pki.js';

test('a CSR carries its subject and names, and signing it keeps them for the requested time', () => {
  const key = newPrivateKey();
  const pem = createCsr(key, { commonName: 'system:node:n1', organizations: ['system:nodes'], dnsNames: ['n1'], ips: ['10.0.0.5'] });
  const parsed = parseCsr(pem);
  assert.deepEqual({ ...parsed }, { commonName: 'system:node:n1', organizations: ['system:nodes'], dnsNames: ['n1'], ips: ['10.0.0.5'], otherNames: 0, verified: true });
  const ca = createCA('test-ca', 1);
  const cert = new X509Certificate(signCsr(ca, pem, 'server', 3600));
  assert.match(cert.subject, /CN=system:node:n1/);
  assert.match(cert.subject, /O=system:nodes/);
  assert.match(cert.subjectAltName ?? '', /DNS:n1, IP Address:10.0.0.5/);
  const lifetime = Date.parse(cert.validTo) - Date.parse(cert.validFrom);
  assert.ok(Math.abs(lifetime - 3660_000) < 2000, `lifetime ${lifetime}`);
  assert.ok(cert.checkIssued(new X509Certificate(ca.cert)));
});

test('what is not a CSR is refused', () => {
  assert.throws(() => parseCsr('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n'));
});
