// The node agent's flags, shared by `k8ts agent` and `k8ts server` (which runs the same agent
// unless --disable-agent), and how they become an AgentConfig.
import { defaultAgentConfig, DEFAULT_CLUSTER_CIDR, DEFAULT_CLUSTER_DNS, DEFAULT_CLUSTER_DOMAIN, DEFAULT_KUBELET_PORT, DEFAULT_POD_LOGS_DIR, DEFAULT_POD_MANIFEST_PATH, type AgentConfig } from '../node-agent/config.js';
import { DEFAULT_SANDBOX_IMAGE } from '../node-agent/containerd/index.js';
import { isIP } from 'node:net';
import type { FlagSpec } from './flags.js';
import { parseDuration } from '../lib/duration.js';
import { PROXY_MODES, type ProxyMode } from '../node-agent/proxy/backend.js';
import { FLANNEL_BACKENDS, type FlannelBackend } from '../node-agent/network/overlay/flannel-node.js';

export const agentFlagHelp = `  --node-name NAME                  node name (default: this host's name)
  --container-runtime-endpoint EP   use this CRI endpoint (unix:///...) instead of running containerd
  --pause-image IMAGE               sandbox image (default ${DEFAULT_SANDBOX_IMAGE})
  --private-registry FILE           k3s-style registries.yaml (default /etc/k8ts/registries.yaml)
  --pod-manifest-path DIR           static pod manifests (default ${DEFAULT_POD_MANIFEST_PATH}; '' disables)
  --node-ip ADDR                    InternalIP to report (default: the IPv4 of the default route's interface)
  --node-labels K=V,...             extra labels for the node
  --kubelet-port PORT               port of the agent's HTTPS server (default ${DEFAULT_KUBELET_PORT}; 0 = any)
  --cluster-dns ADDR                cluster DNS server for ClusterFirst pods, and on a server kube-dns's
                                    ClusterIP (default ${DEFAULT_CLUSTER_DNS}; comma-separated, the first is kube-dns)
  --cluster-domain DOMAIN           cluster domain (default ${DEFAULT_CLUSTER_DOMAIN})
  --pod-cidr CIDR                   pod range to use when the server assigns none (default 10.42.0.0/24)
  --flannel-backend B               pod network across hosts: vxlan (default), host-gw, or none (bring your own CNI:
                                    no CNI config, no overlay)
  --flannel-iface IFACE             interface for overlay traffic (default: the one holding the node IP)
  --cni-conf-dir DIR                CNI config dir (default /etc/cni/net.d)
  --cni-bin-dir DIR                 CNI plugins (default /opt/cni/bin if it has bridge, else /usr/lib/cni)
  --cni-bridge NAME                 bridge device of the pod network (default cni0)
  --cni-ipam-dir DIR                host-local IPAM lease dir (default /var/lib/cni/networks)
  --pod-logs-dir DIR                container logs (default ${DEFAULT_POD_LOGS_DIR})
  --cgroup-root PATH                cgroup tree pods go under (default /k8ts; k8ts.slice with systemd)
  --run-dir DIR                     containerd's state, socket and runc root (default /run/k8ts)
  --stream-server-port PORT         port of containerd's streaming server on 127.0.0.1 (default 10010)
  --tls-cert-file FILE              serving certificate of the agent's server (default: from the cluster CA in
                                    <data-dir>/pki when this host has it, else self-signed)
  --tls-private-key-file FILE       its key
  --cluster-cidr CIDR               the cluster's pod range; Service traffic from outside it and pod traffic leaving it are masqueraded (default ${DEFAULT_CLUSTER_CIDR})
  --proxy-mode MODE                 the service proxy's mode: iptables (default; iptables-save shows its rules) or
                                    nftables (table ip kube-proxy: faster syncs at thousands of Services)
  --iptables-sync-period D          the service proxy rewrites its shared chains and checks its canary this often (default 30s)
  --iptables-min-sync-period D      service proxy syncs are at least this far apart; a burst of changes is one sync (default 1s)
  --proxy-metrics-address ADDR      kube-proxy's metrics and healthz port (default 127.0.0.1:10249; '' = none)
  --ingress-http-port PORT          the built-in Ingress controller's HTTP port on every node address (default 80)
  --ingress-https-port PORT         its HTTPS port (default 443)
  --sync-frequency D                every pod is re-synced (and its configMap/secret volumes refreshed) this often (default 1m)
`;

export const agentFlags = {
  'node-name': { type: 'string' },
  'container-runtime-endpoint': { type: 'string' },
  'pause-image': { type: 'string' },
  'private-registry': { type: 'string' },
  'pod-manifest-path': { type: 'string' },
  'node-ip': { type: 'string' },
  'node-labels': { type: 'string' },
  'kubelet-port': { type: 'string' },
  'cluster-dns': { type: 'string' },
  'ingress-http-port': { type: 'string' },
  'ingress-https-port': { type: 'string' },
  'cluster-domain': { type: 'string' },
  'pod-cidr': { type: 'string' },
  'flannel-backend': { type: 'string' },
  'flannel-iface': { type: 'string' },
  'cni-conf-dir': { type: 'string' },
  'cni-bin-dir': { type: 'string' },
  'cni-bridge': { type: 'string' },
  'cni-ipam-dir': { type: 'string' },
  'pod-logs-dir': { type: 'string' },
  'cgroup-root': { type: 'string' },
  'run-dir': { type: 'string' },
  'stream-server-port': { type: 'string' },
  'sync-frequency': { type: 'string' },
  'cluster-cidr': { type: 'string' },
  'proxy-mode': { type: 'string' },
  'iptables-sync-period': { type: 'string' },
  'iptables-min-sync-period': { type: 'string' },
  'proxy-metrics-address': { type: 'string' },
  'tls-cert-file': { type: 'string' },
  'tls-private-key-file': { type: 'string' },
} as const satisfies FlagSpec;

