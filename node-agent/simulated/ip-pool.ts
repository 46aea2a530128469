// Pod addresses from a node's pod CIDR, as a CNI host-local IPAM hands them out: the first
// address is the node's bridge (gateway), pods get the next free ones, and a released address
// is reused only after the others (so a deleted pod's IP is not immediately recycled).
import { cidrRange, formatIPv4, parseIPv4 } from '../../lib/ipv4.js';

export class IpPool {
  private readonly first: number;
  private readonly last: number;
  private readonly used = new Set<number>();
  private next: number;

  constructor(readonly cidr: string) {
    const prefix = Number(cidr.split('/')[1]);
    if (!Number.isInteger(prefix) || prefix < 8 || prefix > 30) throw new Error(`unsupported pod CIDR "${cidr}"`);
    const { network, size } = cidrRange(cidr);
    this.first = network + 2;
    this.last = network + size - 2;
    this.next = this.first;
  }

  /** Marks an address as taken (a pod that already had it before a restart). */
  claim(ip: string): boolean {
    const n = parseIPv4(ip);
    if (n < this.first || n > this.last) return false;
    this.used.add(n);
    return true;
  }

  /** The next free address, or undefined when the range is full. */
  allocate(): string | undefined {
    const span = this.last - this.first + 1;
    for (let i = 0; i < span; i++) {
      const n = this.first + ((this.next - this.first + i) % span);
      if (!this.used.has(n)) {
        this.used.add(n);
        this.next = n + 1 > this.last ? this.first : n + 1;
        return formatIPv4(n);
      }
    }
    return undefined;
  }

  release(ip: string): void {
    this.used.delete(parseIPv4(ip));
  }
}
