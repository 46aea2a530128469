// kubelet's plugin watcher for CSI: sockets appearing in plugins_registry are asked GetInfo
// (pluginregistration v1, what node-driver-registrar serves); a CSI plugin of a 1.x version gets
// a client to its endpoint, NodeGetInfo, its CSINode entry, and NotifyRegistrationStatus(true);
// any failure is sent back as NotifyRegistrationStatus(false, why) and retried on the next scan.
// A socket that goes deregisters its driver. fs.watch wakes the scan; a periodic scan catches
// what inotify missed.
import { watch, type FSWatcher } from 'node:fs';
import { lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { logger } from '../../lib/log.js';
import { CsiClient, RegistrationClient } from '../../csi/client.js';
import { socketPath } from '../../csi/grpc-services.js';
import type { PluginInfo } from '../../csi/types.js';
import type { CsiNodeDriver } from './csi-resources.js';
import type { CsiDrivers } from './drivers.js';

const log = logger('plugin-watcher');

export interface DriverRecorder {
  /** Adds the driver to CSINode (and the Node annotation), or removes it when `driver` is undefined. */
  update(name: string, driver: CsiNodeDriver | undefined, topology?: Record<string, string>): Promise<void>;
}

/** Why kubelet's CSI handler refuses a plugin, or undefined when it accepts it. */
export function refusal(info: PluginInfo): string | undefined {
  if (info.type !== 'CSIPlugin') return `no handler registered for plugin type: ${info.type}`;
  if (!info.name) return 'plugin name is empty';
  if (!info.supportedVersions.some((v) => /^v?1(\.|$)/.test(v))) {
    return `/${info.name}: none of the versions specified [${info.supportedVersions.join(' ')}] are supported by this node (1.x)`;
  }
  return undefined;
}

export class PluginWatcher {
  private watcher?: FSWatcher;
  private wake?: () => void;
  private readonly failed = new Map<string, number>();

  constructor(
    private readonly dir: string,
    private readonly drivers: CsiDrivers,
    private readonly recorder: DriverRecorder,
    private readonly rescanMs = 5000,
  ) {}

  async run(signal: AbortSignal): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o750 });
    // An event that arrives while a scan runs must not be lost: it marks the registry dirty.
    let dirty = false;
    try {
      this.watcher = watch(this.dir, () => {
        dirty = true;
        this.wake?.();
      });
    } catch (err) {
      log.warn({ dir: this.dir, err: (err as Error).message }, 'cannot watch the plugin registry; scanning only');
    }
    while (!signal.aborted) {
      dirty = false;
      await this.scan().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'plugin registry scan failed'));
      if (dirty || signal.aborted) continue;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          this.wake = undefined;
          signal.removeEventListener('abort', done);
          resolve();
        };
        const t = setTimeout(done, this.rescanMs);
        this.wake = done;
        signal.addEventListener('abort', done, { once: true });
      });
      // Coalesce a burst of inotify events (a socket is created, then bound).
      if (!signal.aborted) await sleep(20);
    }
    this.watcher?.close();
  }

  /** Registers new sockets and deregisters the drivers of sockets that are gone. */
  async scan(): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const sockets: string[] = [];
    for (const n of names) {
      if (n.startsWith('.')) continue;
      const p = join(this.dir, n);
      if ((await lstat(p).catch(() => undefined))?.isSocket()) sockets.push(p);
    }
    for (const gone of this.drivers.sockets().filter((s) => !sockets.includes(s))) await this.deregister(gone);
    for (const s of sockets) if (!this.drivers.sockets().includes(s)) await this.register(s);
  }

  private async register(socket: string): Promise<void> {
    const reg = new RegistrationClient(socket);
    let info: PluginInfo | undefined;
    let client: CsiClient | undefined;
    try {
      info = await reg.getInfo();
      const why = refusal(info);
      if (why) throw new Error(why);
      const endpoint = info.endpoint ? socketPath(info.endpoint) : socket;
      client = new CsiClient(endpoint);
      const nodeInfo = await client.nodeGetInfo();
      if (!nodeInfo.nodeId) throw new Error(`driver ${info.name} reported an empty node ID`);
      const nodeCapabilities = await client.nodeCapabilities();
      const topology = nodeInfo.accessibleTopology?.segments ?? {};
      const keys = Object.keys(topology);
      await this.recorder.update(info.name, {
        name: info.name, nodeID: nodeInfo.nodeId, topologyKeys: keys.length ? keys : null,
        ...(nodeInfo.maxVolumesPerNode ? { allocatable: { count: nodeInfo.maxVolumesPerNode } } : {}),
      }, topology);
      this.drivers.set({ name: info.name, endpoint, nodeId: nodeInfo.nodeId, client, nodeCapabilities, registrationSocket: socket });
      client = undefined;
      this.failed.delete(socket);
      log.info({ driver: info.name, endpoint, nodeId: nodeInfo.nodeId }, 'CSI driver registered');
      await reg.notifyRegistrationStatus(true).catch(() => undefined);
    } catch (err) {
      const msg = (err as Error).message;
      const n = (this.failed.get(socket) ?? 0) + 1;
      this.failed.set(socket, n);
      if (n === 1 || n % 12 === 0) log.warn({ socket, driver: info?.name, err: msg }, 'plugin registration failed');
      client?.close();
      await reg.notifyRegistrationStatus(false, `RegisterPlugin error -- plugin registration failed with err: ${msg}`).catch(() => undefined);
    } finally {
      reg.close();
    }
  }

  private async deregister(socket: string): Promise<void> {
    const d = this.drivers.removeBySocket(socket);
    if (!d) return;
    log.info({ driver: d.name }, 'CSI driver deregistered: its registration socket is gone');
    await this.recorder.update(d.name, undefined).catch((err: unknown) => log.warn({ driver: d.name, err: (err as Error).message }, 'could not remove the driver from CSINode'));
  }
}
