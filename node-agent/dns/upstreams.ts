// Which of the node's resolvers (its resolv.conf) cluster DNS forwards to, so that forwarding
// never comes back to itself: the cluster DNS Service IP routes to us (the service proxy sends
// it to a node's DNS), and an address we listen on is us. A loopback stub such as
// systemd-resolved's 127.0.0.53 is kept: we run on the host, so it is reachable and it is not
// us (unless we listen on it ourselves, which the address check catches).
import { isIP } from 'node:net';
import type { ResolvConf } from '../runtime/dns.js';
import { canonicalIP } from './names.js';
import type { Upstream } from './exchange.js';

export interface SelfAddresses {
  /** Where this server listens. */
  listen: readonly Upstream[];
  /** The cluster DNS Service IPs (--cluster-dns). */
  clusterDNS: readonly string[];
}

export interface UpstreamChoice {
  upstreams: Upstream[];
  skipped: Array<{ address: string; why: string }>;
}

/** resolv.conf has no ports: every nameserver is on 53. */
const resolverPort = 53;

export function chooseUpstreams(resolv: ResolvConf, self: SelfAddresses): UpstreamChoice {
  const out: UpstreamChoice = { upstreams: [], skipped: [] };
  const dnsIPs = new Set(self.clusterDNS.map((ip) => canonicalIP(ip) ?? ip));
  const seen = new Set<string>();
  for (const raw of resolv.nameservers) {
    // A link-local IPv6 resolver carries its interface (fe80::1%eth0); sockets take it as is.
    const address = raw.split('%')[0];
    const ip = canonicalIP(address);
    if (!ip || !isIP(address)) {
      out.skipped.push({ address: raw, why: 'not an IP address' });
      continue;
    }
    if (dnsIPs.has(ip)) {
      out.skipped.push({ address: raw, why: 'the cluster DNS Service, which routes back to this server' });
      continue;
    }
    if (self.listen.some((l) => l.port === resolverPort && canonicalIP(l.host) === ip)) {
      out.skipped.push({ address: raw, why: 'this server listens there' });
      continue;
    }
    if (seen.has(ip)) continue;
    seen.add(ip);
    out.upstreams.push({ host: raw, port: resolverPort });
  }
  return out;
}
