// What flannel's kube subnet manager reads and writes on Node objects: the annotations a node
// publishes about its VXLAN endpoint, and how a peer is read back from another node. Keys and
// value shapes are flannel's, so a real flannel on another host can interoperate.
import { createHash } from 'node:crypto';
import type { Node } from '../../../lib/client/types.js';
import { cidrRange, formatIPv4, parseIPv4 } from '../../../lib/ipv4.js';

export type FlannelBackend = 'vxlan' | 'host-gw' | 'none';
export const FLANNEL_BACKENDS: readonly FlannelBackend[] = ['vxlan', 'host-gw', 'none'];

const prefix = 'flannel.alpha.coreos.com/';
export const annotationKeys = {
  backendType: `${prefix}backend-type`,
  backendData: `${prefix}backend-data`,
  publicIP: `${prefix}public-ip`,
  kubeSubnetManager: `${prefix}kube-subnet-manager`,
} as const;

export const VXLAN_VNI = 1;
export const VXLAN_PORT = 8472;
export const VXLAN_DEVICE = `flannel.${VXLAN_VNI}`;
/** VXLAN's own headers (outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14) fit in 50 bytes. */
export const VXLAN_OVERHEAD = 50;

/** A remote node's endpoint, as its annotations and podCIDR describe it. */
export interface Peer {
  node: string;
  podCIDR: string;
  publicIP: string;
  backend: Exclude<FlannelBackend, 'none'>;
  /** The remote VTEP's MAC (vxlan only). */
  vtepMAC?: string;
}

/** The annotations this node publishes (host-gw has no backend data beyond an empty object). */
export function flannelAnnotations(backend: Exclude<FlannelBackend, 'none'>, publicIP: string, vtepMAC?: string): Record<string, string> {
  return {
    [annotationKeys.backendType]: backend,
    [annotationKeys.backendData]: backend === 'vxlan' ? JSON.stringify({ VNI: VXLAN_VNI, VtepMAC: vtepMAC }) : 'null',
    [annotationKeys.publicIP]: publicIP,
    [annotationKeys.kubeSubnetManager]: 'true',
  };
}

/** Whether `node` already carries every annotation in `want` with the same value. */
export function hasAnnotations(node: Node | undefined, want: Record<string, string>): boolean {
  const have = node?.metadata?.annotations ?? {};
  return Object.entries(want).every(([k, v]) => have[k] === v);
}

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

function isIPv4(s: string): boolean {
  try {
    parseIPv4(s);
    return true;
  } catch {
    return false;
  }
}

/**
 * The peer a Node describes, or undefined while it lacks what a route needs (no podCIDR yet, no
 * annotations, another backend's data). Malformed values are ignored rather than programmed.
 */
export function peerOf(node: Node): Peer | undefined {
  const name = node.metadata?.name ?? '';
  const podCIDR = node.spec?.podCIDR ?? '';
  const a = node.metadata?.annotations ?? {};
  const publicIP = a[annotationKeys.publicIP] ?? '';
  const type = a[annotationKeys.backendType];
  if (!name || !/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(podCIDR) || !isIPv4(publicIP) || node.metadata?.deletionTimestamp) return undefined;
  if (type === 'host-gw') return { node: name, podCIDR, publicIP, backend: 'host-gw' };
  if (type !== 'vxlan') return undefined;
  let data: { VNI?: unknown; VtepMAC?: unknown };
  try {
    data = JSON.parse(a[annotationKeys.backendData] ?? '') as typeof data;
  } catch {
    return undefined;
  }
  const mac = typeof data?.VtepMAC === 'string' ? data.VtepMAC.toLowerCase() : '';
  if (data.VNI !== VXLAN_VNI || !MAC_RE.test(mac)) return undefined;
  return { node: name, podCIDR, publicIP, backend: 'vxlan', vtepMAC: mac };
}

/** A podCIDR's network address: the remote VTEP's address on flannel.1 (10.42.2.0/24 -> 10.42.2.0). */
export function networkAddress(cidr: string): string {
  return formatIPv4(cidrRange(cidr).network);
}

/**
 * The MAC our flannel.1 gets when it is created: derived from the node name, so a recreated
 * device (a reboot, killall) keeps the MAC its peers have in their FDB and neighbour tables.
 * Locally administered, unicast.
 */
export function stableVtepMAC(nodeName: string): string {
  const b = createHash('sha256').update(`k8ts-vtep/${nodeName}`).digest().subarray(0, 6);
  b[0] = (b[0]! & 0xfe) | 0x02;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}
