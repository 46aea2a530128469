// Host-wide directories that a run creates (libcni's cache, containerd's shim socket dir) and that
// should go again once nothing but empty directories is left in them.
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** True when `dir` holds nothing but (nested) empty directories. */
export async function isEmptyTree(dir: string): Promise<boolean> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (!e.isDirectory() || !(await isEmptyTree(join(dir, e.name)))) return false;
  }
  return true;
}

/** Removes each of `dirs` that exists and is an empty tree; returns the ones removed. */
export async function removeEmptyTrees(dirs: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const d of dirs) {
    if (existsSync(d) && (await isEmptyTree(d))) {
      await rm(d, { recursive: true });
      removed.push(d);
    }
  }
  return removed;
}
