// Airgap images: every `<data>/agent/images/*.tar` (OCI or docker archive) is imported
// into the CRI namespace at start, as k3s does. Image names come from the archive's
// `org.opencontainers.image.ref.name` annotations (or docker's RepoTags).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execOk, hostExec, type Exec } from '../../lib/exec.js';
import { logger } from '../../lib/log.js';

const log = logger('containerd-images');

export interface ImportOptions {
  socket: string;
  dir: string;
  snapshotter: string;
  ctrBinary?: string;
  exec?: Exec;
}

export interface ImportedArchive {
  file: string;
  ms: number;
}

/** Imports each archive in `dir` (sorted by name); a missing dir imports nothing. */
export async function importImageArchives(opts: ImportOptions): Promise<ImportedArchive[]> {
  const exec = opts.exec ?? hostExec;
  const names = (await readdir(opts.dir).catch(() => [] as string[])).filter((n) => n.endsWith('.tar')).sort();
  const done: ImportedArchive[] = [];
  for (const name of names) {
    const file = join(opts.dir, name);
    const t0 = performance.now();
    // k8s.io is the namespace the CRI plugin serves.
    await execOk(exec, opts.ctrBinary ?? 'ctr', [
      '--address', opts.socket,
      '--namespace', 'k8s.io',
      'images', 'import',
      '--snapshotter', opts.snapshotter,
      file,
    ]);
    const ms = Math.round(performance.now() - t0);
    log.info({ file, ms }, 'imported image archive');
    done.push({ file, ms });
  }
  return done;
}
