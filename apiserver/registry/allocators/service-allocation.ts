// Cluster IPs, IP families and NodePorts for Services. Reserved before a write (and rolled
// back if the write fails); what an updated Service no longer holds is released only once
// the update has committed; everything a deleted Service held is released after the delete.
// State is rebuilt from stored Services at start-up.
import { internalError, invalid } from '../../api/errors.js';
import { goStrings, invalidValue, path, type FieldError } from '../../api/field-errors.js';
import type { KubeObject } from '../../api/object.js';
import {
  allocatesNodePorts, clusterIPNone, isHeadless, needsClusterIP, needsHealthCheckNodePort, type Service, type ServiceSpec,
} from '../../api/kinds/service-types.js';
import type { ResourceHooks } from '../rest-store.js';
import { IPAllocator } from './ip-allocator.js';
import { PortAllocator } from './port-allocator.js';
import { isIPv4Address } from '../../api/validation/ip.js';

/** Families only these types carry; the others have none. */
const typesWithFamilies = new Set(['ClusterIP', 'NodePort', 'LoadBalancer']);

const needsNodePortAllocation = (s: ServiceSpec): boolean => s.type === 'NodePort' || s.type === 'LoadBalancer';

/** Everything a Service holds: its cluster IP and the node ports of its spec. */
function held(s: ServiceSpec): { ip?: string; ports: Set<number> } {
  const ip = needsClusterIP(s) && s.clusterIP && s.clusterIP !== clusterIPNone ? s.clusterIP : undefined;
  const ports = new Set<number>();
  if (needsNodePortAllocation(s)) for (const p of s.ports ?? []) if (p.nodePort) ports.add(p.nodePort);
  if (needsHealthCheckNodePort(s) && s.healthCheckNodePort) ports.add(s.healthCheckNodePort);
  return { ip, ports };
}

export class ServiceAllocation {
  readonly ips: IPAllocator;
  readonly ports: PortAllocator;

  constructor(serviceCIDR: string, nodePortRange: [number, number]) {
    this.ips = new IPAllocator(serviceCIDR);
    this.ports = new PortAllocator(nodePortRange[0], nodePortRange[1]);
  }

  /** Marks what an existing Service holds (at start-up). */
  restore(svc: KubeObject): void {
    const h = held((svc as Service).spec ?? {});
    if (h.ip && isIPv4Address(h.ip) && this.ips.contains(h.ip)) this.ips.allocate(h.ip);
    for (const p of h.ports) this.ports.allocate(p);
  }

  hooks(): ResourceHooks {
    return {
      beforeCreate: (obj) => this.reserve(obj as Service, undefined),
      beforeUpdate: (obj, old) => this.reserve(obj as Service, old as Service),
      afterUpdate: (obj, old) => this.releaseDropped((obj as Service).spec ?? {}, (old as Service).spec ?? {}),
      afterDelete: (obj) => this.releaseDropped({}, (obj as Service).spec ?? {}),
    };
  }

  /** Releases what `old` held and `now` does not. */
  private releaseDropped(now: ServiceSpec, old: ServiceSpec): void {
    const keep = held(now);
    const drop = held(old);
    if (drop.ip && drop.ip !== keep.ip) this.ips.release(drop.ip);
    for (const p of drop.ports) if (!keep.ports.has(p)) this.ports.release(p);
  }

  /** Reserves what the new Service needs beyond what the old one holds; returns the undo. */
  private reserve(svc: Service, old: Service | undefined): () => void {
    const spec = (svc.spec ??= {});
    const oldHeld = held(old?.spec ?? {});
    const taken: Array<() => void> = [];
    const undo = () => taken.forEach((f) => f());
    try {
      const errs = [
        ...this.initIPFamilies(spec),
        ...this.reserveClusterIP(spec, oldHeld.ip, taken),
      ];
      if (!errs.length) errs.push(...this.reserveNodePorts(spec, oldHeld.ports, taken));
      if (errs.length) throw invalid({ group: '', kind: 'Service' }, svc.metadata.name ?? '', errs);
    } catch (err) {
      undo();
      throw err;
    }
    return undo;
  }

