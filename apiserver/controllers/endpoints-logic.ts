// What a Service's endpoints are, from its selector and its pods (pkg/controller/endpoint and
// k8s.io/endpointslice): which pods count, the port each serves (named target ports resolved per
// pod), ready/serving/terminating, hostnames for pods in the service's subdomain. Both the
// Endpoints and the EndpointSlice controller build on these pure functions.
import type { Node, Pod } from '../../lib/client/types.js';
import { compareStrings } from '../../lib/go-order.js';
import { fromMapSelector } from '../api/selectors/labels.js';
import { isPodReady, isPodTerminal } from './pod-helpers.js';
import type { EndpointSlice, Endpoints, Service } from './workload-types.js';

type ServicePort = NonNullable<NonNullable<Service['spec']>['ports']>[number];
export type EndpointSubset = NonNullable<Endpoints['subsets']>[number];
type EndpointAddress = NonNullable<EndpointSubset['addresses']>[number];
type EndpointPort = NonNullable<EndpointSubset['ports']>[number];
export type SliceEndpoint = EndpointSlice['endpoints'][number];
export type SlicePort = NonNullable<EndpointSlice['ports']>[number];

export const headlessLabel = 'service.kubernetes.io/headless';
export const triggerTimeAnnotation = 'endpoints.kubernetes.io/last-change-trigger-time';
export const overCapacityAnnotation = 'endpoints.kubernetes.io/over-capacity';
export const maxEndpointsPerSubset = 1000;

/** Services this controller fills: a selector, and not ExternalName. */
export function managesEndpoints(svc: Service): boolean {
  return svc.spec?.type !== 'ExternalName' && !!svc.spec?.selector;
}

export function selects(svc: Service, pod: Pod): boolean {
  return pod.metadata?.namespace === svc.metadata?.namespace && fromMapSelector(svc.spec?.selector).matches(pod.metadata?.labels ?? {});
}

export const isHeadless = (svc: Service) => svc.spec?.clusterIP === 'None' || !svc.spec?.clusterIP;

/** ShouldPodBeInEndpoints: not finished, has an IP, and (unless asked to) not terminating. */
export function podBelongs(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (!pod.status?.podIP && !(pod.status?.podIPs ?? []).length) return false;
  return includeTerminating || !pod.metadata?.deletionTimestamp;
}

/** ShouldSetHostname: the pod has a hostname and lives in the service's subdomain. */
export function hostnameFor(pod: Pod, svc: Service): string | undefined {
  const h = pod.spec?.hostname;
  return h && pod.spec?.subdomain === svc.metadata?.name && pod.metadata?.namespace === svc.metadata?.namespace ? h : undefined;
}

