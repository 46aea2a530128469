// What node-driver-registrar does, for drivers k8ts runs itself (csi-nfs) and for tests: serve
// pluginregistration.Registration on <plugins_registry>/<driver>-reg.sock, telling the agent the
// driver's name and CSI socket. The agent answers with NotifyRegistrationStatus; a refusal is
// logged (node-driver-registrar exits so that it restarts; k8ts' drivers live in the agent).
import { join } from 'node:path';
import { logger } from '../lib/log.js';
import { services } from './grpc-services.js';
import { serveUnix, type RunningServer } from './serve.js';
import type { PluginInfo } from './types.js';

const log = logger('csi-registrar');

/** The registration socket kubelet expects for `driver` in its plugins_registry directory. */
export function registrationSocket(registryDir: string, driver: string): string {
  return join(registryDir, `${driver}-reg.sock`);
}

export interface RegistrarOptions {
  registryDir: string;
  driver: string;
  /** The driver's CSI socket path, as the agent must dial it. */
  driverSocket: string;
  /** Told of the agent's verdict. */
  onStatus?: (registered: boolean, error: string) => void;
}

export async function startRegistrar(opts: RegistrarOptions): Promise<RunningServer> {
  const info: PluginInfo = { type: 'CSIPlugin', name: opts.driver, endpoint: opts.driverSocket, supportedVersions: ['1.0.0'] };
  return serveUnix(registrationSocket(opts.registryDir, opts.driver), [{
    definition: services().registration,
    handlers: {
      GetInfo: async () => info,
      NotifyRegistrationStatus: async (req: { pluginRegistered: boolean; error: string }) => {
        if (req.pluginRegistered) log.info({ driver: opts.driver }, 'registered with the node agent');
        else log.warn({ driver: opts.driver, err: req.error }, 'the node agent refused the registration');
        opts.onStatus?.(req.pluginRegistered, req.error);
        return {};
      },
    },
  }], `registrar ${opts.driver}`);
}
