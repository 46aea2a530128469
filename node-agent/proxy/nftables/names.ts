// kube-proxy's nftables names, so `nft list table ip kube-proxy` reads as on a kube-proxy node:
// per service port a base "HASH-ns/name/proto/port" (HASH: the first 8 base32 characters of a
// SHA-256 of the rest), behind prefixes service-, local-, external-, firewall-; per endpoint
// "HASH-ns/name/proto/port__ip/port" behind endpoint- (its chain) and affinity- (its set).
import { chainHash } from '../../iptables/chain-hash.js';

export const TABLE = 'kube-proxy';
/** nft's limit on names, less the longest prefix. */
const BASE_MAX = 256 - 16;

function hashed(name: string): string {
  // The first 8 of the 16 characters the iptables names use: the same base32 of the same SHA-256.
  const full = `${chainHash(name).slice(0, 8)}-${name}`;
  return full.length > BASE_MAX ? full.slice(0, BASE_MAX - 3) + '...' : full;
}

/** "ns/name/proto/port" from the port's name ("ns/name:port" or "ns/name"). */
function portPath(portName: string, protocol: string): string {
  const colon = portName.indexOf(':');
  const svc = colon === -1 ? portName : portName.slice(0, colon);
  const port = colon === -1 ? '' : portName.slice(colon + 1);
  return `${svc}/${protocol.toLowerCase()}/${port}`;
}

export interface NftServiceNames {
  /** Cluster-policy endpoint dispatch. */
  svc: string;
  /** Local-policy endpoint dispatch. */
  local: string;
  /** External traffic (NodePort, externalIPs, load balancer IPs). */
  ext: string;
  /** loadBalancerSourceRanges. */
  fw: string;
}

export function nftServiceNames(portName: string, protocol: string): NftServiceNames {
  const base = hashed(portPath(portName, protocol));
  return { svc: `service-${base}`, local: `local-${base}`, ext: `external-${base}`, fw: `firewall-${base}` };
}

/** An endpoint's chain and its ClientIP affinity set. */
export function nftEndpointNames(portName: string, protocol: string, ip: string, port: number): { chain: string; affinity: string } {
  const base = hashed(`${portPath(portName, protocol)}__${ip}/${port}`);
  return { chain: `endpoint-${base}`, affinity: `affinity-${base}` };
}

/** Per-service chains hold a "/" (from the port's path); the fixed ones never do. */
export const isNftServiceChain = (name: string) => name.includes('/');
export const isAffinitySet = (name: string) => name.startsWith('affinity-');
