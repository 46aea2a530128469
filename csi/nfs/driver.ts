// The CSI NFS driver, compatible with kubernetes-csi/csi-driver-nfs (nfs.csi.k8s.io): Identity,
// Controller (CreateVolume makes a directory on the export, DeleteVolume deletes, archives or
// keeps it, ControllerExpandVolume only records the size: NFS has no quota to grow) and Node
// (NodePublishVolume mounts server:/share/subDir on the pod's target; no staging, as upstream).
import { chmod, mkdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { logger } from '../../lib/log.js';
import { CsiError } from '../errors.js';
import { services } from '../grpc-services.js';
import type { ServedService } from '../serve.js';
import type {
  ControllerExpandVolumeRequest, CreateVolumeRequest, DeleteVolumeRequest, NodePublishVolumeRequest, NodeUnpublishVolumeRequest, VolumeCapability,
} from '../types.js';
import type { Mounter } from './mounter.js';
import { exportSource, NFS_DRIVER_NAME, parseCreateParameters, publishSource, volumeFromId, volumeIdOf, workingMountPath, type NfsVolume, type OnDelete } from './params.js';

const log = logger('csi-nfs');

export interface NfsDriverOptions {
  /** The driver's name (`--drivername`); nfs.csi.k8s.io by default. */
  name?: string;
  nodeId: string;
  /** Where the controller mounts exports while it makes or removes directories. */
  workingMountDir: string;
  mounter: Mounter;
  defaultOnDelete?: OnDelete;
  version?: string;
}

function checkCapabilities(caps: readonly VolumeCapability[] | undefined, what: string): void {
  if (!caps?.length) throw new CsiError('INVALID_ARGUMENT', `${what} must be provided`);
  for (const c of caps) {
    if (c.block || c.accessType === 'block') throw new CsiError('INVALID_ARGUMENT', 'Block Volume not supported');
  }
}

/** One operation per volume at a time; a second gets Aborted and the CO retries (as upstream). */
class VolumeLocks {
  private readonly held = new Set<string>();
  async with<T>(id: string, fn: () => Promise<T>): Promise<T> {
    if (this.held.has(id)) throw new CsiError('ABORTED', `An operation with the given Volume ID ${id} already exists`);
    this.held.add(id);
    try {
      return await fn();
    } finally {
      this.held.delete(id);
    }
  }
}

const exists = (p: string): Promise<boolean> => stat(p).then(() => true, () => false);

export class NfsDriver {
  readonly name: string;
  private readonly locks = new VolumeLocks();

  constructor(private readonly opts: NfsDriverOptions) {
    this.name = opts.name ?? NFS_DRIVER_NAME;
  }

  /** The three services, for serveUnix (serve.ts). `controller: false` serves Identity and Node only. */
  services(which: { controller?: boolean; node?: boolean } = {}): ServedService[] {
    const defs = services().csi;
    const out: ServedService[] = [{ definition: defs.Identity, handlers: this.identity() }];
    if (which.controller !== false) out.push({ definition: defs.Controller, handlers: this.controller() });
    if (which.node !== false) out.push({ definition: defs.Node, handlers: this.node() });
    return out;
  }

  private identity() {
    return {
      GetPluginInfo: async () => ({ name: this.name, vendorVersion: this.opts.version ?? 'k8ts' }),
      GetPluginCapabilities: async () => ({ capabilities: [{ service: { type: 'CONTROLLER_SERVICE' } }] }),
      Probe: async () => ({ ready: { value: true } }),
    };
  }

  private controller() {
    const rpc = (type: string) => ({ rpc: { type } });
    return {
      ControllerGetCapabilities: async () => ({ capabilities: ['CREATE_DELETE_VOLUME', 'SINGLE_NODE_MULTI_WRITER', 'EXPAND_VOLUME'].map(rpc) }),
      CreateVolume: (req: CreateVolumeRequest) => this.createVolume(req),
      DeleteVolume: (req: DeleteVolumeRequest) => this.deleteVolume(req),
      ControllerExpandVolume: async (req: ControllerExpandVolumeRequest) => {
        if (!req.volumeId) throw new CsiError('INVALID_ARGUMENT', 'Volume ID missing in request');
        if (!req.capacityRange) throw new CsiError('INVALID_ARGUMENT', 'Capacity Range missing in request');
        return { capacityBytes: req.capacityRange.requiredBytes ?? 0, nodeExpansionRequired: false };
      },
      ValidateVolumeCapabilities: async (req: { volumeId: string; volumeCapabilities: VolumeCapability[]; volumeContext?: Record<string, string>; parameters?: Record<string, string> }) => {
        if (!req.volumeId) throw new CsiError('INVALID_ARGUMENT', 'Volume ID missing in request');
        checkCapabilities(req.volumeCapabilities, 'Volume capabilities');
        return { confirmed: { volumeContext: req.volumeContext ?? {}, volumeCapabilities: req.volumeCapabilities, parameters: req.parameters ?? {} }, message: '' };
      },
    };
  }

  private node() {
    const rpc = (type: string) => ({ rpc: { type } });
    return {
      NodeGetInfo: async () => ({ nodeId: this.opts.nodeId, maxVolumesPerNode: 0 }),
      NodeGetCapabilities: async () => ({ capabilities: ['SINGLE_NODE_MULTI_WRITER'].map(rpc) }),
      NodePublishVolume: (req: NodePublishVolumeRequest) => this.publish(req),
      NodeUnpublishVolume: (req: NodeUnpublishVolumeRequest) => this.unpublish(req),
    };
  }

  /** Mounts the volume's export in the working dir, runs `fn` on the volume's path there, unmounts. */
  private async onExport<T>(v: NfsVolume, flags: readonly string[], fn: (exportDir: string) => Promise<T>): Promise<T> {
    const dir = workingMountPath(this.opts.workingMountDir, v);
    await mkdir(dir, { recursive: true, mode: 0o750 });
    try {
      await this.opts.mounter.mount(exportSource(v.server, v.baseDir), dir, flags);
    } catch (err) {
      await rmdir(dir).catch(() => undefined);
      throw new CsiError('INTERNAL', `failed to mount nfs server: ${(err as Error).message}`);
    }
    try {
      return await fn(dir);
    } finally {
      await this.opts.mounter.unmount(dir).catch((err: unknown) => log.warn({ dir, err: (err as Error).message }, 'unmount of working mount failed'));
      await rmdir(dir).catch(() => undefined);
    }
  }

  private async createVolume(req: CreateVolumeRequest) {
    checkCapabilities(req.volumeCapabilities, 'CreateVolume volume capabilities');
    const { volume, mountPermissions } = parseCreateParameters(req.name, req.parameters ?? {}, this.opts.defaultOnDelete);
    const flags = req.volumeCapabilities.flatMap((c) => c.mount?.mountFlags ?? []);
    return this.locks.with(req.name, async () => {
      await this.onExport(volume, flags, async (exportDir) => {
        const dir = posix.join(exportDir, volume.subDir);
        try {
          await mkdir(dir, { recursive: true, mode: 0o777 });
          if (mountPermissions) await chmod(dir, mountPermissions);
        } catch (err) {
          throw new CsiError('INTERNAL', `failed to make subdirectory: ${(err as Error).message}`);
        }
      });
      const id = volumeIdOf(volume);
      log.info({ volume: req.name, id }, 'volume created');
      // The context keeps the class' parameters, with the subDir it resolved to.
      const context = Object.fromEntries(Object.entries(req.parameters ?? {}).filter(([k]) => k.toLowerCase() !== 'subdir' && !k.startsWith('csi.storage.k8s.io/')));
      context.subDir = volume.subDir;
      return { volume: { volumeId: id, capacityBytes: req.capacityRange?.requiredBytes ?? 0, volumeContext: context } };
    });
  }

  private async deleteVolume(req: DeleteVolumeRequest) {
    const v = volumeFromId(req.volumeId, this.opts.defaultOnDelete);
    if (v.onDelete === 'retain') {
      log.info({ id: req.volumeId }, 'volume retained on delete');
      return {};
    }
    return this.locks.with(req.volumeId, async () => {
      await this.onExport(v, [], async (exportDir) => {
        const dir = posix.join(exportDir, v.subDir);
        if (!(await exists(dir))) return;
        try {
          if (v.onDelete === 'archive') {
            const archived = posix.join(exportDir, 'archived-' + v.subDir);
            await mkdir(posix.dirname(archived), { recursive: true });
            await rm(archived, { recursive: true, force: true });
            await rename(dir, archived);
          } else {
            await rm(dir, { recursive: true, force: true });
          }
        } catch (err) {
          throw new CsiError('INTERNAL', `delete subdirectory(${dir}) failed with ${(err as Error).message}`);
        }
      });
      log.info({ id: req.volumeId, onDelete: v.onDelete }, 'volume deleted');
      return {};
    });
  }

  private async publish(req: NodePublishVolumeRequest) {
    if (!req.volumeCapability) throw new CsiError('INVALID_ARGUMENT', 'Volume capability missing in request');
    if (!req.volumeId) throw new CsiError('INVALID_ARGUMENT', 'Volume ID missing in request');
    if (!req.targetPath) throw new CsiError('INVALID_ARGUMENT', 'Target path not provided');
    checkCapabilities([req.volumeCapability], 'Volume capability');
    const src = publishSource(req.volumeContext ?? {}, req.volumeCapability.mount?.mountFlags ?? [], !!req.readonly);
    return this.locks.with(`${req.volumeId}${req.targetPath}`, async () => {
      await mkdir(req.targetPath, { recursive: true, mode: 0o750 });
      if (await this.opts.mounter.isMountPoint(req.targetPath)) return {};
      try {
        await this.opts.mounter.mount(src.source, req.targetPath, src.mountOptions);
      } catch (err) {
        const msg = (err as Error).message;
        throw new CsiError(/permission denied/i.test(msg) ? 'PERMISSION_DENIED' : /invalid argument/i.test(msg) ? 'INVALID_ARGUMENT' : 'INTERNAL', msg);
      }
      if (src.mountPermissions) await chmod(req.targetPath, src.mountPermissions).catch((err: unknown) => { throw new CsiError('INTERNAL', (err as Error).message); });
      log.info({ id: req.volumeId, target: req.targetPath, source: src.source }, 'volume published');
      return {};
    });
  }

  private async unpublish(req: NodeUnpublishVolumeRequest) {
    if (!req.volumeId) throw new CsiError('INVALID_ARGUMENT', 'Volume ID missing in request');
    if (!req.targetPath) throw new CsiError('INVALID_ARGUMENT', 'Target path missing in request');
    return this.locks.with(`${req.volumeId}${req.targetPath}`, async () => {
      try {
        if (await this.opts.mounter.isMountPoint(req.targetPath)) await this.opts.mounter.unmount(req.targetPath);
        await rmdir(req.targetPath).catch(() => undefined);
      } catch (err) {
        throw new CsiError('INTERNAL', `failed to unmount target "${req.targetPath}": ${(err as Error).message}`);
      }
      log.info({ id: req.volumeId, target: req.targetPath }, 'volume unpublished');
      return {};
    });
  }
}
