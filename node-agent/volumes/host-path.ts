// hostPath volumes: the path as it is on the node, after kubelet's type check (and creation for
// DirectoryOrCreate / FileOrCreate).
import { lstat, mkdir, open, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { VolumeError } from './sources.js';

function failed(path: string, what: string): VolumeError {
  return new VolumeError(`hostPath type check failed: ${path} is not ${what}`);
}

async function statOf(path: string): Promise<Stats | undefined> {
  return stat(path).catch(() => undefined);
}

export async function checkHostPath(path: string, type: string | undefined): Promise<void> {
  switch (type ?? '') {
    case '':
      return;
    case 'DirectoryOrCreate': {
      const st = await statOf(path);
      if (!st) await mkdir(path, { recursive: true, mode: 0o755 });
      else if (!st.isDirectory()) throw failed(path, 'a directory');
      return;
    }
    case 'FileOrCreate': {
      const st = await statOf(path);
      if (!st) {
        // The parent must exist, as kubelet requires.
        if (!(await statOf(path.slice(0, path.lastIndexOf('/')) || '/'))) throw new VolumeError(`hostPath type check failed: parent directory of ${path} does not exist`);
        await (await open(path, 'a', 0o644)).close();
      } else if (!st.isFile()) throw failed(path, 'a file');
      return;
    }
    case 'Directory':
      if (!(await statOf(path))?.isDirectory()) throw failed(path, 'a directory');
      return;
    case 'File':
      if (!(await statOf(path))?.isFile()) throw failed(path, 'a file');
      return;
    case 'Socket':
      if (!(await statOf(path))?.isSocket()) throw failed(path, 'a socket file');
      return;
    case 'CharDevice':
      if (!(await statOf(path))?.isCharacterDevice()) throw failed(path, 'a character device');
      return;
    case 'BlockDevice':
      if (!(await statOf(path))?.isBlockDevice()) throw failed(path, 'a block device');
      return;
    default:
      // Validation keeps other values out; a symlink check is the closest kubelet has.
      await lstat(path);
  }
}
