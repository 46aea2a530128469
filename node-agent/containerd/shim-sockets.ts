// containerd 1.6's shims listen on sockets under /run/containerd/s, whatever containerd's own
// state dir is, and remove them only when they shut down cleanly. A shim that is killed (as
// killall must when containerd is gone) leaves its socket behind: these find them by process.
import { readFile, readdir, readlink } from 'node:fs/promises';

/** Where containerd 1.6 puts every shim's socket (its compiled-in state dir). */
export const SHIM_SOCKET_DIR = '/run/containerd/s';

/** Unix socket inode -> bound path, from /proc/net/unix's table (unnamed sockets skipped). */
export function parseProcNetUnix(text: string): Map<string, string> {
  const byInode = new Map<string, string>();
  for (const line of text.split('\n').slice(1)) {
    // Num RefCount Protocol Flags Type St Inode Path
    const f = line.trim().split(/\s+/);
    const inode = f[6];
    const path = f[7];
    if (inode && path && path.startsWith('/')) byInode.set(inode, path);
  }
  return byInode;
}

/** Paths of the unix sockets `pids` hold open under `dir` (read before killing them). */
export async function socketsHeldUnder(pids: readonly number[], dir: string = SHIM_SOCKET_DIR): Promise<string[]> {
  const byInode = parseProcNetUnix(await readFile('/proc/net/unix', 'utf8').catch(() => ''));
  const found = new Set<string>();
  for (const pid of pids) {
    for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [] as string[])) {
      const inode = /^socket:\[(\d+)\]$/.exec(await readlink(`/proc/${pid}/fd/${fd}`).catch(() => ''))?.[1];
      const path = inode && byInode.get(inode);
      if (path && path.startsWith(dir + '/')) found.add(path);
    }
  }
  return [...found];
}
