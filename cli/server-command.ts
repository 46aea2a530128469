// `k8ts server`: runs the control plane until SIGTERM.
import { setLogLevel, logger } from '../lib/log.js';
import { serverComponents, startServer, type ServerOptions } from '../apiserver/server.js';
import { adminKubeconfigPath } from '../apiserver/server-components.js';
import { disableableNames, parseDisable } from '../lib/components.js';
import { defaultControlPlaneSettings } from '../apiserver/controllers/control-plane-settings.js';
import { controllerSpec } from '../apiserver/controllers/controller-names.js';
import { parseDuration } from '../lib/duration.js';
import { defaultDataDir, parseBoolFlag, parseFlags, parseRange } from './flags.js';
import { agentComponents, defaultNodeName } from '../node-agent/agent.js';
import { agentConfigFromFlags, agentFlagHelp, agentFlags } from './agent-flags.js';
import { embeddedAgentComponent } from './embedded-agent.js';
import { notifyReady } from '../lib/sd-notify.js';
import { configFlagHelp, withConfigFile } from './config-file.js';

const help = `Run the k8ts server: API server, controllers and scheduler.

Flags:
  --data-dir DIR                 data directory (default /var/lib/k8ts as root, ~/.k8ts otherwise)
  --bind-address ADDR            address to serve on (default 0.0.0.0)
  --secure-port PORT             HTTPS port (default 6443)
  --advertise-address ADDR       address clients and pods use to reach the API server
  --tls-san NAME                 extra name or IP for the serving certificate (repeatable)
  --service-cidr CIDR            service IP range (default 10.43.0.0/16)
  --service-node-port-range R    NodePort range (default 30000-32767)
  --token-auth-file FILE         static bearer tokens, CSV: token,user,uid,"group1,group2"
  --anonymous-auth=false         refuse requests without credentials (401) instead of serving them
                                 as system:anonymous, who may read only health and version
  --storage-history N            changes kept for watch resume and paging (default 20000)
  --disable NAME,...             do not run these components: agent (the node agent in this process),
                                 control-plane (controllers and scheduler), dns (built-in cluster DNS:
                                 the kube-dns Service and the agent's DNS server; bring your own CoreDNS),
                                 metrics-server (metrics.k8s.io), local-storage (the default local-path
                                 StorageClass and its provisioner), and the agent's network (pod CIDR to
                                 CNI config; bring your own CNI), proxy (the service proxy; bring your
                                 own kube-proxy) and static-pods; ingress (the IngressClass k8ts, the
                                 Ingress status writer and the agent's controller; bring your own)
  --disable-agent                the same as --disable agent
  --disable-kube-proxy           the same as --disable proxy (k3s' name)
  --controllers LIST             controllers to run, kube-controller-manager style: '*' (default), 'name', '-name'
  --disable-scheduler            do not run the scheduler in this process
  --leader-elect BOOL            campaign for the control plane Leases before acting (default true)
  --node-monitor-grace-period D  a node whose lease is not renewed for D turns NotReady/Unknown (default 40s)
  --node-monitor-period D        how often node health is checked (default 5s)
  --node-cidr-mask-size N        size of each node's pod range in the cluster CIDR (default 24)
  --metric-resolution D          how often the built-in metrics server scrapes every agent (default 15s)
  --horizontal-pod-autoscaler-sync-period D   how often HPAs are evaluated (default 15s)
  --default-not-ready-toleration-seconds N    added to pods without one, for node.kubernetes.io/not-ready (default 300)
  --default-unreachable-toleration-seconds N  added to pods without one, for node.kubernetes.io/unreachable (default 300)
  --log-level LEVEL              trace, debug, info, warn, error (default info)
${configFlagHelp}
Node agent flags (unless --disable agent):
${agentFlagHelp.split('\n').filter((l) => !l.startsWith('  --cluster-cidr ')).join('\n')}`;

