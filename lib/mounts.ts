// Finding mount points from /proc/self/mountinfo, and unmounting them: shared by the agent's
// volumes, killall and the host-wide directory cleanup.
import { readFile } from 'node:fs/promises';
import { execOk, type Exec } from './exec.js';

/** Mount points in mountinfo order, with \040-style escapes decoded. */
export function parseMountPoints(mountinfo: string): string[] {
  return mountinfo
    .split('\n')
    .map((l) => (l.split(' ')[4] ?? '').replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter(Boolean);
}

export async function mountPoints(): Promise<string[]> {
  return parseMountPoints(await readFile('/proc/self/mountinfo', 'utf8'));
}

/** Mount points at or below any of `roots`, deepest first (the order to unmount them in). */
export async function mountPointsUnder(roots: readonly string[]): Promise<string[]> {
  const all = await mountPoints();
  const under = all.filter((p) => roots.some((r) => p === r || p.startsWith(r.endsWith('/') ? r : r + '/')));
  return [...new Set(under)].sort((a, b) => b.length - a.length);
}

export async function isMountPoint(dir: string): Promise<boolean> {
  return (await mountPoints()).includes(dir);
}

/** Unmounts `dir`; a busy mount is detached lazily so teardown never hangs on it. */
export async function unmount(exec: Exec, dir: string): Promise<void> {
  const r = await exec('umount', [dir]);
  if (r.code === 0 || /not mounted|no mount point/.test(r.stderr)) return;
  await execOk(exec, 'umount', ['-l', dir]);
}
