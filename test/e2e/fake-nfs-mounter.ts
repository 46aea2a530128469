// A fake of the NFS mount, for hosts without an NFS client: `server:/path` is bind-mounted from
// `<exportsRoot>/<server>/<path>`. Everything else of the NFS driver (its CSI services, its
// directory management, the agent's and the provisioner's calls) runs for real around it.
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execOk, hostExec } from '../../lib/exec.js';
import { isMountPoint, unmount } from '../../lib/mounts.js';
import type { Mounter } from '../../csi/nfs/mounter.js';

export class FakeNfsMounter implements Mounter {
  readonly mounts: Array<{ source: string; target: string; options: readonly string[] }> = [];

  constructor(private readonly exportsRoot: string) {}

  /** Where `server:/path` lives on this host. */
  exportPath(server: string, path: string): string {
    return join(this.exportsRoot, server, path);
  }

  async mount(source: string, target: string, options: readonly string[]): Promise<void> {
    const i = source.indexOf(':');
    const from = this.exportPath(source.slice(0, i), source.slice(i + 1));
    // A real server refuses a path it does not export; so does the fake.
    if (!(await stat(from).then(() => true, () => false))) {
      throw new Error(`mount.nfs: mounting ${source} failed, reason given by server: No such file or directory`);
    }
    await mkdir(target, { recursive: true });
    await execOk(hostExec, 'mount', ['--bind', ...(options.includes('ro') ? ['-o', 'ro'] : []), from, target]);
    this.mounts.push({ source, target, options });
  }

  unmount(target: string): Promise<void> {
    return unmount(hostExec, target);
  }

  isMountPoint(target: string): Promise<boolean> {
    return isMountPoint(target);
  }
}

/** The NFS driver's name when it runs under the fake mounter beside the built-in one. */
export const FAKE_NFS = 'nfs-fake.test.k8ts.io';

/** A class of the fake driver (templated subDir, archive on delete, expansion, mount options) and a ReadWriteMany claim `shared` of it. */
export const fakeNfsClassAndClaim = `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fake-nfs}
provisioner: ${FAKE_NFS}
parameters: {server: nfs.test, share: /export, subDir: '\${pvc.metadata.namespace}-\${pvc.metadata.name}', onDelete: archive, mountPermissions: '0770'}
reclaimPolicy: Delete
allowVolumeExpansion: true
mountOptions: [nfsvers=4.1]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: shared
spec: {accessModes: [ReadWriteMany], resources: {requests: {storage: 1Gi}}, storageClassName: fake-nfs}
`;
