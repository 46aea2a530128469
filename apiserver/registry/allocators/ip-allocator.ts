// Allocates addresses from an IPv4 CIDR, as Kubernetes' service IP allocator does: random
// free address for a new Service, explicit requests checked for range and conflicts.

export class IPAllocator {
  private readonly base: number;
  private readonly size: number;
  private readonly used = new Set<number>();

  constructor(readonly cidr: string) {
    const [addr, bits] = cidr.split('/');
    const prefix = Number(bits);
    this.base = ipToInt(addr) & (prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0);
    this.size = 2 ** (32 - prefix);
  }

  /** Whether an address is inside the range and usable (not network or broadcast). */
  contains(ip: string): boolean {
    const n = ipToInt(ip) - this.base;
    return n > 0 && n < this.size - 1;
  }

  has(ip: string): boolean {
    return this.used.has(ipToInt(ip));
  }

  /** Reserves a specific address; false when it is taken. */
  allocate(ip: string): boolean {
    const n = ipToInt(ip);
    if (this.used.has(n)) return false;
    this.used.add(n);
    return true;
  }

  /** Reserves a free address, or undefined when the range is full. */
  allocateNext(): string | undefined {
    const usable = this.size - 2;
    if (this.used.size >= usable) return undefined;
    const start = Math.floor(Math.random() * usable);
    for (let i = 0; i < usable; i++) {
      const n = this.base + 1 + ((start + i) % usable);
      if (!this.used.has(n)) {
        this.used.add(n);
        return intToIp(n);
      }
    }
    return undefined;
  }

  release(ip: string): void {
    this.used.delete(ipToInt(ip));
  }
}

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => ((acc << 8) | Number(o)) >>> 0, 0);
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function isIPv4(s: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  return !!m && m.slice(1).every((o) => Number(o) <= 255 && String(Number(o)) === o);
}
