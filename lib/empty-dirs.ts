// Host-wide directories that a run creates (libcni's cache, containerd's shim socket dir, the
// network namespace dir) and that should go again once nothing but empty directories is left.
import { existsSync } from 'node:fs';
import { readdir, realpath, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { hostExec, type Exec } from './exec.js';
import { mountPointsUnder, unmount } from './mounts.js';

/** True when `dir` holds nothing but (nested) empty directories. */
export async function isEmptyTree(dir: string): Promise<boolean> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (!e.isDirectory() || !(await isEmptyTree(join(dir, e.name)))) return false;
  }
  return true;
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
    for (const m of await mountPointsUnder([real])) await unmount(exec, m);
    await rm(real, { recursive: true });
    removed.push(d);
  }
  return removed;
}
