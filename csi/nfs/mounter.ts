// How the NFS driver mounts: `mount -t nfs` through an Exec, with csi-driver-nfs' 90 s limit. The
// driver takes a Mounter so that tests on hosts without an NFS client can put a bind mount in
// its place (test/e2e/fake-nfs-mounter.ts); nothing else differs between the two.
import { execOk, ExecError, type Exec } from '../../lib/exec.js';
import { isMountPoint, unmount } from '../../lib/mounts.js';

export interface Mounter {
  /** Mounts `source` (`server:/path`) on the existing directory `target`. */
  mount(source: string, target: string, options: readonly string[]): Promise<void>;
  unmount(target: string): Promise<void>;
  isMountPoint(target: string): Promise<boolean>;
}

export const NFS_MOUNT_TIMEOUT_MS = 90_000;

export class NfsMounter implements Mounter {
  constructor(private readonly exec: Exec, private readonly timeoutMs = NFS_MOUNT_TIMEOUT_MS) {}

  async mount(source: string, target: string, options: readonly string[]): Promise<void> {
    const args = ['-t', 'nfs', ...(options.length ? ['-o', options.join(',')] : []), source, target];
    try {
      await execOk(this.exec, 'mount', args, { timeoutMs: this.timeoutMs });
    } catch (err) {
      // What mount(8) said is what the user needs in the pod's FailedMount event.
      if (err instanceof ExecError) {
        const said = (err.result.stderr || err.result.stdout).trim();
        throw new Error(`mount failed: exit status ${err.result.code}\nMounting command: mount\nMounting arguments: ${args.join(' ')}\nOutput: ${said}`);
      }
      throw err;
    }
  }

  unmount(target: string): Promise<void> {
    return unmount(this.exec, target);
  }

  isMountPoint(target: string): Promise<boolean> {
    return isMountPoint(target);
  }
}
