// Facts about the host that decide containerd's config. Parsers are pure (unit-tested);
// `detectHost` does the reading.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostExec, type Exec } from '../../lib/exec.js';
import { logger } from '../../lib/log.js';

const log = logger('containerd-host');

export type CgroupVersion = 1 | 2;
export type CgroupDriver = 'cgroupfs' | 'systemd';

export interface HostFacts {
  cgroupVersion: CgroupVersion;
  /** The kubelet must build cgroup parents for the same driver. */
  cgroupDriver: CgroupDriver;
  /** False without CAP_SYS_RESOURCE (e.g. in some VMs and containers): CRI must then clamp oom_score_adj. */
  canLowerOomScoreAdj: boolean;
  apparmorEnabled: boolean;
  overlaySupported: boolean;
  /** First of the candidate dirs that holds the `bridge` plugin, or undefined. */
  cniBinDir: string | undefined;
}

/** CAP_SYS_RESOURCE: needed to lower oom_score_adj below the process's own. */
export const CAP_SYS_RESOURCE = 24;

/** Default CNI plugin dirs in order: upstream's, then Debian/Ubuntu's package path. */
export const CNI_BIN_CANDIDATES = ['/opt/cni/bin', '/usr/lib/cni'] as const;

/** cgroup v2 when /sys/fs/cgroup itself is a cgroup2 mount (hybrid setups count as v1). */
export function cgroupVersionFromMountinfo(mountinfo: string): CgroupVersion {
  for (const line of mountinfo.split('\n')) {
    // "<id> <parent> <maj:min> <root> <mountpoint> <opts> [optional...] - <fstype> <source> <superopts>"
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    if (pre.split(' ')[4] === '/sys/fs/cgroup' && post.split(' ')[0] === 'cgroup2') return 2;
  }
  return 1;
}

/**
 * systemd driver only where systemd manages cgroup v2 (as k3s and kubeadm default);
 * cgroupfs everywhere else, including v1 hosts and hosts without systemd.
 */
export function chooseCgroupDriver(version: CgroupVersion, systemdRunning: boolean): CgroupDriver {
  return version === 2 && systemdRunning ? 'systemd' : 'cgroupfs';
}

/** Whether capability `bit` is in the `CapEff:` mask of a /proc/<pid>/status text. */
export function hasEffectiveCapability(procStatus: string, bit: number): boolean {
  const m = /^CapEff:\s*([0-9a-fA-F]+)\s*$/m.exec(procStatus);
  if (!m?.[1]) return false;
  return ((BigInt('0x' + m[1]) >> BigInt(bit)) & 1n) === 1n;
}

/** /sys/module/apparmor/parameters/enabled reads "Y" when AppArmor is active. */
export function apparmorEnabledFrom(paramText: string | undefined): boolean {
  return paramText?.trim().startsWith('Y') ?? false;
}

/** Whether /proc/filesystems lists overlay. */
export function overlayInFilesystems(filesystems: string): boolean {
  return filesystems.split('\n').some((l) => l.trim().split(/\s+/).pop() === 'overlay');
}

function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The real test for oom_score_adj: a child shell tries to lower its own value by one.
 * CapEff alone can lie (user namespaces, LSMs), so both must agree.
 */
export async function probeCanLowerOomScoreAdj(exec: Exec = hostExec): Promise<boolean> {
  const status = readOr('/proc/self/status') ?? '';
  if (!hasEffectiveCapability(status, CAP_SYS_RESOURCE)) return false;
  const current = Number((readOr('/proc/self/oom_score_adj') ?? '0').trim());
  if (current <= -1000) return true; // already at the floor: nothing to clamp
  const r = await exec('/bin/sh', ['-c', `echo ${current - 1} > /proc/self/oom_score_adj`]).catch(() => undefined);
  return r?.code === 0;
}

export function findCniBinDir(candidates: readonly string[] = CNI_BIN_CANDIDATES): string | undefined {
  return candidates.find((d) => existsSync(join(d, 'bridge')));
}

export async function detectHost(exec: Exec = hostExec): Promise<HostFacts> {
  const cgroupVersion = cgroupVersionFromMountinfo(readOr('/proc/self/mountinfo') ?? '');
  const facts: HostFacts = {
    cgroupVersion,
    cgroupDriver: chooseCgroupDriver(cgroupVersion, existsSync('/run/systemd/system')),
    canLowerOomScoreAdj: await probeCanLowerOomScoreAdj(exec),
    apparmorEnabled: apparmorEnabledFrom(readOr('/sys/module/apparmor/parameters/enabled')),
    overlaySupported: overlayInFilesystems(readOr('/proc/filesystems') ?? ''),
    cniBinDir: findCniBinDir(),
  };
  log.info(facts, 'host detected');
  return facts;
}
