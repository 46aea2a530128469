// Names and addresses as cluster DNS spells them: lower-case names without the final dot, IPs
// in one canonical form (so an index built from API objects matches a parsed query), the dashed
// form of an IP used for pod names and unnamed endpoints, and reverse (PTR) names.
import { isIPv4, isIPv6 } from 'node:net';

/** A query name as records compare it: lower case (DNS names are case-insensitive), no final dot. */
export function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** Fully qualified, as answers carry names. */
export function fqdn(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

/** The canonical form of an IP (IPv6 expanded to 8 groups of 4 hex digits), or undefined. */
export function canonicalIP(ip: string): string | undefined {
  if (isIPv4(ip)) return ip.split('.').map((o) => String(Number(o))).join('.');
  if (!isIPv6(ip)) return undefined;
  let s = ip.toLowerCase();
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const o = v4[1].split('.').map(Number);
    s = s.slice(0, -v4[1].length) + `${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.map((g) => g.padStart(4, '0')).join(':');
}

export function ipFamily(ip: string): 4 | 6 | undefined {
  return isIPv4(ip) ? 4 : isIPv6(ip) ? 6 : undefined;
}

/**
 * The dashed form CoreDNS gives an endpoint without a hostname, and pods' A names use:
 * 10.42.0.5 -> 10-42-0-5, fd00::1 -> fd00--1 (a leading or trailing '-' gets a 0).
 */
export function dashedIP(ip: string): string {
  if (isIPv4(ip)) return ip.replace(/\./g, '-');
  let s = ip.toLowerCase().replace(/:/g, '-');
  if (s.startsWith('-')) s = `0${s}`;
  if (s.endsWith('-')) s = `${s}0`;
  return s;
}

/** The IP a dashed pod label stands for, or undefined when it is not one. */
export function undashIP(label: string): string | undefined {
  const v4 = label.replace(/-/g, '.');
  if (isIPv4(v4)) return v4;
  const v6 = label.replace(/-/g, ':');
  return isIPv6(v6) ? v6 : undefined;
}

/** The address a reverse name (4.3.2.1.in-addr.arpa, nibbles.ip6.arpa) is about, or undefined. */
export function reverseToIP(name: string): string | undefined {
  if (name.endsWith('.in-addr.arpa')) {
    const parts = name.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return undefined;
    const ip = parts.reverse().join('.');
    return isIPv4(ip) ? canonicalIP(ip) : undefined;
  }
  if (name.endsWith('.ip6.arpa')) {
    const nibbles = name.slice(0, -'.ip6.arpa'.length).split('.');
    if (nibbles.length !== 32 || !nibbles.every((n) => /^[0-9a-f]$/.test(n))) return undefined;
    const hex = nibbles.reverse().join('');
    return hex.match(/.{4}/g)!.join(':');
  }
  return undefined;
}

/** Whether a name is in the reverse zones (where names the cluster does not know go upstream). */
export function isReverseName(name: string): boolean {
  return name === 'in-addr.arpa' || name.endsWith('.in-addr.arpa') || name === 'ip6.arpa' || name.endsWith('.ip6.arpa');
}

/** The PTR name of an IP: 1.0.43.10.in-addr.arpa for 10.43.0.1. */
export function ipToReverse(ip: string): string {
  const c = canonicalIP(ip);
  if (!c) throw new Error(`not an IP address: "${ip}"`);
  if (isIPv4(c)) return `${c.split('.').reverse().join('.')}.in-addr.arpa`;
  return `${c.replace(/:/g, '').split('').reverse().join('.')}.ip6.arpa`;
}
