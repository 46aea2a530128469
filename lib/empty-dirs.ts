// Host-wide directories that a run creates (libcni's cache, containerd's shim socket dir, the
// network namespace dir) and that should go again once nothing but empty directories is left.
import { existsSync } from 'node:fs';
import { readFile, readdir, realpath, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { hostExec, type Exec } from './exec.js';

/** True when `dir` holds nothing but (nested) empty directories. */
export async function isEmptyTree(dir: string): Promise<boolean> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (!e.isDirectory() || !(await isEmptyTree(join(dir, e.name)))) return false;
  }
  return true;
}

/** Mount points at or below `dir` (from /proc/self/mountinfo), deepest first. */
async function mountsAtOrBelow(dir: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const points = info.split('\n').map((l) => l.split(' ')[4] ?? '').filter((p) => p === dir || p.startsWith(dir + '/'));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/**
 * Removes each of `dirs` that exists and is an empty tree; returns the ones removed. An empty
 * directory mounted on itself (`ip netns` makes /run/netns one) is unmounted first.
 */
export async function removeEmptyTrees(dirs: readonly string[], exec: Exec = hostExec): Promise<string[]> {
  const removed: string[] = [];
  for (const d of dirs) {
    if (!existsSync(d) || !(await isEmptyTree(d))) continue;
    // Mount points are listed by real path (/var/run/netns is /run/netns).
    const real = await realpath(d);
    for (const m of await mountsAtOrBelow(real)) await exec('umount', [m]);
    await rm(real, { recursive: true });
    removed.push(d);
  }
  return removed;
}
