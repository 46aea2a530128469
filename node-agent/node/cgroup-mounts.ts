// `ip netns exec NS k8ts agent ...` (how several nodes share one machine) gives the agent its own
// mount namespace and a fresh sysfs for the network namespace, which hides /sys/fs/cgroup: runc
// then finds no cgroup mounts and no pod starts. The agent (and killall) mount the cgroup
// hierarchies again, in their own mount namespace only, as the host has them.
import { readFileSync, readlinkSync } from 'node:fs';
import { hostExec, execOk, type Exec } from '../../lib/exec.js';
import { logger } from '../../lib/log.js';

const log = logger('cgroup-mounts');

export const CGROUP_MOUNT_POINT = '/sys/fs/cgroup';

/** One step to run: a mount, or a symlink for a co-mounted controller (cpu -> cpu,cpuacct). */
export type CgroupMountStep =
  | { kind: 'mount'; fstype: 'tmpfs' | 'cgroup' | 'cgroup2'; options: string; target: string }
  | { kind: 'symlink'; target: string; path: string };

/** Whether a /proc/self/mountinfo text has any cgroup (v1 or v2) mount. */
export function hasCgroupMounts(mountinfo: string): boolean {
  return mountinfo.split('\n').some((line) => {
    const post = line.split(' - ')[1];
    const fstype = post?.split(' ')[0];
    return fstype === 'cgroup' || fstype === 'cgroup2';
  });
}

/**
 * The mounts that recreate the hierarchies a /proc/self/cgroup text lists: "0::" alone is a
 * unified (v2) host, mounted at /sys/fs/cgroup; otherwise a tmpfs there with one dir per v1
 * hierarchy (named by its controllers, as systemd does), and a v2 "0::" goes to unified/.
 * Mounting a v1 hierarchy by the same controllers attaches the existing one, not a new one.
 */
export function planCgroupMounts(procSelfCgroup: string, root = CGROUP_MOUNT_POINT): CgroupMountStep[] {
  const lines = procSelfCgroup.split('\n').map((l) => l.trim()).filter(Boolean);
  const v1 = lines.map((l) => l.split(':')[1] ?? '').filter((controllers) => controllers !== '');
  const hasV2 = lines.some((l) => /^0::/.test(l));
  if (!v1.length) return hasV2 ? [{ kind: 'mount', fstype: 'cgroup2', options: 'rw,nosuid,nodev,noexec', target: root }] : [];
  const steps: CgroupMountStep[] = [{ kind: 'mount', fstype: 'tmpfs', options: 'mode=755', target: root }];
  for (const controllers of v1) {
    const named = controllers.startsWith('name=');
    const dir = named ? controllers.slice('name='.length) : controllers;
    steps.push({ kind: 'mount', fstype: 'cgroup', options: named ? `none,${controllers}` : controllers, target: `${root}/${dir}` });
    const parts = named ? [] : controllers.split(',');
    if (parts.length > 1) for (const p of parts) steps.push({ kind: 'symlink', target: dir, path: `${root}/${p}` });
  }
  if (hasV2) steps.push({ kind: 'mount', fstype: 'cgroup2', options: 'rw,nosuid,nodev,noexec', target: `${root}/unified` });
  return steps;
}

/** The source of the /sys mount: `ip netns exec NS` mounts a sysfs named NS there. */
export function sysfsSource(mountinfo: string): string | undefined {
  for (const line of mountinfo.split('\n')) {
    const [pre, post] = line.split(' - ');
    if (pre?.split(' ')[4] === '/sys') return post?.split(' ')[1];
  }
  return undefined;
}

/**
 * Whether this process has a mount namespace of its own (not the host's): by PID 1's namespace
 * when we may read it, else by the sysfs `ip netns exec` leaves (named after the netns).
 */
function inOwnMountNamespace(mountinfo: string): boolean {
  try {
    return readlinkSync('/proc/self/ns/mnt') !== readlinkSync('/proc/1/ns/mnt');
  } catch {
    const source = sysfsSource(mountinfo);
    return source !== undefined && source !== 'sysfs';
  }
}

/**
 * Mounts the cgroup hierarchies when this process's mount namespace has none. Never in the
 * host's own mount namespace: there a missing /sys/fs/cgroup is the host's business.
 * Resolves with whether it mounted anything.
 */
export async function restoreCgroupMounts(exec: Exec = hostExec): Promise<boolean> {
  const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  if (hasCgroupMounts(mountinfo)) return false;
  if (!inOwnMountNamespace(mountinfo)) {
    log.warn('no cgroup mounts in the host mount namespace: pods will not start until the host mounts /sys/fs/cgroup');
    return false;
  }
  const steps = planCgroupMounts(readFileSync('/proc/self/cgroup', 'utf8'));
  for (const s of steps) {
    if (s.kind === 'symlink') {
      await execOk(exec, 'ln', ['-sfn', s.target, s.path]);
      continue;
    }
    await execOk(exec, 'mkdir', ['-p', s.target]);
    await execOk(exec, 'mount', ['-t', s.fstype, '-o', s.options, s.fstype === 'tmpfs' ? 'tmpfs' : 'cgroup', s.target]);
  }
  log.info({ mounts: steps.filter((s) => s.kind === 'mount').map((s) => s.target) }, 'cgroup hierarchies mounted in this mount namespace (ip netns exec hid them)');
  return true;
}
