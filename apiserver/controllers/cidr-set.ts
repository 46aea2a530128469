// Per-node pod ranges carved out of the cluster CIDR (node IPAM's range allocator): one
// /24 (by default) per node, handed out in order, taken back when the node goes away.
import { cidrRange, formatIPv4, parseIPv4 } from '../../lib/ipv4.js';

export class CidrSet {
  private readonly base: number;
  private readonly count: number;
  private readonly subnetSize: number;
  private readonly used = new Set<number>();
  private next = 0;

  constructor(readonly clusterCIDR: string, readonly maskSize: number) {
    const [addr, bits] = clusterCIDR.split('/');
    const prefix = Number(bits);
    if (addr.includes(':')) throw new Error(`IPv6 cluster CIDRs are not supported yet: "${clusterCIDR}"`);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new Error(`invalid cluster CIDR "${clusterCIDR}"`);
    if (maskSize < prefix || maskSize > 30) throw new Error(`node CIDR mask size ${maskSize} does not fit in "${clusterCIDR}"`);
    this.base = cidrRange(clusterCIDR).network;
    this.subnetSize = 2 ** (32 - maskSize);
    this.count = 2 ** (maskSize - prefix);
  }

  /** The next free range, or undefined when every range is taken. */
  allocate(): string | undefined {
    for (let i = 0; i < this.count; i++) {
      const idx = (this.next + i) % this.count;
      if (this.used.has(idx)) continue;
      this.used.add(idx);
      this.next = (idx + 1) % this.count;
      return this.format(idx);
    }
    return undefined;
  }

  /** Marks a range as taken (already assigned to a node); false if it is not one of ours. */
  occupy(cidr: string): boolean {
    const idx = this.indexOf(cidr);
    if (idx === undefined) return false;
    this.used.add(idx);
    return true;
  }

  release(cidr: string): void {
    const idx = this.indexOf(cidr);
    if (idx !== undefined) this.used.delete(idx);
  }

  private format(idx: number): string {
    return `${formatIPv4(this.base + idx * this.subnetSize)}/${this.maskSize}`;
  }

  private indexOf(cidr: string): number | undefined {
    const [addr, bits] = cidr.split('/');
    if (Number(bits) !== this.maskSize || addr.includes(':')) return undefined;
    const off = parseIPv4(addr) - this.base;
    if (off < 0 || off % this.subnetSize !== 0 || off / this.subnetSize >= this.count) return undefined;
    return off / this.subnetSize;
  }
}
