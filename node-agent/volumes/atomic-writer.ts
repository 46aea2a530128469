// kubelet's AtomicWriter: a volume's files live in a timestamped directory; `..data` is a
// symlink to the current one and every top-level name is a symlink through `..data`. An update
// writes a new directory and swaps `..data` with one rename, so a reader inside the container
// sees either the old set of files or the new one, never a mix.
import { chmod, chown, lstat, mkdir, readdir, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';

export interface FileProjection {
  data: Buffer;
  /** Permission bits (e.g. 0o644). */
  mode: number;
  /** Group to own the file (fsGroup), if any. */
  gid?: number;
}

/** Relative path -> content. */
export type Payload = Map<string, FileProjection>;

const DATA_DIR = '..data';
const DATA_TMP = '..data_tmp';

/** Rejects absolute paths, `..` elements and names starting with `..` (reserved for the writer). */
export function validatePath(p: string): void {
  if (p === '' || p.startsWith('/')) throw new Error(`invalid path: ${JSON.stringify(p)} must be a relative path`);
  if (p.length > 4096) throw new Error(`invalid path: must be less than or equal to 4096 characters`);
  const parts = p.split('/');
  if (parts.some((x) => x === '..')) throw new Error(`invalid path: ${JSON.stringify(p)} must not contain '..'`);
  if (parts[0]?.startsWith('..')) throw new Error(`invalid path: ${JSON.stringify(p)} must not start with '..'`);
}

function timestampDirName(now: Date): string {
  const z = (n: number, w = 2) => String(n).padStart(w, '0');
  const ns = z(now.getUTCMilliseconds(), 3) + String(Math.floor(Math.random() * 1e6)).padStart(6, '0');
  return `..${now.getUTCFullYear()}_${z(now.getUTCMonth() + 1)}_${z(now.getUTCDate())}_${z(now.getUTCHours())}_${z(now.getUTCMinutes())}_${z(now.getUTCSeconds())}.${ns}`;
}

async function currentDataDir(target: string): Promise<string | undefined> {
  try {
    return await readlink(join(target, DATA_DIR));
  } catch {
    return undefined;
  }
}

/** Whether the directory already holds exactly this payload (content and mode). */
async function samePayload(dir: string, payload: Payload): Promise<boolean> {
  const existing = new Set<string>();
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(r);
      else existing.add(r);
    }
  };
  try {
    await walk('');
  } catch {
    return false;
  }
  if (existing.size !== payload.size) return false;
  for (const [p, f] of payload) {
    if (!existing.has(p)) return false;
    const st = await lstat(join(dir, p)).catch(() => undefined);
    if (!st || (st.mode & 0o7777) !== f.mode || (f.gid !== undefined && st.gid !== f.gid)) return false;
    if (!(await readFile(join(dir, p))).equals(f.data)) return false;
  }
  return true;
}

/**
 * Writes the payload into `target` atomically. Returns false when nothing changed. The
 * target directory itself must exist (it may be a tmpfs mount point).
 */
export async function writeAtomic(target: string, payload: Payload, now = new Date()): Promise<boolean> {
  for (const p of payload.keys()) validatePath(p);
  const old = await currentDataDir(target);
  if (old && (await samePayload(join(target, old), payload))) return false;

  const tsDir = timestampDirName(now);
  const tsPath = join(target, tsDir);
  await mkdir(tsPath, { mode: 0o755 });
  for (const [p, f] of payload) {
    const file = join(tsPath, normalize(p));
    await mkdir(dirname(file), { recursive: true, mode: 0o755 });
    await writeFile(file, f.data, { mode: f.mode });
    // writeFile's mode is filtered by the umask; the payload's mode is exact.
    await chmod(file, f.mode);
    if (f.gid !== undefined) await chown(file, -1, f.gid);
  }
  const gid = [...payload.values()].find((f) => f.gid !== undefined)?.gid;
  if (gid !== undefined) await chown(tsPath, -1, gid);

  await rm(join(target, DATA_TMP), { force: true });
  await symlink(tsDir, join(target, DATA_TMP));
  await rename(join(target, DATA_TMP), join(target, DATA_DIR));

  // User-visible names: one symlink per top-level element, through ..data.
  const tops = new Set([...payload.keys()].map((p) => p.split('/')[0] as string));
  for (const top of tops) {
    const link = join(target, top);
    const st = await lstat(link).catch(() => undefined);
    if (!st) await symlink(join(DATA_DIR, top), link);
  }
  for (const name of await readdir(target)) {
    if (name.startsWith('..') || tops.has(name)) continue;
    const st = await lstat(join(target, name));
    if (st.isSymbolicLink()) await rm(join(target, name), { force: true });
  }
  if (old && old !== tsDir && !old.includes(sep)) await rm(join(target, old), { recursive: true, force: true });
  return true;
}
