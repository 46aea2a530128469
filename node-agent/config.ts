// What a node agent is told at start (flags, or the server embedding it) and the directories it
// derives from that. One place for defaults, so the CLI, the embedded agent and tests agree.
import { join } from 'node:path';
import type { FlannelBackend } from './network/overlay/flannel-node.js';
import type { ProxyMode } from './proxy/backend.js';

export interface AgentConfig {
  nodeName: string;
  /** `<data>`: the agent keeps `<data>/agent/...` (pods, containerd, images). */
  dataDir: string;
  /** Kubeconfig used to reach the API server. */
  kubeconfig: string;
  /** API server URL, overriding the kubeconfig's. */
  server?: string;
  /** `unix:///...` of an existing CRI runtime; unset = run our own containerd. */
  containerRuntimeEndpoint?: string;
  /** Parent of containerd's state dir and socket (default /run/k8ts). */
  runDir?: string;
  sandboxImage?: string;
  /** k3s-format registries.yaml. */
  privateRegistryFile?: string;
  /** Static pod manifests; empty string disables static pods. */
  podManifestPath: string;
  /** Where container logs go (kubelet: /var/log/pods). */
  podLogsDir: string;
  /** CNI config dir the runtime reads and the agent writes its conflist to. */
  cniConfDir: string;
  cniBinDir?: string;
  /** Bridge device of the pod network. */
  cniBridge: string;
  /** Pod CIDR used until (or unless) the node's spec.podCIDR is set. */
  defaultPodCIDR: string;
  /** host-local IPAM lease dir (default /var/lib/cni/networks). */
  cniIpamDataDir?: string;
  clusterDNS: string[];
  clusterDomain: string;
  /** Cluster DNS listens here (default: the node's IPs, which kube-dns's endpoints list). */
  dnsAddresses?: string[];
  /** Cluster DNS port, UDP and TCP (default 53; 0 = pick a free one, for tests). */
  dnsPort?: number;
  /** Cluster DNS metrics port (default 9153, as CoreDNS). */
  dnsMetricsPort?: number;
  /** The node's resolvers, where names outside the cluster go (default /etc/resolv.conf). */
  resolvConf?: string;
  /** Top of the cgroup tree pods live under (`/k8ts` or `k8ts.slice`). */
  cgroupRoot: string;
  /** HTTPS port of the agent's own server (0 = pick a free one; kubelet: 10250). */
  kubeletPort: number;
  /** Address the agent's server listens on. */
  kubeletAddress: string;
  /** Serving certificate and key (PEM files) of the agent's server; default: issued from the cluster CA in <data>/pki when present, else self-signed. */
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  /** Set when the agent joined with a token: its certificates are renewed before they expire. */
  certRotation?: { server: string; lifetimeSeconds?: number };
  /** InternalIP to report (default: the host's first non-loopback IPv4). */
  nodeIP?: string;
  nodeLabels: Record<string, string>;
  /** CRI streaming server port of our own containerd. */
  streamServerPort?: number;
  /** Every pod is synced at least this often, refreshing configMap/secret/token volumes (kubelet's --sync-frequency). */
  syncFrequencyMs: number;
  /** Node status is posted at least this often, and on every change (kubelet: 10 s). */
  nodeStatusUpdateMs: number;
  leaseDurationSeconds: number;
  /** PLEG relist period (kubelet: 1 s). */
  relistMs: number;
  /** Wait for our own containerd at most this long. */
  runtimeReadyTimeoutMs?: number;
  /** Pod network across hosts (--flannel-backend): vxlan (default), host-gw, or none (bring your own CNI). */
  flannelBackend: FlannelBackend;
  /** Interface overlay traffic uses (--flannel-iface); default: the one holding the node IP. */
  flannelIface?: string;
  /**
   * The whole cluster's pod range: traffic to a Service from outside it is masqueraded (proxy),
   * and pod traffic leaving it is masqueraded while pod-to-pod is not (overlay).
   */
  clusterCIDR: string;
  /** The service proxy's mode (--proxy-mode): iptables, as k3s, or kube-proxy's nftables. */
  proxyMode: ProxyMode;
  /** How often the service proxy rewrites its shared chains and checks its canary (kube-proxy: 30 s). */
  proxySyncPeriodMs: number;
  /** Syncs of the service proxy are at least this far apart (kube-proxy: 1 s). */
  proxyMinSyncPeriodMs: number;
  /** host:port of the proxy's kube-proxy-style metrics port; '' = not served. */
  proxyMetricsAddress: string;
  /** Ports of the built-in Ingress controller (80 and 443; 0 = pick a free one, for tests). */
  ingressHttpPort: number;
  ingressHttpsPort: number;
  /** Address its listeners bind (default 0.0.0.0: every address of the node). */
  ingressAddress: string;
  /** Optional components not to run (`--disable`; agentComponents lists them). */
  disabledComponents: string[];
}

export const DEFAULT_POD_MANIFEST_PATH = '/etc/kubernetes/manifests';
export const DEFAULT_POD_LOGS_DIR = '/var/log/pods';
export const DEFAULT_CLUSTER_DNS = '10.43.0.10';
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
export const DEFAULT_KUBELET_PORT = 10250;
export const DEFAULT_CLUSTER_CIDR = '10.42.0.0/16';

/** Defaults for everything but identity and credentials. */
export function defaultAgentConfig(input: Pick<AgentConfig, 'nodeName' | 'dataDir' | 'kubeconfig'> & Partial<AgentConfig>): AgentConfig {
  return {
    podManifestPath: DEFAULT_POD_MANIFEST_PATH,
    podLogsDir: DEFAULT_POD_LOGS_DIR,
    cniConfDir: '/etc/cni/net.d',
    cniBridge: 'cni0',
    defaultPodCIDR: '10.42.0.0/24',
    clusterCIDR: DEFAULT_CLUSTER_CIDR,
    proxyMode: 'iptables',
    proxySyncPeriodMs: 30_000,
    proxyMinSyncPeriodMs: 1_000,
    proxyMetricsAddress: '127.0.0.1:10249',
    clusterDNS: [DEFAULT_CLUSTER_DNS],
    clusterDomain: DEFAULT_CLUSTER_DOMAIN,
    cgroupRoot: '/k8ts',
    kubeletPort: DEFAULT_KUBELET_PORT,
    kubeletAddress: '0.0.0.0',
    nodeLabels: {},
    syncFrequencyMs: 60_000,
    nodeStatusUpdateMs: 10_000,
    leaseDurationSeconds: 40,
    relistMs: 1_000,
    flannelBackend: 'vxlan',
    ingressHttpPort: 80,
    ingressHttpsPort: 443,
    ingressAddress: '0.0.0.0',
    disabledComponents: [],
    ...input,
  };
}

/** The agent's directories under the data dir. */
export interface AgentPaths {
  root: string;
  /** `<root>/pods/<uid>/{volumes,containers,etc-hosts}` as kubelet's /var/lib/kubelet/pods. */
  pods: string;
  /** Serving certificate of the agent's HTTPS server. */
  pki: string;
}

export function agentPaths(dataDir: string): AgentPaths {
  const root = join(dataDir, 'agent');
  return { root, pods: join(root, 'pods'), pki: join(root, 'pki') };
}
