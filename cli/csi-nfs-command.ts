// `k8ts csi-nfs`: the CSI NFS driver (nfs.csi.k8s.io) as its own process, with csi-driver-nfs'
// flags, for running it as a DaemonSet or by hand. k8ts runs the same driver itself (node side
// in each agent, controller side in the server) unless `--disable csi-nfs`.
import { hostname } from 'node:os';
import { hostExec } from '../lib/exec.js';
import { NfsDriver } from '../csi/nfs/driver.js';
import { NfsMounter } from '../csi/nfs/mounter.js';
import { NFS_DRIVER_NAME, type OnDelete } from '../csi/nfs/params.js';
import { startRegistrar } from '../csi/registrar.js';
import { serveUnix } from '../csi/serve.js';
import { socketPath } from '../csi/grpc-services.js';
import { parseFlags } from './flags.js';

const help = `Run the CSI NFS driver (compatible with kubernetes-csi/csi-driver-nfs).

Usage:
  k8ts csi-nfs --endpoint unix:///PATH [flags]

Flags:
  --endpoint unix:///PATH         where to serve CSI (Identity, Controller, Node)
  --node-id ID                    this node's ID for NodeGetInfo (default: the host name; --nodeid too)
  --drivername NAME               the driver's name (default ${NFS_DRIVER_NAME})
  --working-mount-dir DIR         where exports are mounted while volumes are made or deleted (default /tmp)
  --default-ondelete-policy P     delete, retain or archive, for classes without onDelete (default delete)
  --plugin-registration-dir DIR   also serve kubelet's registration socket there, as node-driver-registrar
                                  (e.g. /var/lib/k8ts/agent/plugins_registry)
`;

export async function runCsiNfs(argv: string[]): Promise<number> {
  const f = parseFlags(argv, {
    endpoint: { type: 'string' },
    'node-id': { type: 'string' },
    nodeid: { type: 'string' },
    drivername: { type: 'string' },
    'working-mount-dir': { type: 'string' },
    'default-ondelete-policy': { type: 'string' },
    'plugin-registration-dir': { type: 'string' },
  }, help);
  if (!f.endpoint) {
    process.stderr.write(`Error: --endpoint is required\n\n${help}`);
    return 1;
  }
  const policy = (f['default-ondelete-policy'] ?? 'delete').toLowerCase();
  if (!['delete', 'retain', 'archive'].includes(policy)) {
    process.stderr.write(`Error: invalid --default-ondelete-policy "${policy}": want delete, retain or archive\n`);
    return 1;
  }
  const socket = socketPath(f.endpoint);
  const driver = new NfsDriver({
    name: f.drivername ?? NFS_DRIVER_NAME, nodeId: f['node-id'] ?? f.nodeid ?? hostname(),
    workingMountDir: f['working-mount-dir'] ?? '/tmp', mounter: new NfsMounter(hostExec), defaultOnDelete: policy as OnDelete,
  });
  const server = await serveUnix(f.endpoint, driver.services(), 'csi-nfs');
  const registrar = f['plugin-registration-dir']
    ? await startRegistrar({ registryDir: f['plugin-registration-dir'], driver: driver.name, driverSocket: socket })
    : undefined;
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  await registrar?.stop();
  await server.stop();
  return 0;
}
