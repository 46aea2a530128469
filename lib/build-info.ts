// What the build records about itself for /version (gitCommit, gitTreeState, buildDate), as
// Kubernetes stamps its binaries. `npm run build` writes dist/build-info.json from git after
// compiling; the release and the npm package carry that file. Outside a git checkout (a source
// tarball) the commit comes from K8TS_GIT_COMMIT if the packager sets it, else stays empty rather
// than invented; SOURCE_DATE_EPOCH, the reproducible-builds convention Debian's tools set, fixes
// the build date.
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
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

/** When the build happened: SOURCE_DATE_EPOCH (seconds) when set and valid, else `now`. */
export function buildTime(env: NodeJS.ProcessEnv, now: Date): Date {
  const epoch = env.SOURCE_DATE_EPOCH;
  return epoch !== undefined && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : now;
}

/**
 * The build's facts from the git checkout at `dir`. Outside one, the commit the environment
 * names (K8TS_GIT_COMMIT, tree state unknown) or none.
 */
export function readGitState(dir: string, now = new Date(), env: NodeJS.ProcessEnv = process.env): BuildInfo {
  const buildDate = buildDateOf(buildTime(env, now));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    // A directory inside some other repository (an unpacked tarball under a home in git) is
    // not our checkout: only a work tree whose top is `dir` describes this code.
    if (realpathSync(git('rev-parse', '--show-toplevel')) !== realpathSync(dir)) throw new Error('not our checkout');
    const gitCommit = git('rev-parse', 'HEAD');
    // Only tracked files count: untracked build output does not make a tree dirty.
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    return { gitCommit, gitTreeState: dirty ? 'dirty' : 'clean', buildDate };
  } catch {
    return { gitCommit: env.K8TS_GIT_COMMIT ?? '', gitTreeState: '', buildDate };
  }
}

/** Build facts recorded in `path`; empty fields when the file is missing or unreadable. */
export function readBuildInfo(path: string): BuildInfo {
  try {
    const j = JSON.parse(readFileSync(path, 'utf8')) as Partial<BuildInfo>;
    return { gitCommit: j.gitCommit ?? '', gitTreeState: j.gitTreeState ?? '', buildDate: j.buildDate ?? '' };
  } catch {
    return { gitCommit: '', gitTreeState: '', buildDate: '' };
  }
}

let cached: BuildInfo | undefined;

/** The recorded build facts (read once). */
export function buildInfo(): BuildInfo {
  return (cached ??= readBuildInfo(file()));
}

// `node dist/lib/build-info.js` (the build's last step) records this checkout's state.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(file(), JSON.stringify(readGitState(packageRoot())) + '\n');
}
