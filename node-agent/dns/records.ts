// The cluster's DNS records, as the Kubernetes DNS specification (kubernetes/dns
// docs/specification.md) and CoreDNS's kubernetes plugin with kubeadm's Corefile (`pods
// insecure`, `ttl 30`, `fallthrough in-addr.arpa ip6.arpa`) define them, read from the Service
// and EndpointSlice caches. Pure: a query and a view in, the records out; no I/O.
//
//   <svc>.<ns>.svc.<zone>             A/AAAA: ClusterIPs; headless: ready endpoints; ExternalName: CNAME
//   <host>.<svc>.<ns>.svc.<zone>      A/AAAA of the endpoints with that hostname (or dashed IP)
//   _<port>._<proto>.<svc>.<ns>.svc.<zone>  SRV per named port (headless: per endpoint)
//   <a-b-c-d>.<ns>.pod.<zone>         A of that IP (`pods insecure`)
//   <reverse IP>.in-addr.arpa         PTR of Service and endpoint IPs; other addresses go upstream
//   dns-version.<zone>                TXT schema version
import type { Answer, SoaAnswer, SrvAnswer } from 'dns-packet';
import type { EndpointSlice, Service } from '../kube-types.js';
import type { ClusterView } from './cluster-view.js';
import { canonicalIP, dashedIP, ipFamily, isReverseName, normalizeName, reverseToIP, undashIP } from './names.js';

export type Rcode = 'NOERROR' | 'NXDOMAIN';

/** What cluster DNS says about a name, or that the name is not the cluster's to answer. */
export interface Answered {
  kind: 'answer';
  rcode: Rcode;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
  /** A CNAME target whose records the answer should carry too. */
  chase?: string;
}

export type Resolution = Answered | { kind: 'forward' };

/** A question's type as dns-packet decodes it ('A', 'SRV', 'ANY', ...). */
type QType = string;

export interface RecordsConfig {
  /** The cluster domain (cluster.local). */
  domain: string;
  /** TTL of every record (kubeadm's Corefile: 30). */
  ttl: number;
  /** The cluster DNS Service IPs, which ns.dns.<zone> answers with. */
  dnsIPs: readonly string[];
  /** The SOA serial (CoreDNS: a timestamp). */
  serial(): number;
}

/** The schema version CoreDNS answers dns-version.<zone> with (the spec document says 1.0.1). */
export const schemaVersion = '1.1.0';
const versionTTL = 28800;
const forward = { kind: 'forward' } as const;

interface Endpoint {
  host: string;
  ip: string;
}

export class ClusterRecords {
  private readonly zone: string;

