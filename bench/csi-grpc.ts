// What a CSI volume costs the agent besides the mount itself: NodePublishVolume +
// NodeUnpublishVolume round trips through the driver's unix socket (the NFS driver, its mounts a
// no-op fake so only the CSI machinery is timed), against Identity.Probe on the same socket as
// the floor (an empty gRPC round trip). Also: the plugin watcher's time from a registration
// socket appearing to the driver being registered (GetInfo, NodeGetInfo, capabilities) with a
// recorder that writes nothing.
//
//   node dist/bench/csi-grpc.js [--calls 2000]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { CsiClient } from '../csi/client.js';
import { services } from '../csi/grpc-services.js';
import { NfsDriver } from '../csi/nfs/driver.js';
import type { Mounter } from '../csi/nfs/mounter.js';
import { startRegistrar } from '../csi/registrar.js';
import { serveUnix } from '../csi/serve.js';
import { CsiDrivers } from '../node-agent/csi/drivers.js';
import { PluginWatcher } from '../node-agent/csi/plugin-watcher.js';
import { formatStatsTable, stats } from './cri-floor.js';
import { setLogLevel } from '../lib/log.js';
import { runIfMain } from './lib/run-main.js';

/** Fake of the NFS mount that mounts nothing: the CSI machinery alone is timed. */
class NoMounter implements Mounter {
  private readonly mounted = new Set<string>();
  async mount(_s: string, target: string): Promise<void> { this.mounted.add(target); }
  async unmount(target: string): Promise<void> { this.mounted.delete(target); }
  async isMountPoint(target: string): Promise<boolean> { return this.mounted.has(target); }
}

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  const v = i > 0 ? Number(process.argv[i + 1]) : dflt;
  return Number.isFinite(v) && v > 0 ? v : dflt;
}

async function main(): Promise<void> {
  setLogLevel('warn');
  const calls = arg('--calls', 2000);
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-csi-bench-'));
  const driver = new NfsDriver({ nodeId: 'n', workingMountDir: join(dir, 'work'), mounter: new NoMounter() });
  const server = await serveUnix(`unix://${dir}/csi.sock`, driver.services(), 'bench');
  const client = new CsiClient(`unix://${dir}/csi.sock`);
  const Probe = grpc.makeGenericClientConstructor(services().csi.Identity, '');
  const raw = new Probe(`unix://${dir}/csi.sock`, grpc.credentials.createInsecure()) as unknown as { Probe(req: object, cb: (e: unknown) => void): void; close(): void };
  const probe = () => new Promise<void>((res, rej) => raw.Probe({}, (e) => (e ? rej(e) : res())));
  const cap = { mount: { mountFlags: ['nfsvers=4.1'] }, accessMode: { mode: 'MULTI_NODE_MULTI_WRITER' as const } };
  try {
    for (let i = 0; i < 200; i++) { await probe(); await client.nodeGetInfo(); }
    const floor: number[] = [];
    const pub: number[] = [];
    for (let i = 0; i < calls; i++) {
      let t = performance.now();
      await probe();
      floor.push(performance.now() - t);
      const target = join(dir, 'pods', String(i), 'mount');
      t = performance.now();
      await client.nodePublishVolume({ volumeId: `s#x#v${i}#`, targetPath: target, volumeCapability: cap, volumeContext: { server: 's', share: '/x', subDir: `v${i}` } });
      await client.nodeUnpublishVolume({ volumeId: `s#x#v${i}#`, targetPath: target });
      pub.push(performance.now() - t);
    }
    // Registration: socket appears → registered.
    const reg: number[] = [];
    for (let i = 0; i < 20; i++) {
      const drivers = new CsiDrivers();
      const registry = join(dir, `registry-${i}`);
      const watcher = new PluginWatcher(registry, drivers, { update: async () => undefined }, 60_000);
      const stop = new AbortController();
      const running = watcher.run(stop.signal);
      await new Promise((r) => setTimeout(r, 50));
      const t = performance.now();
      const registrar = await startRegistrar({ registryDir: registry, driver: 'nfs.csi.k8s.io', driverSocket: join(dir, 'csi.sock') });
      while (!drivers.has('nfs.csi.k8s.io')) await new Promise((r) => setTimeout(r, 1));
      reg.push(performance.now() - t);
      stop.abort();
      await running;
      drivers.closeAll();
      await registrar.stop();
    }
    const f = (s: ReturnType<typeof stats>) => ({ ...s, min: +s.min.toFixed(3), p50: +s.p50.toFixed(3), p90: +s.p90.toFixed(3), p99: +s.p99.toFixed(3), max: +s.max.toFixed(3), mean: +s.mean.toFixed(3) });
    console.log(`# CSI over gRPC on a unix socket (ms), ${calls} calls, Node ${process.version}\n`);
    console.log(formatStatsTable({
      'floor: Identity.Probe round trip': f(stats(floor)),
      'NodePublish + NodeUnpublish (no mount)': f(stats(pub)),
      'registration: socket -> registered': f(stats(reg)),
    }));
  } finally {
    raw.close();
    client.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, main);
