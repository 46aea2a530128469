// Facts about this machine that the Node reports: CPUs, memory, the data dir's filesystem,
// kernel, OS image, IDs and addresses, and the pressure signals. Parsers are pure; `readHostInfo`
// does the reading.
import { cpus, hostname, networkInterfaces, release } from 'node:os';
import { readFile, statfs } from 'node:fs/promises';
import { defaultRouteIPv4 } from '../../lib/default-route.js';

export interface HostInfo {
  cpus: number;
  /** Bytes. */
  memoryTotal: number;
  memoryAvailable: number;
  /** Bytes of the filesystem holding the data dir. */
  diskTotal: number;
  diskAvailable: number;
  pidMax: number;
  pidsInUse: number;
  kernelVersion: string;
  osImage: string;
  architecture: string;
  machineID: string;
  systemUUID: string;
  bootID: string;
  hostname: string;
  internalIP: string;
}

/** `/proc/meminfo` field in bytes (its values are in kB). */
export function meminfoBytes(text: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
  return m ? Number(m[1]) * 1024 : 0;
}

/** PRETTY_NAME of /etc/os-release, as kubelet reports osImage. */
export function osImageFrom(osRelease: string): string {
  const m = /^PRETTY_NAME=(.*)$/m.exec(osRelease);
  if (!m) return 'Linux';
  return (m[1] ?? '').trim().replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');
}

/** Go's GOARCH names. */
export function goArch(nodeArch: string): string {
  return ({ x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } as Record<string, string>)[nodeArch] ?? nodeArch;
}

/** The default route interface's IPv4 address (as k3s picks the node IP), else the first
 *  non-internal IPv4 address (what kubelet picks without --node-ip). */
export function primaryIPv4(): string {
  const viaDefaultRoute = defaultRouteIPv4();
  if (viaDefaultRoute) return viaDefaultRoute;
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

async function read(path: string): Promise<string> {
  return readFile(path, 'utf8').catch(() => '');
}

async function countPids(): Promise<number> {
  const { readdir } = await import('node:fs/promises');
  return (await readdir('/proc').catch(() => [] as string[])).filter((d) => /^\d+$/.test(d)).length;
}

export async function readHostInfo(dataDir: string, nodeIP?: string): Promise<HostInfo> {
  const [meminfo, osRelease, machineId, productUuid, bootId, pidMax, fs, pids] = await Promise.all([
    read('/proc/meminfo'), read('/etc/os-release'), read('/etc/machine-id'), read('/sys/class/dmi/id/product_uuid'),
    read('/proc/sys/kernel/random/boot_id'), read('/proc/sys/kernel/pid_max'), statfs(dataDir), countPids(),
  ]);
  const machineID = machineId.trim();
  return {
    cpus: cpus().length,
    memoryTotal: meminfoBytes(meminfo, 'MemTotal'),
    memoryAvailable: meminfoBytes(meminfo, 'MemAvailable'),
    diskTotal: fs.blocks * fs.bsize,
    diskAvailable: fs.bavail * fs.bsize,
    pidMax: Number(pidMax.trim()) || 32768,
    pidsInUse: pids,
    kernelVersion: release(),
    osImage: osImageFrom(osRelease),
    architecture: goArch(process.arch),
    machineID,
    // No DMI in some VMs: the machine ID in UUID form stands in.
    systemUUID: productUuid.trim().toLowerCase() || machineID.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5'),
    bootID: bootId.trim(),
    hostname: hostname().toLowerCase(),
    internalIP: nodeIP ?? primaryIPv4(),
  };
}
