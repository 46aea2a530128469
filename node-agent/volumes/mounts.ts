// Mounting what memory-backed volumes need (tmpfs), through the injected exec; finding and
// unmounting mount points is lib/mounts.ts'.
import { execOk, type Exec } from '../../lib/exec.js';

export { isMountPoint, mountPointsUnder, unmount } from '../../lib/mounts.js';

/** Mounts a tmpfs on `dir` (size in bytes; 0 = tmpfs default). */
export async function mountTmpfs(exec: Exec, dir: string, sizeBytes = 0): Promise<void> {
  const opts = ['mode=0755', ...(sizeBytes > 0 ? [`size=${sizeBytes}`] : [])].join(',');
  await execOk(exec, 'mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir]);
}
