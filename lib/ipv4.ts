// IPv4 addresses as 32-bit numbers, for address and range arithmetic (pod IPs, node CIDRs).

export function parseIPv4(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`invalid IPv4 address "${ip}"`);
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export function formatIPv4(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Whether `ip` lies in `cidr` ("a.b.c.d/n"). */
export function cidrContains(cidr: string, ip: string): boolean {
  const { network, size } = cidrRange(cidr);
  return Math.floor(parseIPv4(ip) / size) * size === network;
}

/** The first address after the network's own: the `kubernetes` Service's in the service CIDR. */
export function firstAddress(cidr: string): string {
  return formatIPv4(cidrRange(cidr).network + 1);
}

/** A CIDR's network address (host bits cleared) and how many addresses it spans. */
export function cidrRange(cidr: string): { network: number; size: number } {
  const [net, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return { network: Math.floor(parseIPv4(net ?? '') / size) * size, size };
}
