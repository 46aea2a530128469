// The agent's CSI components:
//   csi-nfs  the node side of the built-in NFS driver (nfs.csi.k8s.io): its CSI socket under
//            plugins/, and a registration socket in plugins_registry, as a DaemonSet of
//            csi-driver-nfs with node-driver-registrar would have (`--disable csi-nfs`);
//   csi      the plugin watcher, the CSINode writer and the CSI volume plugin, for every driver.
// csi-nfs starts first so that it stops last: an agent restart does not deregister it.
import { join } from 'node:path';
import { hostExec } from '../../lib/exec.js';
import { logger } from '../../lib/log.js';
import type { Component } from '../../lib/components.js';
import { NfsDriver } from '../../csi/nfs/driver.js';
import { NfsMounter } from '../../csi/nfs/mounter.js';
import { NFS_DRIVER_NAME } from '../../csi/nfs/params.js';
import { startRegistrar } from '../../csi/registrar.js';
import { serveUnix } from '../../csi/serve.js';
import { apiClientValue, podMachineryValue } from '../agent-values.js';
import { agentPaths, type AgentConfig } from '../config.js';
import { apiReads } from '../api-reads.js';
import { CsiVolumePlugin, csiVolumeApi } from '../volumes/csi-volume.js';
import { csiPaths } from './csi-paths.js';
import { CsiNodeWriter } from './csinode.js';
import { CsiDrivers } from './drivers.js';
import { PluginWatcher } from './plugin-watcher.js';

const log = logger('csi');

export function csiNfsComponent(cfg: AgentConfig): Component {
  return {
    name: 'csi-nfs', requires: [], optional: true,
    async start() {
      const paths = csiPaths(cfg.dataDir);
      const socket = join(paths.plugins, NFS_DRIVER_NAME, 'csi.sock');
      const driver = new NfsDriver({ nodeId: cfg.nodeName, workingMountDir: join(paths.plugins, NFS_DRIVER_NAME, 'work'), mounter: new NfsMounter(hostExec) });
      const server = await serveUnix(`unix://${socket}`, driver.services({ controller: false }), 'csi-nfs node');
      const registrar = await startRegistrar({ registryDir: paths.registry, driver: NFS_DRIVER_NAME, driverSocket: socket });
      return async () => {
        await registrar.stop();
        await server.stop();
      };
    },
  };
}

export function csiComponent(cfg: AgentConfig): Component {
  return {
    name: 'csi', requires: ['api-client', 'pods', 'node-registration'], after: ['csi-nfs'],
    async start(ctx) {
      const client = ctx.get(apiClientValue);
      const { volumes } = ctx.get(podMachineryValue);
      const paths = csiPaths(cfg.dataDir);
      const drivers = new CsiDrivers();
      const watcher = new PluginWatcher(paths.registry, drivers, new CsiNodeWriter(client, cfg.nodeName));
      await watcher.scan().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'first plugin scan failed'));
      volumes.addPlugin(new CsiVolumePlugin(agentPaths(cfg.dataDir).pods, paths, drivers, csiVolumeApi(client, apiReads(client).secret)));
      const stopper = new AbortController();
      const running = watcher.run(stopper.signal);
      return async () => {
        stopper.abort();
        await running;
        drivers.closeAll();
      };
    },
  };
}