/** podutil.FindPort: the container port a service port's targetPort names (or its number). */
export function findPort(pod: Pod, port: ServicePort): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(String(target))) return Number(target);
  const protocol = port.protocol ?? 'TCP';
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  for (const c of pod.spec?.initContainers ?? []) {
    if (c.restartPolicy !== 'Always') continue;
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

function endpointPort(port: ServicePort, number: number): EndpointPort {
  return { ...(port.name ? { name: port.name } : {}), port: number, protocol: port.protocol ?? 'TCP', ...(port.appProtocol ? { appProtocol: port.appProtocol } : {}) };
}

function podIPv4(pod: Pod): string | undefined {
  const ips = [pod.status?.podIP, ...(pod.status?.podIPs ?? []).map((p) => p.ip)].filter((x): x is string => !!x);
  return ips.find((ip) => ip.includes('.')) ?? ips[0];
}

const portKey = (p: EndpointPort) => `${p.name ?? ''}/${p.port}/${p.protocol ?? 'TCP'}/${p.appProtocol ?? ''}`;

/**
 * The Endpoints subsets of a service (syncService + RepackSubsets): one subset per distinct set
 * of ports, ready and not-ready addresses apart, sorted.
 */
export function endpointSubsets(svc: Service, pods: readonly Pod[]): EndpointSubset[] {
  const publishNotReady = !!svc.spec?.publishNotReadyAddresses;
  const ports = svc.spec?.ports ?? [];
  // address key -> address, ready, ports
  const byAddress = new Map<string, { address: EndpointAddress; ready: boolean; ports: Map<string, EndpointPort> }>();
  for (const pod of pods) {
    if (!podBelongs(pod, publishNotReady)) continue;
    const ip = podIPv4(pod);
    if (!ip) continue;
    const address: EndpointAddress = {
      ip, ...(hostnameFor(pod, svc) ? { hostname: pod.spec!.hostname } : {}), ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
    };
    const ready = publishNotReady || isPodReady(pod);
    const entry = { address, ready, ports: new Map<string, EndpointPort>() };
    if (ports.length === 0) {
      // Only headless services may have endpoints without ports.
      if (svc.spec?.clusterIP === 'None') byAddress.set(`${ip}/${pod.metadata?.uid}`, entry);
      continue;
    }
    for (const p of ports) {
      const n = findPort(pod, p);
      if (n === undefined) continue;
      const ep = endpointPort(p, n);
      entry.ports.set(portKey(ep), ep);
    }
    if (entry.ports.size) byAddress.set(`${ip}/${pod.metadata?.uid}`, entry);
  }
  // Group addresses by the exact set of ports they serve.
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  for (const e of byAddress.values()) {
    const ps = [...e.ports.entries()].sort(([a], [b]) => compareStrings(a, b));
    const key = ps.map(([k]) => k).join('|');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports: ps.map(([, p]) => p), ready: [], notReady: [] }));
    (e.ready ? g.ready : g.notReady).push(e.address);
  }
  const byIP = (a: EndpointAddress, b: EndpointAddress) => compareStrings(a.ip, b.ip) || compareStrings(a.targetRef?.uid ?? '', b.targetRef?.uid ?? '');
  const subsets = [...groups.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, g]) => {
    const s: EndpointSubset = {};
    if (g.ready.length) s.addresses = g.ready.sort(byIP);
    if (g.notReady.length) s.notReadyAddresses = g.notReady.sort(byIP);
    if (g.ports.length) s.ports = g.ports;
    return s;
  });
  return subsets;
}

/** truncateEndpoints: at most 1000 addresses in all, ready ones kept first. Returns whether it cut. */
export function truncateSubsets(subsets: EndpointSubset[]): boolean {
  const total = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0), 0);
  if (total <= maxEndpointsPerSubset) return false;
  const ready = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
  let budgetReady = Math.min(ready, maxEndpointsPerSubset);
  let budgetNotReady = maxEndpointsPerSubset - budgetReady;
  for (const s of subsets) {
    const r = s.addresses ?? [];
    const keepR = Math.min(r.length, budgetReady);
    budgetReady -= keepR;
    if (r.length) s.addresses = r.slice(0, keepR);
    const n = s.notReadyAddresses ?? [];
    const keepN = Math.min(n.length, budgetNotReady);
    budgetNotReady -= keepN;
    if (n.length) s.notReadyAddresses = n.slice(0, keepN);
  }
  return true;
}

/**
 * EndpointsLastChangeTriggerTime, approximated: the latest moment a selected pod was created or
 * changed readiness (or the service was created), RFC 3339 as Go's RFC3339Nano prints whole seconds.
 */
export function lastChangeTriggerTime(svc: Service, pods: readonly Pod[]): string | undefined {
  let latest = Date.parse(svc.metadata?.creationTimestamp ?? '') || 0;
  for (const p of pods) {
    const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
    for (const t of [p.metadata?.creationTimestamp, ready?.lastTransitionTime, p.metadata?.deletionTimestamp]) {
      const ms = Date.parse(t ?? '');
      if (Number.isFinite(ms) && ms > latest) latest = ms;
    }
  }
  return latest ? new Date(latest).toISOString().replace(/\.000Z$/, 'Z') : undefined;
}

// ---- EndpointSlices -------------------------------------------------------------------------

/** podToEndpoint: the slice endpoint of a pod, with ready/serving/terminating as 1.32 sets them. */
export function sliceEndpoint(pod: Pod, node: Node | undefined, svc: Service): SliceEndpoint | undefined {
  const ip = podIPv4(pod);
  if (!ip) return undefined;
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata?.deletionTimestamp;
  const ready = !!svc.spec?.publishNotReadyAddresses || (serving && !terminating);
  const ep: SliceEndpoint = {
    addresses: [ip],
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
  };
  const hostname = hostnameFor(pod, svc);
  if (hostname) ep.hostname = hostname;
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata?.labels?.['topology.kubernetes.io/zone'];
  if (zone) ep.zone = zone;
  return ep;
}

