// What the service proxy programs, per service port: its addresses and ports, its traffic
// policies and its endpoints, built from Services and EndpointSlices; and which endpoints each
// kind of traffic may use, as kube-proxy categorizes them (ready ones; serving-but-terminating
// ones only when no ready one is left, so connections drain instead of failing).
import type { EndpointSlice, Service } from '../kube-types.js';
import { compareStrings } from '../../lib/go-order.js';
import { servicePortName } from './chain-names.js';

export interface ProxyEndpoint {
  ip: string;
  port: number;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  /** On this node. */
  local: boolean;
}

export interface ProxyServicePort {
  /** "ns/name:port" (kube-proxy's ServicePortName). */
  portName: string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  clusterIP: string;
  port: number;
  /** 0 when none. */
  nodePort: number;
  externalIPs: string[];
  loadBalancerIPs: string[];
  loadBalancerSourceRanges: string[];
  healthCheckNodePort: number;
  /** Seconds of ClientIP session affinity; undefined without affinity. */
  affinitySeconds?: number;
  internalPolicyLocal: boolean;
  /** externalTrafficPolicy: Local, for a service reachable from outside. */
  externalPolicyLocal: boolean;
  /** Sorted by "ip:port", so rules come out the same for the same state. */
  endpoints: ProxyEndpoint[];
}

const defaultAffinitySeconds = 10800;

/** Reachable from outside: a node port, external IPs or load balancer IPs. */
export const externallyAccessible = (sp: ProxyServicePort) => sp.nodePort !== 0 || sp.externalIPs.length > 0 || sp.loadBalancerIPs.length > 0;
/** Cluster endpoints serve ClusterIP traffic under Cluster policy, and any external traffic (Local's short-circuit). */
const usesClusterEndpoints = (sp: ProxyServicePort) => !sp.internalPolicyLocal || externallyAccessible(sp);
// externalPolicyLocal is only set for a service reachable from outside.
const usesLocalEndpoints = (sp: ProxyServicePort) => sp.internalPolicyLocal || sp.externalPolicyLocal;

export interface Categorized {
  cluster: ProxyEndpoint[];
  local: ProxyEndpoint[];
  /** Every endpoint some rule of this node may DNAT to (each gets a KUBE-SEP chain). */
  reachable: ProxyEndpoint[];
  /** Whether any endpoint anywhere can take traffic. */
  hasAny: boolean;
}

export function categorizeEndpoints(sp: ProxyServicePort): Categorized {
  const eps = sp.endpoints;
  let cluster: ProxyEndpoint[] = [];
  let hasAny = false;
  if (usesClusterEndpoints(sp)) {
    cluster = eps.filter((e) => e.ready);
    if (cluster.length === 0) cluster = eps.filter((e) => e.serving && e.terminating);
    hasAny = cluster.length > 0;
  }
  if (!usesLocalEndpoints(sp)) return { cluster, local: [], reachable: cluster, hasAny };
  hasAny ||= eps.some((e) => e.ready || (e.serving && e.terminating));
  let local = eps.filter((e) => e.local && e.ready);
  if (local.length === 0) local = eps.filter((e) => e.local && e.serving && e.terminating);
  if (!usesClusterEndpoints(sp)) return { cluster, local, reachable: local, hasAny };
  const reachable = [...cluster, ...local.filter((e) => !cluster.includes(e))];
  return { cluster, local, reachable, hasAny };
}

/**
 * Where a service port's traffic goes, as kube-proxy decides it in both modes: which policy
 * chain internal and external traffic use, and whether they have endpoints at all.
 */
export interface TrafficPlan extends Categorized {
  /** Cluster IP traffic has endpoints (a Local internal policy needs local ones). */
  hasInternal: boolean;
  /** External traffic has endpoints (a Local external policy needs local ones). */
  hasExternal: boolean;
  /** The external chain is written: it short-circuits pod and node traffic even without local endpoints. */
  usesExtChain: boolean;
  /** loadBalancerSourceRanges apply (a firewall chain). */
  usesFwChain: boolean;
}

