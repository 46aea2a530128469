// `k8ts server`: runs the control plane until SIGTERM.
import { execFile } from 'node:child_process';
import { setLogLevel, logger } from '../lib/log.js';
import { startServer } from '../apiserver/server.js';
import { defaultDataDir, parseFlags, parseRange } from './flags.js';

const help = `Run the k8ts server: API server, controllers and scheduler.

Flags:
  --data-dir DIR                 data directory (default /var/lib/k8ts as root, ~/.k8ts otherwise)
  --bind-address ADDR            address to serve on (default 0.0.0.0)
  --secure-port PORT             HTTPS port (default 6443)
  --advertise-address ADDR       address clients and pods use to reach the API server
  --tls-san NAME                 extra name or IP for the serving certificate (repeatable)
  --service-cidr CIDR            service IP range (default 10.43.0.0/16)
  --cluster-cidr CIDR            pod IP range (default 10.42.0.0/16)
  --service-node-port-range R    NodePort range (default 30000-32767)
  --token-auth-file FILE         static bearer tokens, CSV: token,user,uid,"group1,group2"
  --disable-agent                do not run the node agent in this process
  --log-level LEVEL              trace, debug, info, warn, error (default info)
`;

export async function runServer(argv: string[]): Promise<number> {
  const f = parseFlags(argv, {
    'data-dir': { type: 'string' },
    'bind-address': { type: 'string' },
    'secure-port': { type: 'string' },
    'advertise-address': { type: 'string' },
    'tls-san': { type: 'string', multiple: true },
    'service-cidr': { type: 'string' },
    'cluster-cidr': { type: 'string' },
    'service-node-port-range': { type: 'string' },
    'disable-agent': { type: 'boolean' },
    'token-auth-file': { type: 'string' },
    'log-level': { type: 'string' },
  }, help);
  if (f['log-level']) setLogLevel(f['log-level']);
  const log = logger('server');
  const server = await startServer({
    dataDir: f['data-dir'] ?? defaultDataDir(),
    bindAddress: f['bind-address'] ?? '0.0.0.0',
    securePort: Number(f['secure-port'] ?? 6443),
    advertiseAddress: f['advertise-address'],
    serviceCIDR: f['service-cidr'] ?? '10.43.0.0/16',
    clusterCIDR: f['cluster-cidr'] ?? '10.42.0.0/16',
    nodePortRange: parseRange(f['service-node-port-range'] ?? '30000-32767'),
    tlsSANs: f['tls-san'] ?? [],
    tokenAuthFile: f['token-auth-file'],
  });
  notifySystemd();
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

/** Tells systemd (Type=notify) that the server is up. */
function notifySystemd(): void {
  if (!process.env.NOTIFY_SOCKET) return;
  execFile('systemd-notify', ['--ready', `--pid=${process.pid}`], () => {});
}
