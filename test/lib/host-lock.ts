// One test at a time on the real runtime: tests that run containerd, CNI and iptables on the host
// take this lock first. Their host-wide before/after checks (links, chains, cgroups) and the 2
// vCPUs they share only make sense one at a time. The lock is a file holding the owner's PID;
// a dead owner's lock is taken over.
import { existsSync } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

const LOCK_FILE = '/run/k8ts-runtime-e2e.lock';

function alive(pid: number): boolean {
  return pid > 0 && existsSync(`/proc/${pid}`);
}

/** Waits for the lock (up to `timeoutMs`); resolves with its release. */
export async function acquireHostLock(timeoutMs = 30 * 60_000, signal?: AbortSignal): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const fh = await open(LOCK_FILE, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        if ((await readFile(LOCK_FILE, 'utf8').catch(() => '')).trim() === String(process.pid)) await rm(LOCK_FILE, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number((await readFile(LOCK_FILE, 'utf8').catch(() => '')).trim());
    if (owner === process.pid) throw new Error('host lock already held by this process');
    if (!alive(owner)) {
      await rm(LOCK_FILE, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`runtime tests: ${LOCK_FILE} held by pid ${owner} for too long`);
    await sleep(500);
  }
}
