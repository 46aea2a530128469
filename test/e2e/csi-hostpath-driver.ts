// A tiny hostpath CSI driver for the agent's CSI tests: a real CSI server on a unix socket, with
// a registration socket as node-driver-registrar serves it. Its volumes are directories under
// `dir/volumes/<volumeId>`; it stages (bind mount onto the globalmount) and publishes (bind mount
// of the staging dir, or of the volume's dir for inline volumes, onto the target), and records
// every call so tests can check what the agent asked, in which order, with which paths.
import { mkdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execOk, hostExec } from '../../lib/exec.js';
import { isMountPoint, unmount } from '../../lib/mounts.js';
import { CsiError } from '../../csi/errors.js';
import { services } from '../../csi/grpc-services.js';
import { startRegistrar } from '../../csi/registrar.js';
import { serveUnix } from '../../csi/serve.js';
import type { NodePublishVolumeRequest, NodeStageVolumeRequest, NodeUnpublishVolumeRequest, NodeUnstageVolumeRequest } from '../../csi/types.js';

export interface HostpathDriver {
  name: string;
  calls: Array<{ method: string; req: Record<string, unknown> }>;
  /** Where volume `id`'s data lives. */
  volumeDir(id: string): string;
  stop(): Promise<void>;
}

async function bind(source: string, target: string): Promise<void> {
  if (await isMountPoint(target)) return;
  await execOk(hostExec, 'mount', ['--bind', source, target]);
}

export async function startHostpathDriver(opts: { name: string; nodeId: string; dir: string; registryDir: string }): Promise<HostpathDriver> {
  const calls: HostpathDriver['calls'] = [];
  const volumeDir = (id: string) => join(opts.dir, 'volumes', id);
  const record = (method: string, req: object) => calls.push({ method, req: req as Record<string, unknown> });
  const defs = services().csi;
  const socket = join(opts.dir, 'csi.sock');
  const rpc = (type: string) => ({ rpc: { type } });
  const server = await serveUnix(`unix://${socket}`, [
    { definition: defs.Identity, handlers: {
      GetPluginInfo: async () => ({ name: opts.name, vendorVersion: 'test' }),
      GetPluginCapabilities: async () => ({ capabilities: [] }),
      Probe: async () => ({}),
    } },
    { definition: defs.Node, handlers: {
      NodeGetInfo: async () => { record('NodeGetInfo', {}); return { nodeId: opts.nodeId, maxVolumesPerNode: 8 }; },
      NodeGetCapabilities: async () => ({ capabilities: [rpc('STAGE_UNSTAGE_VOLUME')] }),
      NodeStageVolume: async (req: NodeStageVolumeRequest) => {
        record('NodeStageVolume', req);
        await mkdir(volumeDir(req.volumeId), { recursive: true });
        await bind(volumeDir(req.volumeId), req.stagingTargetPath);
        return {};
      },
      NodeUnstageVolume: async (req: NodeUnstageVolumeRequest) => {
        record('NodeUnstageVolume', req);
        if (await isMountPoint(req.stagingTargetPath)) await unmount(hostExec, req.stagingTargetPath);
        return {};
      },
      NodePublishVolume: async (req: NodePublishVolumeRequest) => {
        record('NodePublishVolume', req);
        if (req.volumeContext?.fail) throw new CsiError('INTERNAL', req.volumeContext.fail);
        await mkdir(req.targetPath, { recursive: true });
        const from = req.stagingTargetPath || volumeDir(req.volumeId);
        await mkdir(from, { recursive: true });
        await bind(from, req.targetPath);
        return {};
      },
      NodeUnpublishVolume: async (req: NodeUnpublishVolumeRequest) => {
        record('NodeUnpublishVolume', req);
        if (await isMountPoint(req.targetPath)) await unmount(hostExec, req.targetPath);
        await rmdir(req.targetPath).catch(() => undefined);
        return {};
      },
    } },
  ], `test driver ${opts.name}`);
  const registrar = await startRegistrar({ registryDir: opts.registryDir, driver: opts.name, driverSocket: socket });
  return {
    name: opts.name, calls, volumeDir,
    async stop() {
      await registrar.stop();
      await server.stop();
    },
  };
}