export function trafficPlan(sp: ProxyServicePort): TrafficPlan {
  const c = categorizeEndpoints(sp);
  return {
    ...c,
    hasInternal: c.hasAny && (!sp.internalPolicyLocal || c.local.length > 0),
    hasExternal: c.hasAny && (!sp.externalPolicyLocal || c.local.length > 0),
    usesExtChain: c.hasAny && externallyAccessible(sp),
    usesFwChain: c.hasAny && sp.loadBalancerIPs.length > 0 && sp.loadBalancerSourceRanges.length > 0,
  };
}

/**
 * The service ports a node's proxy programs: every port of every Service with a cluster IP
 * (headless and ExternalName ones have no rules), with the endpoints of its EndpointSlices.
 */
export function servicePortsOf(services: readonly Service[], slices: readonly EndpointSlice[], nodeName: string): ProxyServicePort[] {
  const byService = new Map<string, EndpointSlice[]>();
  for (const s of slices) {
    const owner = s.metadata?.labels?.['kubernetes.io/service-name'];
    if (!owner || (s.addressType && s.addressType !== 'IPv4')) continue;
    const key = `${s.metadata?.namespace}/${owner}`;
    const list = byService.get(key);
    if (list) list.push(s);
    else byService.set(key, [s]);
  }
  const out: ProxyServicePort[] = [];
  for (const svc of services) {
    const spec = svc.spec ?? {};
    const clusterIP = spec.clusterIP ?? '';
    if (!clusterIP || clusterIP === 'None' || spec.type === 'ExternalName') continue;
    const ns = svc.metadata?.namespace ?? '';
    const name = svc.metadata?.name ?? '';
    const ownSlices = byService.get(`${ns}/${name}`) ?? [];
    const loadBalancerIPs = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip);
    for (const p of spec.ports ?? []) {
      const protocol = (p.protocol ?? 'TCP') as ProxyServicePort['protocol'];
      const nodePort = spec.type === 'NodePort' || spec.type === 'LoadBalancer' ? p.nodePort ?? 0 : 0;
      const sp: ProxyServicePort = {
        portName: servicePortName(ns, name, p.name), protocol, clusterIP, port: p.port, nodePort,
        externalIPs: spec.externalIPs ?? [], loadBalancerIPs, loadBalancerSourceRanges: spec.loadBalancerSourceRanges ?? [],
        healthCheckNodePort: spec.healthCheckNodePort ?? 0,
        affinitySeconds: spec.sessionAffinity === 'ClientIP' ? spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? defaultAffinitySeconds : undefined,
        internalPolicyLocal: spec.internalTrafficPolicy === 'Local',
        externalPolicyLocal: false,
        endpoints: endpointsFor(ownSlices, p.name ?? '', protocol, nodeName),
      };
      sp.externalPolicyLocal = spec.externalTrafficPolicy === 'Local' && externallyAccessible(sp);
      out.push(sp);
    }
  }
  return out.sort((a, b) => (a.portName < b.portName ? -1 : a.portName > b.portName ? 1 : a.protocol < b.protocol ? -1 : 1));
}

/** A service port's endpoints: the slice ports of the same name and protocol, one per address. */
function endpointsFor(slices: readonly EndpointSlice[], portName: string, protocol: string, nodeName: string): ProxyEndpoint[] {
  const seen = new Map<string, ProxyEndpoint>();
  for (const s of slices) {
    const port = (s.ports ?? []).find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol);
    if (!port?.port) continue;
    for (const e of s.endpoints ?? []) {
      const c = e.conditions ?? {};
      // Unset ready means ready (as the API documents); unset serving follows ready.
      const ready = c.ready !== false;
      const ep: ProxyEndpoint = {
        ip: e.addresses[0] ?? '', port: port.port, ready, serving: c.serving ?? ready, terminating: c.terminating === true,
        local: e.nodeName === nodeName,
      };
      if (ep.ip) seen.set(`${ep.ip}:${ep.port}`, ep);
    }
  }
  return [...seen.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, e]) => e);
}
