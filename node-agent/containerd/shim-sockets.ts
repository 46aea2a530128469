// containerd 1.6's shims listen on sockets under /run/containerd/s, whatever containerd's own
// state dir is, and remove them only when they shut down cleanly. A shim that is killed (as
// killall must when containerd is gone) leaves its socket behind; a socket file that no live
// process has bound is such a leftover.
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Where containerd 1.6 puts every shim's socket (its compiled-in state dir). */
export const SHIM_SOCKET_DIR = '/run/containerd/s';

/** Paths of the unix sockets live processes have bound, from /proc/net/unix (unnamed skipped). */
export function boundSocketPaths(procNetUnix: string): Set<string> {
  const paths = new Set<string>();
  for (const line of procNetUnix.split('\n').slice(1)) {
    // Num RefCount Protocol Flags Type St Inode Path
    const path = line.trim().split(/\s+/)[7];
    if (path?.startsWith('/')) paths.add(path);
  }
  return paths;
}

/** Removes the socket files under `dir` that no live process has bound; returns them. */
export async function removeStaleSockets(dir: string = SHIM_SOCKET_DIR): Promise<string[]> {
  const bound = boundSocketPaths(await readFile('/proc/net/unix', 'utf8').catch(() => ''));
  const removed: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const path = join(dir, name);
    const st = await stat(path).catch(() => undefined);
    if (!st?.isSocket() || bound.has(path)) continue;
    await rm(path, { force: true });
    removed.push(path);
  }
  return removed;
}
