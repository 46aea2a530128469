// The server's PKI as a component: the data dir, the address it advertises, the cluster CA and
// the certificates the server serves with and hands out (admin, and the client it shows node
// agents). Files under <data>/pki are made once and reused.
import { defaultRouteIPv4 } from '../lib/default-route.js';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { APISERVER_KUBELET_CLIENT_CN, ensureCA, ensureCertificate, type KeyPair } from '../lib/pki.js';
import { firstAddress } from '../lib/ipv4.js';
import { nothingToStop, provides, type Component } from '../lib/components.js';
import type { ServerOptions } from './server.js';

export interface ServerPki {
  pkiDir: string;
  /** Address clients and pods use to reach the API. */
  advertise: string;
  /** The `kubernetes` Service's IP (first of the service CIDR). */
  kubernetesIP: string;
  ca: KeyPair;
  serving: KeyPair;
  admin: KeyPair;
  /** What the API server shows node agents (kubelet port 10250) to be let in. */
  kubeletClient: KeyPair;
}

export const pkiValue = provides<ServerPki>('pki');

export function pkiComponent(opts: ServerOptions): Component {
  return {
    name: 'pki', requires: [],
    async start(ctx) {
      const pkiDir = join(opts.dataDir, 'pki');
      mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
      const advertise = opts.advertiseAddress ?? (opts.bindAddress === '0.0.0.0' || opts.bindAddress === '::' ? primaryAddress() : opts.bindAddress);
      const kubernetesIP = firstAddress(opts.serviceCIDR);
      const ca = ensureCA(pkiDir, 'ca', 'k8ts-ca');
      const ips = [...new Set(['127.0.0.1', kubernetesIP, advertise, ...(opts.bindAddress.includes('.') && opts.bindAddress !== '0.0.0.0' ? [opts.bindAddress] : []), ...opts.tlsSANs.filter(isIP)])];
      const dnsNames = [...new Set(['localhost', hostname(), 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', ...opts.tlsSANs.filter((s) => !isIP(s))])];
      ctx.provide(pkiValue, {
        pkiDir, advertise, kubernetesIP, ca,
        serving: ensureCertificate(pkiDir, 'serving', ca, { commonName: 'kube-apiserver', dnsNames, ips, usage: 'server' }),
        admin: ensureCertificate(pkiDir, 'admin', ca, { commonName: 'admin', organizations: ['system:masters'], usage: 'client' }),
        kubeletClient: ensureCertificate(pkiDir, 'apiserver-kubelet-client', ca, { commonName: APISERVER_KUBELET_CLIENT_CN, usage: 'client' }),
      });
      return nothingToStop;
    },
  };
}

/** The default route interface's IPv4 address (as k3s advertises), else the host's first
 *  non-loopback IPv4 address (what kube-apiserver advertises by default). */
function primaryAddress(): string {
  const viaDefaultRoute = defaultRouteIPv4();
  if (viaDefaultRoute) return viaDefaultRoute;
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

function isIP(s: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(s) || s.includes(':');
}
