// Stale UDP conntrack entries, the top upstream complaint: a UDP flow keeps the DNAT it got when
// it began, so after its endpoint goes (or before the service had one) its packets keep going
// where nothing answers. kube-proxy flushes on events (an endpoint removed, 0 -> >0 endpoints);
// this reconciles instead: every entry to a UDP service address whose reply does not come from
// one of the service's current endpoints is deleted, whatever event was missed.
import { execOk, type Exec } from '../../lib/exec.js';
import { categorizeEndpoints, type ProxyServicePort } from './service-ports.js';

/** One UDP conntrack entry, as `conntrack -L -p udp` prints it (original, then reply tuple). */
export interface UdpFlow {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** Where the reply comes from: the endpoint after DNAT, or `dst` itself without one. */
  replySrc: string;
  replySport: number;
}

export function parseConntrack(text: string): UdpFlow[] {
  const out: UdpFlow[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('udp')) continue;
    const src = [...line.matchAll(/\bsrc=(\S+)/g)].map((m) => m[1]!);
    const dst = [...line.matchAll(/\bdst=(\S+)/g)].map((m) => m[1]!);
    const sport = [...line.matchAll(/\bsport=(\d+)/g)].map((m) => Number(m[1]));
    const dport = [...line.matchAll(/\bdport=(\d+)/g)].map((m) => Number(m[1]));
    if (src.length < 2 || dst.length < 1 || sport.length < 2 || dport.length < 1) continue;
    out.push({ src: src[0]!, dst: dst[0]!, sport: sport[0]!, dport: dport[0]!, replySrc: src[1]!, replySport: sport[1]! });
  }
  return out;
}

/**
 * The flows to `ports`' UDP addresses (cluster IP, external IPs, node port) that none of their
 * endpoints answers. `localIPs` are the node's addresses a node port is reached on.
 */
export function staleFlows(flows: readonly UdpFlow[], ports: readonly ProxyServicePort[], localIPs: ReadonlySet<string>): UdpFlow[] {
  const byAddress = new Map<string, Set<string>>();
  const byNodePort = new Map<number, Set<string>>();
  for (const sp of ports) {
    if (sp.protocol !== 'UDP') continue;
    const answering = new Set(categorizeEndpoints(sp).reachable.map((e) => `${e.ip}:${e.port}`));
    for (const ip of [sp.clusterIP, ...sp.externalIPs, ...sp.loadBalancerIPs]) byAddress.set(`${ip}:${sp.port}`, answering);
    if (sp.nodePort) byNodePort.set(sp.nodePort, answering);
  }
  return flows.filter((f) => {
    const answering = byAddress.get(`${f.dst}:${f.dport}`) ?? (localIPs.has(f.dst) ? byNodePort.get(f.dport) : undefined);
    return answering !== undefined && !answering.has(`${f.replySrc}:${f.replySport}`);
  });
}

export class Conntrack {
  constructor(private readonly exec: Exec) {}

  async udpFlows(): Promise<UdpFlow[]> {
    return parseConntrack((await execOk(this.exec, 'conntrack', ['-L', '-p', 'udp'])).stdout);
  }

  /** Deletes one flow; gone already (it timed out) is fine. */
  async remove(f: UdpFlow): Promise<void> {
    await this.exec('conntrack', ['-D', '-p', 'udp', '-s', f.src, '-d', f.dst, '--sport', String(f.sport), '--dport', String(f.dport)]);
  }
}
