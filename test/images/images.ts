// Builds the test images (see build-images.sh) and names what it built.
import { join } from 'node:path';
import { execOk, hostExec, type Exec } from '../../lib/exec.js';
import { packageRoot } from '../../lib/package-root.js';

export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';
export const BUSYBOX_IMAGE = 'docker.io/library/busybox:latest';

export interface TestImages {
  /** OCI layout holding tags `pause` and `busybox` (the source for registry pushes). */
  layout: string;
  /** OCI archive named registry.k8s.io/pause:3.10. */
  pauseArchive: string;
  /** OCI archive named docker.io/library/busybox:latest. */
  busyboxArchive: string;
}

/** Tools build-images.sh needs; tests skip when one is missing. */
export const IMAGE_TOOLS = ['gcc', 'umoci', 'skopeo', 'busybox'] as const;

export async function buildTestImages(outDir: string, signal?: AbortSignal, exec: Exec = hostExec): Promise<TestImages> {
  await execOk(exec, join(packageRoot(), 'test', 'images', 'build-images.sh'), [outDir], { signal });
  return {
    layout: join(outDir, 'oci'),
    pauseArchive: join(outDir, 'pause.tar'),
    busyboxArchive: join(outDir, 'busybox.tar'),
  };
}