export type AgentFlagValues = { [K in keyof typeof agentFlags]?: string };

/** Parses `key=value,key2=value2`. */
export function parseLabels(s: string | undefined): Record<string, string> {
  return Object.fromEntries((s ?? '').split(',').filter(Boolean).map((kv) => {
    const i = kv.indexOf('=');
    if (i <= 0) throw new Error(`invalid --node-labels entry "${kv}" (want key=value)`);
    return [kv.slice(0, i), kv.slice(i + 1)];
  }));
}

function port(name: string, v: string | undefined, dflt: number): number {
  const n = Number(v ?? dflt);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`invalid --${name} "${v}"`);
  return n;
}

export function agentConfigFromFlags(f: AgentFlagValues, base: { nodeName: string; dataDir: string; kubeconfig: string; server?: string; nodeLabels?: Record<string, string> }): AgentConfig {
  const cfg = defaultAgentConfig({
    ...base,
    nodeName: f['node-name'] ?? base.nodeName,
    containerRuntimeEndpoint: f['container-runtime-endpoint'],
    sandboxImage: f['pause-image'],
    privateRegistryFile: f['private-registry'],
    nodeIP: f['node-ip'],
    nodeLabels: { ...(base.nodeLabels ?? {}), ...parseLabels(f['node-labels']) },
    kubeletPort: port('kubelet-port', f['kubelet-port'], DEFAULT_KUBELET_PORT),
    runDir: f['run-dir'],
    cniIpamDataDir: f['cni-ipam-dir'],
    tlsCertFile: f['tls-cert-file'],
    tlsPrivateKeyFile: f['tls-private-key-file'],
  });
  if (f['stream-server-port'] !== undefined) cfg.streamServerPort = port('stream-server-port', f['stream-server-port'], 0);
  if (f['ingress-http-port'] !== undefined) cfg.ingressHttpPort = port('ingress-http-port', f['ingress-http-port'], 80);
  if (f['ingress-https-port'] !== undefined) cfg.ingressHttpsPort = port('ingress-https-port', f['ingress-https-port'], 443);
  if (f['sync-frequency']) cfg.syncFrequencyMs = parseDuration(f['sync-frequency']);
  if (f['pod-manifest-path'] !== undefined) cfg.podManifestPath = f['pod-manifest-path'];
  if (f['cluster-dns'] !== undefined) {
    cfg.clusterDNS = f['cluster-dns'].split(',').map((s) => s.trim()).filter(Boolean);
    for (const ip of cfg.clusterDNS) if (!isIP(ip)) throw new Error(`invalid --cluster-dns "${ip}": want an IP address`);
  }
  if (f['cluster-domain']) {
    cfg.clusterDomain = f['cluster-domain'].toLowerCase().replace(/\.$/, '');
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(cfg.clusterDomain)) {
      throw new Error(`invalid --cluster-domain "${f['cluster-domain']}": want DNS labels such as cluster.local`);
    }
  }
  if (f['pod-cidr']) cfg.defaultPodCIDR = f['pod-cidr'];
  if (f['flannel-backend'] !== undefined) {
    const b = f['flannel-backend'];
    if (!(FLANNEL_BACKENDS as readonly string[]).includes(b)) throw new Error(`invalid --flannel-backend "${b}" (want ${FLANNEL_BACKENDS.join(', ')})`);
    cfg.flannelBackend = b as FlannelBackend;
  }
  if (f['flannel-iface']) cfg.flannelIface = f['flannel-iface'];
  if (f['cni-conf-dir']) cfg.cniConfDir = f['cni-conf-dir'];
  if (f['cni-bin-dir']) cfg.cniBinDir = f['cni-bin-dir'];
  if (f['cni-bridge']) cfg.cniBridge = f['cni-bridge'];
  if (f['pod-logs-dir']) cfg.podLogsDir = f['pod-logs-dir'];
  if (f['cgroup-root']) cfg.cgroupRoot = f['cgroup-root'];
  if (f['cluster-cidr']) cfg.clusterCIDR = f['cluster-cidr'];
  if (f['proxy-mode'] !== undefined) {
    const m = f['proxy-mode'];
    if (!(PROXY_MODES as readonly string[]).includes(m)) throw new Error(`invalid --proxy-mode "${m}" (want ${PROXY_MODES.join(' or ')})`);
    cfg.proxyMode = m as ProxyMode;
  }
  if (f['iptables-sync-period']) cfg.proxySyncPeriodMs = parseDuration(f['iptables-sync-period']);
  if (f['iptables-min-sync-period']) cfg.proxyMinSyncPeriodMs = parseDuration(f['iptables-min-sync-period']);
  if (f['proxy-metrics-address'] !== undefined) cfg.proxyMetricsAddress = f['proxy-metrics-address'];
  return cfg;
}
