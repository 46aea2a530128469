// Static pods from --pod-manifest-path: every regular file not starting with '.' holds one Pod.
// The directory is watched (and re-read every 20 s, as kubelet's file source does, in case a
// watch event is missed); the set of pods is reported whenever it changes.
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { logger } from '../../lib/log.js';
import type { Pod } from '../kube-types.js';
import { parseManifest, staticPod } from './manifest.js';

const log = logger('static-pods');

const RESYNC_MS = 20_000;
/** Editors write in several steps: wait for the directory to settle before reading it. */
const SETTLE_MS = 100;

export class StaticPodSource {
  private pods = new Map<string, Pod>();
  /** First time each UID was seen (the config.seen annotation stays put). */
  private readonly seen = new Map<string, Date>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private settle: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private synced = false;
  private readonly syncWaiters: Array<() => void> = [];

  constructor(
    private readonly dir: string,
    private readonly nodeName: string,
    private readonly onChange: (pods: Map<string, Pod>) => void,
  ) {}

  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((r) => this.syncWaiters.push(r));
  }

  current(): Map<string, Pod> {
    return this.pods;
  }

  start(signal: AbortSignal): void {
    const schedule = () => {
      if (signal.aborted) return;
      if (this.settle) clearTimeout(this.settle);
      this.settle = setTimeout(() => void this.read(), SETTLE_MS).unref();
    };
    try {
      this.watcher = watch(this.dir, () => schedule());
      this.watcher.on('error', () => undefined);
    } catch {
      // No directory yet: the periodic re-read picks it up once it exists.
    }
    const tick = () => {
      if (signal.aborted) return;
      if (!this.watcher) {
        try {
          this.watcher = watch(this.dir, () => schedule());
          this.watcher.on('error', () => undefined);
        } catch {
          // still absent
        }
      }
      void this.read();
      this.timer = setTimeout(tick, RESYNC_MS).unref();
    };
    tick();
    signal.addEventListener('abort', () => {
      this.watcher?.close();
      clearTimeout(this.timer);
      clearTimeout(this.settle);
    }, { once: true });
  }

  /** Reads the directory now and reports changes. */
  read(): Promise<void> {
    this.reading ??= this.readOnce().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async readOnce(): Promise<void> {
    const next = new Map<string, Pod>();
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const name of names.sort()) {
      if (name.startsWith('.')) continue;
      const file = join(this.dir, name);
      try {
        if (!(await stat(file)).isFile()) continue;
        const manifest = parseManifest(await readFile(file, 'utf8'), file);
        const probe = staticPod(manifest, file, this.nodeName, new Date());
        const uid = probe.metadata?.uid ?? '';
        if (!this.seen.has(uid)) this.seen.set(uid, new Date());
        const pod = staticPod(manifest, file, this.nodeName, this.seen.get(uid) as Date);
        if (next.has(uid)) continue;
        next.set(uid, pod);
      } catch (err) {
        log.warn({ file, err: (err as Error).message }, 'could not read static pod manifest');
      }
    }
    const changed = next.size !== this.pods.size || [...next.keys()].some((k) => !this.pods.has(k));
    for (const uid of this.seen.keys()) if (!next.has(uid)) this.seen.delete(uid);
    this.pods = next;
    if (changed) this.onChange(next);
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }
}
