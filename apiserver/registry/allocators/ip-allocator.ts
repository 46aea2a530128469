// Allocates addresses from an IPv4 CIDR, as Kubernetes' service IP allocator does: random
// free address for a new Service (above the static band first), explicit requests checked
// for range and conflicts.
import { cidrRange, formatIPv4, parseIPv4 } from '../../../lib/ipv4.js';
import { clusterIPBand, randomFree, staticBandSize } from './random-scan.js';

export class IPAllocator {
  private readonly base: number;
  private readonly size: number;
  private readonly used = new Set<number>();

  constructor(readonly cidr: string) {
    const { network, size } = cidrRange(cidr);
    this.base = network;
    this.size = size;
  }

  /** Whether an address is inside the range and usable (not network or broadcast). */
  contains(ip: string): boolean {
    const a = addressOf(ip);
    if (a === undefined) return false;
    const n = a - this.base;
    return n > 0 && n < this.size - 1;
  }

  has(ip: string): boolean {
    const a = addressOf(ip);
    return a !== undefined && this.used.has(a);
  }

  /** Reserves a specific address; false when it is taken. */
  allocate(ip: string): boolean {
    const n = addressOf(ip);
    if (n === undefined || this.used.has(n)) return false;
    this.used.add(n);
    return true;
  }

  /** Reserves a free address (above the static band while there is room), or undefined when the range is full. */
  allocateNext(): string | undefined {
    const usable = this.size - 2;
    if (this.used.size >= usable) return undefined;
    const n = randomFree(this.base + 1, usable, staticBandSize(this.size, clusterIPBand), this.used);
    if (n === undefined) return undefined;
    this.used.add(n);
    return formatIPv4(n);
  }

  release(ip: string): void {
    const a = addressOf(ip);
    if (a !== undefined) this.used.delete(a);
  }
}

/** The address as a number, or undefined when it is not IPv4 (the range holds nothing else). */
function addressOf(ip: string): number | undefined {
  try {
    return parseIPv4(ip);
  } catch {
    return undefined;
  }
}
