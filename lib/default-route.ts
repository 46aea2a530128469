// The node's address, as k3s picks it: the IPv4 address of the interface holding the default
// route (not the first non-loopback address, which on a host with docker0 or a second NIC is
// often the wrong one).
import { readFileSync } from 'node:fs';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

const RTF_UP = 0x1;

/** The interface of the IPv4 default route with the lowest metric, from /proc/net/route's text. */
export function defaultRouteInterface(procNetRoute: string): string | undefined {
  let best: { iface: string; metric: number } | undefined;
  for (const line of procNetRoute.split('\n').slice(1)) {
    const [iface, destination, , flags, , , metric, mask] = line.trim().split(/\s+/);
    if (!iface || destination !== '00000000' || mask !== '00000000') continue;
    if ((parseInt(flags ?? '0', 16) & RTF_UP) === 0) continue;
    const m = Number(metric);
    if (!best || m < best.metric) best = { iface, metric: m };
  }
  return best?.iface;
}

/** The first IPv4 address of `iface`. */
export function ipv4Of(iface: string, interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string | undefined {
  return interfaces[iface]?.find((a) => a.family === 'IPv4')?.address;
}

/** The default route interface's IPv4 address on this host, or undefined without one. */
export function defaultRouteIPv4(): string | undefined {
  let routes = '';
  try {
    routes = readFileSync('/proc/net/route', 'utf8');
  } catch {
    return undefined;
  }
  const iface = defaultRouteInterface(routes);
  return iface ? ipv4Of(iface) : undefined;
}
