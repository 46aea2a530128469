// IP address and CIDR checks with Kubernetes' messages (k8s.io/apimachinery validation.IsValidIP,
// IsValidCIDR and core validation's ValidateNonSpecialIP). Parsing is "sloppy" as Go's
// net.ParseIP with leading zeros allowed in IPv4, which is what Kubernetes 1.32 accepts.
import { invalidValue, type FieldError, type FieldPath } from '../field-errors.js';

export const invalidIPMessage = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
export const invalidCIDRMessage = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

/** The four octets of an IPv4 address, or undefined. */
export function parseIPv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const octets = parts.map((p) => (/^[0-9]{1,3}$/.test(p) ? Number(p) : NaN));
  return octets.every((o) => o >= 0 && o <= 255) ? octets : undefined;
}

/** The eight 16-bit groups of an IPv6 address (IPv4-embedded forms included), or undefined. */
export function parseIPv6(s: string): number[] | undefined {
  if (!s.includes(':')) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (i === items.length - 1 && item.includes('.')) {
        const v4 = parseIPv4(item);
        if (!v4) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(item)) {
        out.push(parseInt(item, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - tail.length;
  return missing >= 1 ? [...head, ...new Array<number>(missing).fill(0), ...tail] : undefined;
}

export const isIPv4Address = (s: string): boolean => parseIPv4(s) !== undefined;
export const isIPv6Address = (s: string): boolean => parseIPv6(s) !== undefined;
export const isIPAddress = (s: string): boolean => isIPv4Address(s) || isIPv6Address(s);

export function validateIP(p: FieldPath, value: string): FieldError[] {
  return isIPAddress(value) ? [] : [invalidValue(p, value, invalidIPMessage)];
}

export function validateIPv4(p: FieldPath, value: string): FieldError[] {
  return isIPv4Address(value) ? [] : [invalidValue(p, value, 'must be a valid IPv4 address')];
}

export function validateIPv6(p: FieldPath, value: string): FieldError[] {
  return isIPv6Address(value) ? [] : [invalidValue(p, value, 'must be a valid IPv6 address')];
}

/** Whether a string is a CIDR ("10.0.0.0/8", "fd00::/64") as Go's net.ParseCIDR accepts it. */
export function isCIDR(s: string): boolean {
  return parseCIDR(s) !== undefined;
}

/** A CIDR's address as bytes (4 for IPv4, 16 for IPv6) and its prefix length, or undefined. */
function parseCIDR(s: string): { bytes: number[]; prefix: number } | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(bits)) return undefined;
  const prefix = Number(bits);
  const v4 = parseIPv4(ip);
  if (v4) return prefix <= 32 ? { bytes: v4, prefix } : undefined;
  const v6 = parseIPv6(ip);
  if (v6) return prefix <= 128 ? { bytes: v6.flatMap((g) => [g >> 8, g & 0xff]), prefix } : undefined;
  return undefined;
}

/**
 * Whether CIDR `inner` is a strict subset of `outer`, as NetworkPolicy validation decides it:
 * the same family, `outer` holds `inner`'s address and has the shorter prefix.
 */
export function isStrictSubnet(outer: string, inner: string): boolean {
  const o = parseCIDR(outer);
  const i = parseCIDR(inner);
  if (!o || !i || o.bytes.length !== i.bytes.length || o.prefix >= i.prefix) return false;
  for (let bit = 0; bit < o.prefix; bit++) {
    const mask = 0x80 >> (bit % 8);
    if (((o.bytes[bit >> 3] as number) & mask) !== ((i.bytes[bit >> 3] as number) & mask)) return false;
  }
  return true;
}

export function validateCIDR(p: FieldPath, value: string): FieldError[] {
  return isCIDR(value) ? [] : [invalidValue(p, value, invalidCIDRMessage)];
}

/** The IP family of an address or CIDR: 'IPv4', 'IPv6' or ''. */
export function ipFamilyOf(s: string): 'IPv4' | 'IPv6' | '' {
  const ip = s.split('/')[0];
  if (isIPv4Address(ip)) return 'IPv4';
  if (isIPv6Address(ip)) return 'IPv6';
  return '';
}

/**
 * Endpoints, EndpointSlices and external IPs may not use addresses that make no sense for
 * traffic from elsewhere: unspecified, loopback and link-local.
 */
export function validateNonSpecialIP(value: string, p: FieldPath): FieldError[] {
  const v4 = parseIPv4(value) ?? v4Mapped(parseIPv6(value));
  const v6 = v4 ? undefined : parseIPv6(value);
  if (!v4 && !v6) return [invalidValue(p, value, 'must be a valid IP address')];
  const errs: FieldError[] = [];
  const unspecified = v4 ? v4.every((o) => o === 0) : v6!.every((g) => g === 0);
  const loopback = v4 ? v4[0] === 127 : v6!.slice(0, 7).every((g) => g === 0) && v6![7] === 1;
  const linkLocal = v4 ? v4[0] === 169 && v4[1] === 254 : (v6![0] & 0xffc0) === 0xfe80;
  const linkLocalMulticast = v4 ? v4[0] === 224 && v4[1] === 0 && v4[2] === 0 : (v6![0] & 0xff0f) === 0xff02;
  if (unspecified) errs.push(invalidValue(p, value, `may not be unspecified (${value})`));
  if (loopback) errs.push(invalidValue(p, value, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  if (linkLocal) errs.push(invalidValue(p, value, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  if (linkLocalMulticast) errs.push(invalidValue(p, value, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  return errs;
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d), as Go treats it. */
function v4Mapped(g: number[] | undefined): number[] | undefined {
  if (!g || !g.slice(0, 5).every((x) => x === 0) || g[5] !== 0xffff) return undefined;
  return [g[6] >> 8, g[6] & 255, g[7] >> 8, g[7] & 255];
}
