// Services, slices and rule entries shared by the proxy's tests (sync plans, real iptables and nft).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostExec, type Exec } from '../../lib/exec.js';
import { removeEmptyTrees } from '../../lib/empty-dirs.js';
import type { EndpointSlice, Service } from '../kube-types.js';
import { servicePortRules } from './rules.js';
import { servicePortsOf, type ProxyServicePort } from './service-ports.js';
import type { PortEntry } from './sync-plan.js';

export const fixtureConfig = { clusterCIDR: '10.42.0.0/16', localhostNodePorts: true, randomFully: true };

/** A ClusterIP Service in `default` with one TCP port `http` (80). */
export function service(name: string, ip: string): Service {
  return { metadata: { name, namespace: 'default' }, spec: { clusterIP: ip, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } } as Service;
}

/** The EndpointSlice of `service`: ready endpoints on node n1, port `http` → 8080. */
export function slice(service: string, ips: string[]): EndpointSlice {
  return {
    metadata: { name: `${service}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': service } }, addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: ips.map((ip) => ({ addresses: [ip], nodeName: 'n1', conditions: { ready: true } })),
  } as EndpointSlice;
}

/** The proxier's per-port entries for these objects, as node n1 sees them. */
export function entries(services: Service[], slices: EndpointSlice[]): Map<string, PortEntry>;
export function entries<R>(services: Service[], slices: EndpointSlice[], build: (sp: ProxyServicePort) => R): Map<string, PortEntry<R>>;
export function entries(services: Service[], slices: EndpointSlice[], build: (sp: ProxyServicePort) => unknown = (sp) => servicePortRules(sp, fixtureConfig)): Map<string, PortEntry<unknown>> {
  return new Map(servicePortsOf(services, slices, 'n1').map((sp) => [sp.portName, { sp, fingerprint: JSON.stringify(sp), rules: build(sp) }]));
}

/** The lines of an iptables-restore text that match `re`. */
export const lines = (text: string, re: RegExp) => text.split('\n').filter((l) => re.test(l));

/** Runs `fn` with an exec that runs inside a fresh namespace (`prefix`-pid), removed afterwards. */
export async function inNamespace(prefix: string, fn: (exec: Exec, ns: string) => Promise<void>): Promise<void> {
  const ns = `${prefix}-${process.pid}`;
  const hadNetnsDir = existsSync('/run/netns');
  assert.equal(spawnSync('ip', ['netns', 'add', ns]).status, 0);
  try {
    await fn((file, args, opts) => hostExec('ip', ['netns', 'exec', ns, file, ...args], opts), ns);
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
    if (!hadNetnsDir) await removeEmptyTrees(['/run/netns']);
  }
}