  constructor(private readonly view: ClusterView, private readonly cfg: RecordsConfig) {
    this.zone = normalizeName(cfg.domain);
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(this.zone)) {
      throw new Error(`invalid cluster domain "${cfg.domain}": want DNS labels such as cluster.local`);
    }
  }

  /** Whether a name is under the cluster domain (answered here, never forwarded). */
  inZone(qname: string): boolean {
    const name = normalizeName(qname);
    return name === this.zone || name.endsWith(`.${this.zone}`);
  }

  resolve(qname: string, qtype: QType): Resolution {
    const name = normalizeName(qname);
    if (isReverseName(name)) return this.reverse(qname, name, qtype);
    if (!this.inZone(name)) return forward;
    const labels = name === this.zone ? [] : name.slice(0, -(this.zone.length + 1)).split('.');
    return this.lookup(qname.replace(/\.$/, ''), labels, qtype);
  }

  private lookup(owner: string, labels: string[], qtype: QType): Resolution {
    const n = labels.length;
    if (n === 0) {
      if (qtype === 'SOA') return this.answer([this.soa()]);
      if (qtype === 'NS') return this.answer([{ name: owner, type: 'NS', ttl: this.cfg.ttl, data: `ns.dns.${this.zone}` }]);
      return this.nodata();
    }
    const top = labels[n - 1];
    if (n === 1 && labels[0] === 'dns-version') {
      return qtype === 'TXT' ? this.answer([{ name: owner, type: 'TXT', ttl: versionTTL, data: schemaVersion }]) : this.nodata();
    }
    if (top === 'dns') {
      if (n === 1) return this.nodata();
      if (n === 2 && labels[0] === 'ns') return this.addresses(owner, this.cfg.dnsIPs, qtype);
      return this.nxdomain();
    }
    if (top === 'svc') {
      if (n === 1) return this.nodata();
      if (n === 2) return this.view.hasServices(labels[0]) ? this.nodata() : this.nxdomain();
      if (n === 3) return this.service(owner, labels[1], labels[0], qtype);
      if (n === 4) return this.endpointName(owner, labels[2], labels[1], labels[0], qtype);
      if (n === 5 && labels[0].startsWith('_') && labels[1].startsWith('_')) {
        return this.srv(owner, labels[3], labels[2], labels[0].slice(1), labels[1].slice(1), qtype);
      }
      return this.nxdomain();
    }
    if (top === 'pod') {
      if (n <= 2) return this.nodata();
      if (n > 3) return this.nxdomain();
      const ip = undashIP(labels[0]);
      return ip ? this.addresses(owner, [ip], qtype) : this.nxdomain();
    }
    return this.nxdomain();
  }

  /** <svc>.<ns>.svc.<zone> */
  private service(owner: string, ns: string, name: string, qtype: QType): Resolution {
    const svc = this.view.service(ns, name);
    if (!svc) return this.nxdomain();
    if (svc.spec?.type === 'ExternalName') {
      const target = normalizeName(svc.spec.externalName ?? '');
      if (!target) return this.nxdomain();
      const cname: Answer = { name: owner, type: 'CNAME', ttl: this.cfg.ttl, data: target };
      return { ...this.answer([cname]), chase: qtype === 'CNAME' ? undefined : target };
    }
    const target = `${name}.${ns}.svc.${this.zone}`;
    if (isHeadless(svc)) {
      const eps = this.readyEndpoints(svc);
      // Headless without a ready endpoint: the name does not exist (spec, CoreDNS).
      if (eps.length === 0) return this.nxdomain();
      if (qtype === 'SRV') return this.srvRecords(owner, svc, eps, () => true);
      return this.addresses(owner, eps.map((e) => e.ip), qtype);
    }
    if (qtype === 'SRV') return this.srvRecords(owner, svc, [], () => true, target);
    return this.addresses(owner, clusterIPs(svc), qtype);
  }

  /** <host>.<svc>.<ns>.svc.<zone>: endpoints by hostname, or by dashed IP when they have none. */
  private endpointName(owner: string, ns: string, name: string, host: string, qtype: QType): Resolution {
    const svc = this.view.service(ns, name);
    if (!svc || svc.spec?.type === 'ExternalName') return this.nxdomain();
    const ips = this.readyEndpoints(svc).filter((e) => e.host === host).map((e) => e.ip);
    if (ips.length === 0) return this.nxdomain();
    return this.addresses(owner, ips, qtype);
  }

  /** _<port>._<proto>.<svc>.<ns>.svc.<zone> */
  private srv(owner: string, ns: string, name: string, port: string, proto: string, qtype: QType): Resolution {
    const svc = this.view.service(ns, name);
    if (!svc || svc.spec?.type === 'ExternalName') return this.nxdomain();
    const wanted = (p: { name?: string; protocol?: string }) => (p.name ?? '').toLowerCase() === port && (p.protocol ?? 'TCP').toLowerCase() === proto;
    const headless = isHeadless(svc);
    const exists = headless
      ? this.view.slices(ns, name).some((s) => (s.ports ?? []).some(wanted))
      : (svc.spec?.ports ?? []).some(wanted);
    if (!exists) return this.nxdomain();
    if (qtype !== 'SRV') return this.nodata();
    const r = headless
      ? this.srvRecords(owner, svc, this.readyEndpoints(svc), wanted)
      : this.srvRecords(owner, svc, [], wanted, `${name}.${ns}.svc.${this.zone}`);
    return r.kind === 'answer' && r.answers.length === 0 ? this.nxdomain() : r;
  }

  /**
   * SRV records for the named ports `wanted` accepts: to `target` (the Service's name) with the
   * Service's ports, or, headless, one per ready endpoint and port of its slice, to the
   * endpoint's name. The targets' addresses go in the additional section.
   */
  private srvRecords(owner: string, svc: Service, eps: Array<Endpoint & { slice?: EndpointSlice }>, wanted: (p: { name?: string; protocol?: string }) => boolean, target?: string): Resolution {
    const ns = svc.metadata?.namespace ?? '';
    const name = svc.metadata?.name ?? '';
    const srvs: Array<{ port: number; target: string }> = [];
    const additionals: Answer[] = [];
    if (target) {
      for (const p of svc.spec?.ports ?? []) if (p.name && wanted(p)) srvs.push({ port: p.port, target });
      if (srvs.length) additionals.push(...this.addressRecords(target, clusterIPs(svc), 'ANY'));
    } else {
      const seen = new Set<string>();
      for (const ep of eps) {
        const epTarget = `${ep.host}.${name}.${ns}.svc.${this.zone}`;
        let used = false;
        for (const p of ep.slice?.ports ?? []) {
          if (!p.name || p.port === undefined || !wanted(p)) continue;
          const key = `${epTarget}:${p.port}`;
          if (seen.has(key)) continue;
          seen.add(key);
          srvs.push({ port: p.port, target: epTarget });
          used = true;
        }
        if (used) additionals.push(...this.addressRecords(epTarget, [ep.ip], 'ANY'));
      }
    }
    if (srvs.length === 0) return this.nodata();
    // CoreDNS: priority 0, the weight shared evenly among the records.
    const weight = Math.floor(100 / srvs.length);
    const answers: SrvAnswer[] = srvs.map((s) => ({ name: owner, type: 'SRV', ttl: this.cfg.ttl, data: { priority: 0, weight, port: s.port, target: s.target } }));
    return { kind: 'answer', rcode: 'NOERROR', answers, authorities: [], additionals };
  }

  /** PTR for Service and endpoint IPs; any other address (or type) falls through to upstream. */
  private reverse(qname: string, name: string, qtype: QType): Resolution {
    const ip = reverseToIP(name);
    if (!ip || qtype !== 'PTR') return forward;
    const names = new Set<string>();
    for (const svc of this.view.servicesByIP(ip)) names.add(`${svc.metadata?.name}.${svc.metadata?.namespace}.svc.${this.zone}`);
    for (const slice of this.view.slicesByIP(ip)) {
      const svc = slice.metadata?.labels?.['kubernetes.io/service-name'];
      if (!svc) continue;
      for (const ep of slice.endpoints ?? []) {
        for (const a of ep.addresses ?? []) {
          if (canonicalIP(a) === ip) names.add(`${ep.hostname ?? dashedIP(a)}.${svc}.${slice.metadata?.namespace}.svc.${this.zone}`);
        }
      }
    }
    if (names.size === 0) return forward;
    const owner = qname.replace(/\.$/, '');
    return this.answer([...names].map((data) => ({ name: owner, type: 'PTR', ttl: this.cfg.ttl, data })));
  }

  /** Ready endpoints of a Service's slices (all of them with publishNotReadyAddresses). */
  private readyEndpoints(svc: Service): Array<Endpoint & { slice: EndpointSlice }> {
    const all = svc.spec?.publishNotReadyAddresses === true;
    const out: Array<Endpoint & { slice: EndpointSlice }> = [];
    const seen = new Set<string>();
    for (const slice of this.view.slices(svc.metadata?.namespace ?? '', svc.metadata?.name ?? '')) {
      if (slice.addressType === 'FQDN') continue;
      for (const ep of slice.endpoints ?? []) {
        // A nil ready condition counts as ready (EndpointSlice API).
        if (!all && ep.conditions?.ready === false) continue;
        for (const ip of ep.addresses ?? []) {
          const host = ep.hostname ?? dashedIP(ip);
          const key = `${host}/${ip}`;
          if (seen.has(key)) continue;
          seen.add(key);
          out.push({ host, ip, slice });
        }
      }
    }
    return out;
  }

  /** A/AAAA (or both for ANY) from `ips`; NODATA when none is of the asked family. */
  private addresses(owner: string, ips: readonly string[], qtype: QType): Resolution {
    if (qtype !== 'A' && qtype !== 'AAAA' && qtype !== 'ANY') return this.nodata();
    const answers = this.addressRecords(owner, ips, qtype);
    return answers.length ? this.answer(answers) : this.nodata();
  }

  private addressRecords(owner: string, ips: readonly string[], qtype: 'A' | 'AAAA' | 'ANY'): Answer[] {
    const out: Answer[] = [];
    const seen = new Set<string>();
    for (const ip of ips) {
      const family = ipFamily(ip);
      if (!family || seen.has(ip)) continue;
      seen.add(ip);
      if (family === 4 && qtype !== 'AAAA') out.push({ name: owner, type: 'A', ttl: this.cfg.ttl, data: ip });
      if (family === 6 && qtype !== 'A') out.push({ name: owner, type: 'AAAA', ttl: this.cfg.ttl, data: ip });
    }
    return out;
  }

  /** The zone's SOA, as CoreDNS writes it: TTL and minimum from the record TTL (at most 300). */
  soa(): SoaAnswer {
    const ttl = Math.min(this.cfg.ttl, 300);
    return {
      name: this.zone, type: 'SOA', ttl,
      data: { mname: `ns.dns.${this.zone}`, rname: `hostmaster.${this.zone}`, serial: this.cfg.serial(), refresh: 7200, retry: 1800, expire: 86400, minimum: ttl },
    };
  }

  private answer(answers: Answer[]): Answered {
    return { kind: 'answer', rcode: 'NOERROR', answers, authorities: [], additionals: [] };
  }

  private nodata(): Resolution {
    return { kind: 'answer', rcode: 'NOERROR', answers: [], authorities: [this.soa()], additionals: [] };
  }

  private nxdomain(): Resolution {
    return { kind: 'answer', rcode: 'NXDOMAIN', answers: [], authorities: [this.soa()], additionals: [] };
  }
}

function isHeadless(svc: Service): boolean {
  return svc.spec?.clusterIP === 'None';
}

function clusterIPs(svc: Service): string[] {
  const ips = svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : []);
  return ips.filter((ip) => ip !== 'None' && ip !== '');
}