/** The ports of a slice for one pod (each service port whose target the pod has). */
export function slicePorts(svc: Service, pod: Pod): SlicePort[] {
  const out: SlicePort[] = [];
  for (const p of svc.spec?.ports ?? []) {
    const n = findPort(pod, p);
    if (n === undefined) continue;
    out.push({ name: p.name ?? '', port: n, protocol: p.protocol ?? 'TCP', ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) });
  }
  return out;
}

export const portsKey = (ports: readonly SlicePort[] | undefined): string =>
  [...(ports ?? [])].map((p) => `${p.name ?? ''}/${p.port}/${p.protocol ?? 'TCP'}/${p.appProtocol ?? ''}`).sort().join('|');

/** An endpoint's identity in a slice: its pod (or its first address). */
export const endpointKey = (ep: SliceEndpoint): string => ep.targetRef?.uid || ep.addresses[0] || '';

export interface SlicePlan {
  create: Array<{ ports: SlicePort[]; endpoints: SliceEndpoint[] }>;
  update: Array<{ slice: EndpointSlice; endpoints: SliceEndpoint[]; ports: SlicePort[] }>;
  delete: EndpointSlice[];
}

const sameEndpoints = (a: readonly SliceEndpoint[], b: readonly SliceEndpoint[]) =>
  JSON.stringify([...a].sort((x, y) => compareStrings(endpointKey(x), endpointKey(y)))) === JSON.stringify([...b].sort((x, y) => compareStrings(endpointKey(x), endpointKey(y))));

/**
 * The reconciler: keeps existing slices where they still fit (endpoints updated in place), puts
 * new endpoints into slices with room before creating more (at most `max` per slice), deletes
 * slices left empty, and keeps one empty placeholder slice when a service has no endpoints.
 */
export function planSlices(existing: readonly EndpointSlice[], desired: ReadonlyMap<string, { ports: SlicePort[]; endpoints: SliceEndpoint[] }>, max: number): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const byPorts = new Map<string, EndpointSlice[]>();
  for (const s of existing) {
    const k = portsKey(s.ports);
    byPorts.set(k, [...(byPorts.get(k) ?? []), s]);
  }
  const total = [...desired.values()].reduce((n, g) => n + g.endpoints.length, 0);
  if (total === 0) {
    // A placeholder: one slice without ports or endpoints.
    const placeholder = existing.find((s) => (s.endpoints ?? []).length === 0 && (s.ports ?? []).length === 0);
    for (const s of existing) if (s !== placeholder) plan.delete.push(s);
    if (!placeholder) plan.create.push({ ports: [], endpoints: [] });
    return plan;
  }
  for (const [key, group] of desired) {
    const want = new Map(group.endpoints.map((e) => [endpointKey(e), e]));
    const placed = new Set<string>();
    const slices = (byPorts.get(key) ?? []).map((slice) => {
      const kept = (slice.endpoints ?? []).filter((e) => want.has(endpointKey(e)) && !placed.has(endpointKey(e))).map((e) => {
        placed.add(endpointKey(e));
        return want.get(endpointKey(e))!;
      });
      return { slice, endpoints: kept.slice(0, max) };
    });
    byPorts.delete(key);
    const pending = group.endpoints.filter((e) => !placed.has(endpointKey(e)));
    // Fill slices that change anyway first, then any with room.
    const changed = (s: { slice: EndpointSlice; endpoints: SliceEndpoint[] }) => !sameEndpoints(s.slice.endpoints ?? [], s.endpoints);
    for (const s of [...slices.filter(changed), ...slices.filter((x) => !changed(x))]) {
      while (pending.length && s.endpoints.length < max && s.endpoints.length > 0) s.endpoints.push(pending.shift()!);
    }
    for (const s of slices) {
      if (s.endpoints.length === 0) plan.delete.push(s.slice);
      else if (changed(s)) plan.update.push({ slice: s.slice, endpoints: s.endpoints, ports: group.ports });
    }
    for (let i = 0; i < pending.length; i += max) plan.create.push({ ports: group.ports, endpoints: pending.slice(i, i + max) });
  }
  for (const rest of byPorts.values()) plan.delete.push(...rest);
  return plan;
}