  /** ipFamilies and ipFamilyPolicy for this single-stack IPv4 cluster (initIPFamilyFields). */
  private initIPFamilies(s: ServiceSpec): FieldError[] {
    if (!typesWithFamilies.has(s.type ?? '')) {
      delete s.ipFamilies;
      delete s.ipFamilyPolicy;
      return [];
    }
    const errs: FieldError[] = [];
    const families = [...(s.ipFamilies ?? [])];
    (s.clusterIPs ?? []).forEach((ip, i) => {
      if (ip === clusterIPNone) return;
      const fam = isIPv4Address(ip) ? 'IPv4' : 'IPv6';
      if (i >= families.length) families.push(fam);
    });
    const headlessNoSelector = isHeadless(s) && Object.keys(s.selector ?? {}).length === 0;
    if (s.ipFamilyPolicy == null) {
      s.ipFamilyPolicy = headlessNoSelector ? 'RequireDualStack' : families.length === 2 ? 'RequireDualStack' : 'SingleStack';
    }
    if (s.ipFamilyPolicy === 'SingleStack') {
      if ((s.clusterIPs ?? []).length === 2) {
        errs.push(invalidValue(path('spec', 'ipFamilyPolicy'), s.ipFamilyPolicy, 'must be RequireDualStack or PreferDualStack when multiple IPs are specified'));
      }
      if (families.length === 2) {
        errs.push(invalidValue(path('spec', 'ipFamilyPolicy'), s.ipFamilyPolicy, 'must be RequireDualStack or PreferDualStack when multiple IP families are specified'));
      }
    }
    families.forEach((f, i) => {
      if (f !== 'IPv4') errs.push(invalidValue(path('spec', 'ipFamilies').index(i), f, 'not configured on this cluster'));
    });
    if (s.ipFamilyPolicy === 'RequireDualStack' && !headlessNoSelector) {
      errs.push(invalidValue(path('spec', 'ipFamilyPolicy'), s.ipFamilyPolicy, 'this cluster is not configured for dual-stack services'));
    }
    s.ipFamilies = families.length ? families : ['IPv4'];
    return errs;
  }

  private reserveClusterIP(s: ServiceSpec, oldIP: string | undefined, taken: Array<() => void>): FieldError[] {
    if (!needsClusterIP(s)) return [];
    const wanted = s.clusterIPs?.[0] || s.clusterIP || '';
    if (wanted === clusterIPNone) {
      s.clusterIP = clusterIPNone;
      s.clusterIPs = [clusterIPNone];
      return [];
    }
    if (wanted && wanted === oldIP) return [];
    const fail = (why: string) => [invalidValue(path('spec', 'clusterIPs'), goStrings(s.clusterIPs ?? [wanted]), `failed to allocate IP ${wanted}: ${why}`)];
    if (wanted) {
      if (!isIPv4Address(wanted) || !this.ips.contains(wanted)) {
        return fail(`the provided IP (${wanted}) is not in the valid range. The range of valid IPs is ${this.ips.cidr}`);
      }
      if (!this.ips.allocate(wanted)) return fail('provided IP is already allocated');
      taken.push(() => this.ips.release(wanted));
    } else {
      const ip = this.ips.allocateNext();
      if (!ip) throw internalError(new Error('failed to allocate a serviceIP: range is full'));
      taken.push(() => this.ips.release(ip));
      s.clusterIP = ip;
    }
    s.clusterIP = s.clusterIP || wanted;
    s.clusterIPs = [s.clusterIP];
    return [];
  }

  /**
   * Node ports: requested ones are checked for range and conflicts, missing ones allocated;
   * two ports with the same number (TCP and UDP of one port) share a node port.
   */
  private reserveNodePorts(s: ServiceSpec, oldPorts: Set<number>, taken: Array<() => void>): FieldError[] {
    const errs: FieldError[] = [];
    const mine = new Set(oldPorts);
    const claim = (n: number, at: ReturnType<typeof path>): boolean => {
      if (mine.has(n)) return true;
      if (!this.ports.contains(n)) {
        errs.push(invalidValue(at, n, `provided port is not in the valid range. The range of valid ports is ${this.ports.min}-${this.ports.max}`));
        return false;
      }
      if (!this.ports.allocate(n)) {
        errs.push(invalidValue(at, n, 'provided port is already allocated'));
        return false;
      }
      taken.push(() => this.ports.release(n));
      mine.add(n);
      return true;
    };
    const next = (): number => {
      const n = this.ports.allocateNext();
      if (n === undefined) throw internalError(new Error('failed to allocate a nodePort: range is full'));
      taken.push(() => this.ports.release(n));
      mine.add(n);
      return n;
    };
    if (needsNodePortAllocation(s)) {
      const byServicePort = new Map<number, number>();
      (s.ports ?? []).forEach((p, i) => {
        const at = path('spec', 'ports').index(i).child('nodePort');
        if (!p.nodePort && !allocatesNodePorts(s)) return;
        const shared = byServicePort.get(p.port ?? 0);
        if (p.nodePort) {
          if (claim(p.nodePort, at)) byServicePort.set(p.port ?? 0, p.nodePort);
        } else if (shared) {
          p.nodePort = shared;
        } else {
          const requested = (s.ports ?? []).find((q) => q.port === p.port && q.nodePort)?.nodePort;
          p.nodePort = requested && claim(requested, at) ? requested : requested ? 0 : next();
          if (p.nodePort) byServicePort.set(p.port ?? 0, p.nodePort);
          else delete p.nodePort;
        }
      });
    }
    if (needsHealthCheckNodePort(s)) {
      if (s.healthCheckNodePort) claim(s.healthCheckNodePort, path('spec', 'healthCheckNodePort'));
      else s.healthCheckNodePort = next();
    }
    return errs;
  }
}

