// `k8ts agent` (without --simulated): the real node agent, running pods on containerd. Flag
// parsing and wiring only; the agent itself is node-agent/agent.ts.
import { logger, setLogLevel } from '../lib/log.js';
import { disableableNames, parseDisable } from '../lib/components.js';
import { agentComponents, defaultNodeName, startAgent } from '../node-agent/agent.js';
import { agentConfigFromFlags, agentFlagHelp, agentFlags } from './agent-flags.js';
import { defaultDataDir, parseFlags } from './flags.js';
import { parseDuration } from '../lib/duration.js';
import { tlsBootstrap } from '../node-agent/join/tls-bootstrap.js';
import { primaryIPv4 } from '../node-agent/node/host-info.js';
import { readFileSync } from 'node:fs';
import { notifyReady } from '../lib/sd-notify.js';
import { configFlagHelp, withConfigFile } from './config-file.js';

const help = `Run a node agent: registers this machine as a node and runs the pods bound to it on
containerd (its own, supervised, unless --container-runtime-endpoint names one), networked with
the CNI bridge plugin. Static pods are read from --pod-manifest-path. Stopping the agent leaves
pods running; the next agent adopts them. (Simulated nodes: 'k8ts agent --simulated --help'.)

Join a cluster with a token (the server's <data-dir>/node-token, or 'k8ts token create'):
  k8ts agent --server https://HOST:6443 --token TOKEN
The server's CA is checked against the token, the node gets its own certificates (written to
<data-dir>/agent/kubelet.kubeconfig and serving-kubelet.*), and a restart reuses them.

Flags:
  --server URL                      API server URL (with --token; or overrides the kubeconfig's)
  --token TOKEN                     join token (K10<hash>::server:<secret> or K10<hash>::<id>.<secret>)
  --token-file FILE                 read the join token from FILE (keeps it out of ps and config files)
  --node-cert-lifetime D            lifetime to ask for the node's certificates (default: the server's, 1 year)
  --kubeconfig FILE                 kubeconfig to reach the API server (instead of --token)
  --data-dir DIR                    data directory (default /var/lib/k8ts as root, ~/.k8ts otherwise)
  --disable NAME,...                do not run these components: network (pod CIDR to CNI config; bring
                                    your own CNI), proxy (the service proxy; bring your own kube-proxy),
                                    ingress (the built-in Ingress controller; bring your own), static-pods
  --disable-kube-proxy              the same as --disable proxy (k3s' name)
${agentFlagHelp}  --log-level LEVEL                 trace, debug, info, warn, error (default info)
${configFlagHelp}`;

export async function runNodeAgent(argv: string[]): Promise<number> {
  const spec = {
    kubeconfig: { type: 'string' },
    server: { type: 'string' },
    token: { type: 'string' },
    'token-file': { type: 'string' },
    'node-cert-lifetime': { type: 'string' },
    'data-dir': { type: 'string' },
    disable: { type: 'string', multiple: true },
    'disable-kube-proxy': { type: 'boolean' },
    'log-level': { type: 'string' },
    ...agentFlags,
  } as const;
  const f = parseFlags(withConfigFile(argv, spec), spec, help);
  if (f['log-level']) setLogLevel(f['log-level']);
  if (f['token-file']) {
    if (f.token) throw new Error('give either --token or --token-file, not both');
    f.token = readTokenFile(f['token-file']);
  }
  if (!f.kubeconfig && !f.token) throw new Error('give --server URL --token TOKEN to join a cluster (or --kubeconfig FILE)');
  if (f.token && !f.server) throw new Error('--token needs --server https://HOST:6443');
  if (f.token && f.kubeconfig) throw new Error('give either --token (join) or --kubeconfig, not both');
  const dataDir = f['data-dir'] ?? defaultDataDir();
  const nodeName = f['node-name'] ?? defaultNodeName();
  const certLifetimeSeconds = f['node-cert-lifetime'] ? parseDuration(f['node-cert-lifetime']) / 1000 : undefined;
  const joined = f.token
    ? await tlsBootstrap({ server: f.server ?? '', token: f.token, nodeName, dataDir, nodeIPs: [f['node-ip'] ?? primaryIPv4()], certLifetimeSeconds })
    : undefined;
  const cfg = agentConfigFromFlags(f, {
    nodeName: defaultNodeName(), dataDir, kubeconfig: joined?.kubeconfig ?? f.kubeconfig ?? '', server: joined ? undefined : f.server,
  });
  if (joined) {
    cfg.tlsCertFile ??= joined.servingCertFile;
    cfg.tlsPrivateKeyFile ??= joined.servingKeyFile;
    cfg.certRotation = { server: f.server ?? '', lifetimeSeconds: certLifetimeSeconds };
  }
  // A wrong name fails before anything is made.
  cfg.disabledComponents = parseDisable([...(f.disable ?? []), ...(f['disable-kube-proxy'] ? ['proxy'] : [])], disableableNames(agentComponents(cfg)));
  const log = logger('agent');
  const agent = await startAgent(cfg);
  await notifyReady();
  await new Promise<void>((resolve) => {
    const onSignal = (sig: string) => {
      log.info({ signal: sig }, 'shutting down (pods keep running)');
      resolve();
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
  });
  await agent.stop();
  return 0;
}

function readTokenFile(file: string): string {
  let token: string;
  try {
    token = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new Error(`cannot read --token-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (!token) throw new Error(`--token-file ${file} is empty`);
  return token;
}
