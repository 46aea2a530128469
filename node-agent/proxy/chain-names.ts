// kube-proxy's chain names, so `iptables-save | grep KUBE-SVC-...` and users' runbooks work on
// k8ts: a prefix and the first 16 characters of the base32 (RFC 4648, upper case) of a SHA-256
// over the service port's name ("ns/name:port"), its lower-case protocol and, for an endpoint's
// chain, "ip:port".
import { chainHash as hashed } from '../iptables/chain-hash.js';

/** "ns/name:port", or "ns/name" for an unnamed port, as kube-proxy names a service port. */
export function servicePortName(namespace: string, name: string, port: string | undefined): string {
  return port ? `${namespace}/${name}:${port}` : `${namespace}/${name}`;
}

export interface ServiceChains {
  /** Cluster-policy endpoint dispatch. */
  svc: string;
  /** Local-policy endpoint dispatch. */
  svl: string;
  /** External traffic (NodePort, externalIPs, load balancer IPs). */
  ext: string;
  /** Load balancer source ranges. */
  fw: string;
}

export function serviceChains(portName: string, protocol: string): ServiceChains {
  const h = hashed(portName + protocol.toLowerCase());
  return { svc: `KUBE-SVC-${h}`, svl: `KUBE-SVL-${h}`, ext: `KUBE-EXT-${h}`, fw: `KUBE-FW-${h}` };
}

/** The chain that DNATs to one endpoint ("ip:port") of a service port. */
export function endpointChain(portName: string, protocol: string, endpoint: string): string {
  return `KUBE-SEP-${hashed(portName + protocol.toLowerCase() + endpoint)}`;
}

/** Whether a chain is one kube-proxy makes per service or endpoint (and may delete when stale). */
export function isServiceChain(chain: string): boolean {
  return /^KUBE-(SVC|SVL|EXT|FW|SEP)-[A-Z2-7]{16}$/.test(chain);
}
