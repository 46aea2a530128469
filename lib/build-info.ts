// What the build records about itself for /version (gitCommit, gitTreeState, buildDate), as
// Kubernetes stamps its binaries. `npm run build` writes dist/build-info.json from git after
// compiling; the release and the npm package carry that file. Without it (a build outside a
// git checkout) the fields say so rather than inventing a commit.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from './package-root.js';

export interface BuildInfo {
  gitCommit: string;
  gitTreeState: 'clean' | 'dirty' | '';
  buildDate: string;
}

const file = () => join(packageRoot(), 'dist', 'build-info.json');

/** RFC 3339 to the second, as Kubernetes' buildDate ("2026-12-07T08:50:00Z"). */
export function buildDateOf(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The build's facts from the git checkout at `dir` (empty commit outside one). */
export function readGitState(dir: string, now = new Date()): BuildInfo {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const gitCommit = git('rev-parse', 'HEAD');
    // Only tracked files count: untracked build output does not make a tree dirty.
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    return { gitCommit, gitTreeState: dirty ? 'dirty' : 'clean', buildDate: buildDateOf(now) };
  } catch {
    return { gitCommit: '', gitTreeState: '', buildDate: buildDateOf(now) };
  }
}

let cached: BuildInfo | undefined;

/** The recorded build facts (read once). */
export function buildInfo(): BuildInfo {
  if (!cached) {
    try {
      cached = JSON.parse(readFileSync(file(), 'utf8')) as BuildInfo;
    } catch {
      cached = { gitCommit: '', gitTreeState: '', buildDate: '' };
    }
  }
  return cached;
}

// `node dist/lib/build-info.js` (the build's last step) records this checkout's state.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(file(), JSON.stringify(readGitState(packageRoot())) + '\n');
}
