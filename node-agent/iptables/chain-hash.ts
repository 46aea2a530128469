// The hash in generated chain names, as kube-proxy and kube-router make them: the first 16
// characters of the base32 (RFC 4648, upper case) of a SHA-256 over what the chain is for. With
// a prefix of up to 12 characters the name stays within iptables' 28.
import { createHash } from 'node:crypto';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The first `chars` characters of the base32 encoding of `bytes` (no padding needed for 16 of 32 bytes). */
function base32Prefix(bytes: Buffer, chars: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = ((value << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= chars) break;
  }
  return out;
}

export const chainHash = (text: string): string => base32Prefix(createHash('sha256').update(text).digest(), 16);
