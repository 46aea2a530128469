// Cluster IPs and NodePorts for Services: allocated on create, checked for range and
// conflicts when requested, released on delete. State is rebuilt from stored Services.
import { invalid } from '../../api/errors.js';
import { invalidValue, path, type FieldError } from '../../api/field-errors.js';
import type { KubeObject } from '../../api/object.js';
import type { ResourceHooks } from '../rest-store.js';
import { IPAllocator, isIPv4 } from './ip-allocator.js';
import { PortAllocator } from './port-allocator.js';

interface ServicePort {
  nodePort?: number;
  port?: number;
}

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: ServicePort[];
}

type Service = KubeObject & { spec?: ServiceSpec };

const usesNodePorts = (t: string | undefined) => t === 'NodePort' || t === 'LoadBalancer';
const hasClusterIP = (s: ServiceSpec) => s.type !== 'ExternalName' && s.clusterIP !== 'None';

export class ServiceAllocation {
  readonly ips: IPAllocator;
  readonly ports: PortAllocator;

  constructor(serviceCIDR: string, nodePortRange: [number, number]) {
    this.ips = new IPAllocator(serviceCIDR);
    this.ports = new PortAllocator(nodePortRange[0], nodePortRange[1]);
  }

  /** Marks what an existing Service holds (at start-up). */
  restore(svc: Service): void {
    const s = svc.spec ?? {};
    if (s.clusterIP && isIPv4(s.clusterIP) && this.ips.contains(s.clusterIP)) this.ips.allocate(s.clusterIP);
    for (const p of s.ports ?? []) if (p.nodePort) this.ports.allocate(p.nodePort);
  }

  hooks(): ResourceHooks {
    return {
      beforeCreate: (obj) => this.allocate(obj as Service, undefined),
      beforeUpdate: (obj, old) => this.allocate(obj as Service, old as Service),
      afterDelete: (obj) => this.release(obj as Service),
    };
  }

  private release(svc: Service): void {
    const s = svc.spec ?? {};
    if (s.clusterIP && isIPv4(s.clusterIP)) this.ips.release(s.clusterIP);
    for (const p of s.ports ?? []) if (p.nodePort) this.ports.release(p.nodePort);
  }

  /** Reserves what the new Service needs beyond the old one; returns the undo. */
  private allocate(svc: Service, old: Service | undefined): () => void {
    const spec = (svc.spec ??= {});
    const oldSpec = old?.spec ?? {};
    const taken: Array<() => void> = [];
    const undo = () => taken.forEach((f) => f());
    const errs: FieldError[] = [];
    try {
      if (hasClusterIP(spec)) {
        const wanted = spec.clusterIP || spec.clusterIPs?.[0] || '';
        if (old && oldSpec.clusterIP && hasClusterIP(oldSpec) && (!wanted || wanted === oldSpec.clusterIP)) {
          spec.clusterIP = oldSpec.clusterIP;
        } else if (wanted) {
          if (!isIPv4(wanted) || !this.ips.contains(wanted)) {
            errs.push(invalidValue(path('spec', 'clusterIPs'), [wanted], `failed to allocate IP ${wanted}: the provided IP (${wanted}) is not in the valid range. The range of valid IPs is ${this.ips.cidr}`));
          } else if (!this.ips.allocate(wanted)) {
            errs.push(invalidValue(path('spec', 'clusterIPs'), [wanted], `failed to allocate IP ${wanted}: provided IP is already allocated`));
          } else {
            taken.push(() => this.ips.release(wanted));
            spec.clusterIP = wanted;
          }
        } else {
          const ip = this.ips.allocateNext();
          if (!ip) throw new Error(`failed to allocate a serviceIP: range is full`);
          taken.push(() => this.ips.release(ip));
          spec.clusterIP = ip;
        }
        spec.clusterIPs = [spec.clusterIP!];
      }
      const oldPorts = new Set((usesNodePorts(oldSpec.type) ? oldSpec.ports ?? [] : []).map((p) => p.nodePort).filter(Boolean));
      if (usesNodePorts(spec.type)) {
        (spec.ports ?? []).forEach((p, i) => {
          if (p.nodePort && oldPorts.has(p.nodePort)) return;
          if (p.nodePort) {
            const n = p.nodePort;
            if (!this.ports.contains(n)) {
              errs.push(invalidValue(path('spec', 'ports').index(i).child('nodePort'), n, `provided port is not in the valid range. The range of valid ports is ${this.ports.min}-${this.ports.max}`));
            } else if (!this.ports.allocate(n)) {
              errs.push(invalidValue(path('spec', 'ports').index(i).child('nodePort'), n, 'provided port is already allocated'));
            } else {
              taken.push(() => this.ports.release(n));
            }
          } else {
            const n = this.ports.allocateNext();
            if (!n) throw new Error('range is full');
            taken.push(() => this.ports.release(n));
            p.nodePort = n;
          }
        });
      } else {
        for (const p of spec.ports ?? []) delete p.nodePort;
      }
      if (errs.length) throw invalid({ group: '', kind: 'Service' }, svc.metadata.name ?? '', errs);
    } catch (err) {
      undo();
      throw err;
    }
    // Whatever the old Service held and the new one no longer does is released on success;
    // the returned undo only rolls back what this write reserved.
    if (old) this.releaseDropped(svc, old);
    return undo;
  }

  private releaseDropped(svc: Service, old: Service): void {
    const s = svc.spec ?? {};
    const o = old.spec ?? {};
    if (o.clusterIP && isIPv4(o.clusterIP) && (!hasClusterIP(s) || s.clusterIP !== o.clusterIP)) this.ips.release(o.clusterIP);
    const keep = new Set((s.ports ?? []).map((p) => p.nodePort));
    for (const p of o.ports ?? []) if (p.nodePort && !keep.has(p.nodePort)) this.ports.release(p.nodePort);
  }
}
