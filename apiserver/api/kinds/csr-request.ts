// Checking a CertificateSigningRequest's `request`: one PEM block of type CERTIFICATE REQUEST
// holding a PKCS#10 request whose signature verifies with its own public key (as Go's
// x509.ParseCertificateRequest and CheckSignature do).
import { createPublicKey, verify } from 'node:crypto';

interface TLV {
  tag: number;
  start: number;
  end: number;
}

/** One DER element at `at`: its tag and the byte range of its contents. */
function readTLV(der: Buffer, at: number): TLV {
  if (at + 2 > der.length) throw new Error('truncated');
  const tag = der[at];
  let len = der[at + 1];
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > der.length) throw new Error('bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i];
    start += n;
  }
  if (start + len > der.length) throw new Error('truncated');
  return { tag, start, end: start + len };
}

function oidText(bytes: Buffer): string {
  const parts = [Math.floor(bytes[0] / 40), bytes[0] % 40];
  let v = 0;
  for (const b of bytes.subarray(1)) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

/** Signature algorithm OIDs and the digest they use (null for Ed25519). */
const algorithms: Record<string, { hash: string | null; family: 'RSA' | 'ECDSA' | 'Ed25519' }> = {
  '1.2.840.113549.1.1.5': { hash: 'sha1', family: 'RSA' },
  '1.2.840.113549.1.1.11': { hash: 'sha256', family: 'RSA' },
  '1.2.840.113549.1.1.12': { hash: 'sha384', family: 'RSA' },
  '1.2.840.113549.1.1.13': { hash: 'sha512', family: 'RSA' },
  '1.2.840.10045.4.3.2': { hash: 'sha256', family: 'ECDSA' },
  '1.2.840.10045.4.3.3': { hash: 'sha384', family: 'ECDSA' },
  '1.2.840.10045.4.3.4': { hash: 'sha512', family: 'ECDSA' },
  '1.3.101.112': { hash: null, family: 'Ed25519' },
};

/** The first PEM block of a text, as Go's pem.Decode finds it. */
function firstPemBlock(text: string): { type: string; der: Buffer } | undefined {
  const m = /-----BEGIN ([^-\n]+)-----\r?\n([\s\S]*?)\r?\n?-----END \1-----/.exec(text);
  if (!m) return undefined;
  return { type: m[1], der: Buffer.from(m[2].replace(/\s+/g, ''), 'base64') };
}

/** Undefined when the request is valid, else the error Kubernetes reports. */
export function csrRequestError(pem: Buffer): string | undefined {
  const block = firstPemBlock(pem.toString('latin1'));
  if (!block || block.type !== 'CERTIFICATE REQUEST') return 'PEM block type must be CERTIFICATE REQUEST';
  const der = block.der;
  let tbs: Buffer;
  let algorithm: string;
  let signature: Buffer;
  let spki: Buffer;
  try {
    const outer = readTLV(der, 0);
    const info = readTLV(der, outer.start);
    const alg = readTLV(der, info.end);
    const sig = readTLV(der, alg.end);
    const version = readTLV(der, info.start);
    const subject = readTLV(der, version.end);
    const key = readTLV(der, subject.end);
    const oid = readTLV(der, alg.start);
    if (outer.tag !== 0x30 || info.tag !== 0x30 || alg.tag !== 0x30 || sig.tag !== 0x03 || key.tag !== 0x30 || oid.tag !== 0x06) throw new Error('structure');
    tbs = der.subarray(outer.start, info.end);
    algorithm = oidText(der.subarray(oid.start, oid.end));
    signature = der.subarray(sig.start + 1, sig.end);
    spki = der.subarray(subject.end, key.end);
  } catch {
    return 'x509: malformed certificate request';
  }
  const alg = algorithms[algorithm];
  if (!alg) return 'x509: cannot verify signature: algorithm unimplemented';
  try {
    const ok = verify(alg.hash, tbs, createPublicKey({ key: spki, format: 'der', type: 'spki' }), signature);
    if (ok) return undefined;
  } catch {
    // fall through to the verification error
  }
  if (alg.family === 'RSA') return 'crypto/rsa: verification error';
  if (alg.family === 'ECDSA') return 'x509: ECDSA verification failure';
  return 'x509: Ed25519 verification failure';
}