export async function runServer(argv: string[]): Promise<number> {
  const spec = {
    'data-dir': { type: 'string' },
    'bind-address': { type: 'string' },
    'secure-port': { type: 'string' },
    'advertise-address': { type: 'string' },
    'tls-san': { type: 'string', multiple: true },
    'service-cidr': { type: 'string' },
    // (--cluster-cidr is an agent flag too: the embedded agent's proxy masquerades by it.)
    'service-node-port-range': { type: 'string' },
    disable: { type: 'string', multiple: true },
    'disable-agent': { type: 'boolean' },
    'disable-kube-proxy': { type: 'boolean' },
    'token-auth-file': { type: 'string' },
    'anonymous-auth': { type: 'string' },
    'storage-history': { type: 'string' },
    controllers: { type: 'string', multiple: true },
    'disable-scheduler': { type: 'boolean' },
    'leader-elect': { type: 'string' },
    'node-monitor-grace-period': { type: 'string' },
    'node-monitor-period': { type: 'string' },
    'node-cidr-mask-size': { type: 'string' },
    'metric-resolution': { type: 'string' },
    'horizontal-pod-autoscaler-sync-period': { type: 'string' },
    'default-not-ready-toleration-seconds': { type: 'string' },
    'default-unreachable-toleration-seconds': { type: 'string' },
    'log-level': { type: 'string' },
    ...agentFlags,
  } as const;
  const f = parseFlags(withConfigFile(argv, spec), spec, help);
  if (f['log-level']) setLogLevel(f['log-level']);
  const log = logger('server');
  const controllers = f.controllers ?? defaultControlPlaneSettings.controllers;
  controllerSpec(controllers); // a wrong name fails the start, as it fails kube-controller-manager's
  const dataDir = f['data-dir'] ?? defaultDataDir();
  // The embedded node agent (as k3s server runs its agent), registered as a control-plane node.
  const agentConfig = agentConfigFromFlags(f, {
    nodeName: defaultNodeName(), dataDir, kubeconfig: adminKubeconfigPath(dataDir),
    nodeLabels: { 'node-role.kubernetes.io/control-plane': 'true', 'node-role.kubernetes.io/master': 'true' },
  });
  const opts: ServerOptions = {
    dataDir,
    bindAddress: f['bind-address'] ?? '0.0.0.0',
    securePort: Number(f['secure-port'] ?? 6443),
    advertiseAddress: f['advertise-address'],
    serviceCIDR: f['service-cidr'] ?? '10.43.0.0/16',
    clusterCIDR: f['cluster-cidr'] ?? '10.42.0.0/16',
    nodePortRange: parseRange(f['service-node-port-range'] ?? '30000-32767'),
    tlsSANs: f['tls-san'] ?? [],
    tokenAuthFile: f['token-auth-file'],
    anonymousAuth: parseBoolFlag('anonymous-auth', f['anonymous-auth'] ?? 'true'),
    historyEvents: f['storage-history'] ? Number(f['storage-history']) : undefined,
    metricResolutionMs: f['metric-resolution'] ? parseDuration(f['metric-resolution']) : undefined,
    controlPlane: {
      controllers,
      scheduler: !f['disable-scheduler'],
      leaderElect: (f['leader-elect'] ?? 'true') !== 'false',
      nodeMonitorGracePeriodMs: f['node-monitor-grace-period'] ? parseDuration(f['node-monitor-grace-period']) : defaultControlPlaneSettings.nodeMonitorGracePeriodMs,
      nodeMonitorPeriodMs: f['node-monitor-period'] ? parseDuration(f['node-monitor-period']) : defaultControlPlaneSettings.nodeMonitorPeriodMs,
      nodeCIDRMaskSize: Number(f['node-cidr-mask-size'] ?? defaultControlPlaneSettings.nodeCIDRMaskSize),
      hpaSyncPeriodMs: f['horizontal-pod-autoscaler-sync-period']
        ? parseDuration(f['horizontal-pod-autoscaler-sync-period']) : defaultControlPlaneSettings.hpaSyncPeriodMs,
    },
    defaultTolerationSeconds: {
      notReady: Number(f['default-not-ready-toleration-seconds'] ?? 300),
      unreachable: Number(f['default-unreachable-toleration-seconds'] ?? 300),
    },
    // kube-dns gets the address the agents give pods as their nameserver.
    clusterDNS: agentConfig.clusterDNS[0],
    components: [embeddedAgentComponent(agentConfig)],
  };
  // --disable names the server's components and its agent's; a wrong one fails before anything is made.
  const agentNames = disableableNames(agentComponents(agentConfig));
  // A name both have (dns: the kube-dns Service and the agent's server) turns off both.
  const serverNames = disableableNames(serverComponents(opts));
  const disabled = parseDisable([...(f.disable ?? []), ...(f['disable-agent'] ? ['agent'] : []), ...(f['disable-kube-proxy'] ? ['proxy'] : [])], [...new Set([...serverNames, ...agentNames])]);
  agentConfig.disabledComponents = disabled.filter((n) => agentNames.includes(n));
  opts.disabledComponents = disabled.filter((n) => serverNames.includes(n) || !agentNames.includes(n));
  const server = await startServer(opts);
  await notifyReady();
  await new Promise<void>((resolve) => {
    const onSignal = (sig: string) => {
      log.info({ signal: sig }, 'shutting down');
      resolve();
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
  });
  await server.stop();
  return 0;
}
