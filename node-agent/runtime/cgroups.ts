// Where pods live in the cgroup tree: kubelet's kubepods hierarchy (Guaranteed pods directly
// under kubepods, the others under kubepods/burstable or kubepods/besteffort), placed under our
// own root so k8ts never mixes with another kubelet's pods. Names follow the driver: paths for
// cgroupfs, nested slice names for systemd.
import { readFile, readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { hostExec, type Exec } from '../../lib/exec.js';
import type { CgroupDriver } from '../containerd/index.js';
import type { QOSClass } from '../../lib/pod-qos.js';

/** systemd unit names use '-' for nesting, so a pod UID's dashes become underscores. */
function systemdEscape(part: string): string {
  return part.replace(/-/g, '_');
}

/** The name parts below the root: kubepods[/qos]/pod<uid>. */
function podParts(qos: QOSClass, uid: string): string[] {
  const parts = ['kubepods'];
  if (qos === 'Burstable') parts.push('burstable');
  if (qos === 'BestEffort') parts.push('besteffort');
  parts.push(`pod${uid}`);
  return parts;
}

/** The root as systemd slice prefix parts ('k8ts.slice' -> ['k8ts'], 'a-b.slice' -> ['a','b']). */
function slicePrefix(root: string): string[] {
  const name = root.replace(/^\//, '').replace(/\.slice$/, '');
  return name === '' || name === '-' ? [] : name.split('-');
}

/** The pod's cgroup parent as CRI's linux.cgroup_parent wants it for this driver. */
export function podCgroupParent(driver: CgroupDriver, root: string, qos: QOSClass, uid: string): string {
  const parts = podParts(qos, uid);
  if (driver === 'systemd') return [...slicePrefix(root), ...parts.map(systemdEscape)].join('-') + '.slice';
  return join('/', root, ...parts);
}

/** The directory a cgroupfs parent (or systemd slice) maps to below a hierarchy's mount point. */
export function cgroupRelativePath(driver: CgroupDriver, parent: string): string {
  if (driver === 'cgroupfs') return parent;
  // "a-b-c.slice" lives at /a.slice/a-b.slice/a-b-c.slice.
  const parts = parent.replace(/\.slice$/, '').split('-');
  return '/' + parts.map((_, i) => parts.slice(0, i + 1).join('-') + '.slice').join('/');
}

/** The top of our tree (the root's kubepods) in driver form, for cleanup. */
export function kubepodsParent(driver: CgroupDriver, root: string): string {
  if (driver === 'systemd') return [...slicePrefix(root), 'kubepods'].join('-') + '.slice';
  return join('/', root, 'kubepods');
}

/** Mount points of every cgroup hierarchy (v1: one per controller set; v2: one). */
export async function cgroupMounts(): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post || !/^cgroup2? /.test(post)) continue;
    const mp = pre.split(' ')[4];
    if (mp) out.add(mp);
  }
  return [...out];
}

async function removeTree(dir: string): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (e.isDirectory()) await removeTree(join(dir, e.name));
  }
  await rmdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

/**
 * Removes a cgroup tree (a pod's, once its containers are gone, or the whole of ours at
 * killall) in every hierarchy. Busy cgroups (EBUSY: processes left) make it throw.
 */
export async function removeCgroup(driver: CgroupDriver, parent: string, exec: Exec = hostExec): Promise<void> {
  if (driver === 'systemd') await exec('systemctl', ['stop', parent]);
  const rel = cgroupRelativePath(driver, parent);
  for (const m of await cgroupMounts()) await removeTree(join(m, rel));
}

/** Every process under a cgroup tree, in any hierarchy. */
export async function processesUnder(driver: CgroupDriver, parent: string): Promise<number[]> {
  const rel = cgroupRelativePath(driver, parent);
  const pids = new Set<number>();
  const walk = async (dir: string): Promise<void> => {
    for (const p of (await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '')).split('\n')) if (p) pids.add(Number(p));
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) if (e.isDirectory()) await walk(join(dir, e.name));
  };
  for (const m of await cgroupMounts()) await walk(join(m, rel));
  return [...pids];
}
