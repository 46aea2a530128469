// Reading a container's CRI log file for `kubectl logs`: from the start or the last N lines,
// formatted by LogFormatter, and with follow, waiting for the runtime to append until the
// container has exited. A rotated file (renamed away, a new one created) is picked up.
import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { LineSplitter, LogFormatter, parseCriLogLine, tailStart, type LogOptions } from './cri-log.js';

const CHUNK = 64 * 1024;
/** How often a follow with nothing new checks that the container still runs (kubelet: 1 s poll of its state). */
const IDLE_CHECK_MS = 1000;

export interface FollowControl {
  /** Whether the container may still write; a follow ends once it returns false and the file is drained. */
  stillRunning(): Promise<boolean>;
  /** Ends the read (the client went away). */
  signal: AbortSignal;
}

/** Where the last `n` lines of the file start, reading backwards only as far as needed. */
async function tailOffset(fh: FileHandle, size: number, n: number): Promise<number> {
  let suffix = Buffer.alloc(0);
  let pos = size;
  while (pos > 0) {
    const len = Math.min(CHUNK, pos);
    pos -= len;
    const b = Buffer.alloc(len);
    await fh.read(b, 0, len, pos);
    suffix = Buffer.concat([b, suffix]);
    const at = tailStart(suffix, n);
    // At index 0 of a partial suffix the line may begin earlier: read further back.
    if (at > 0 || pos === 0) return pos + at;
  }
  return 0;
}

/**
 * The formatted output of a log file, chunk by chunk. Without `follow` it ends at the end of
 * the file; with it, it ends when the container has stopped and the file is drained, when the
 * byte limit is reached, or when `control.signal` aborts.
 */
export async function* readContainerLog(path: string, opts: LogOptions, control: FollowControl): AsyncGenerator<Buffer> {
  const formatter = new LogFormatter(opts);
  let fh = await open(path, 'r');
  let ino = (await fh.stat()).ino;
  let offset = opts.tailLines !== undefined ? await tailOffset(fh, (await fh.stat()).size, opts.tailLines) : 0;
  let splitter = new LineSplitter();
  const buf = Buffer.alloc(CHUNK);
  const waiter = opts.follow ? new ChangeWaiter(path, control.signal) : undefined;
  try {
    for (;;) {
      // Drain what is there.
      for (;;) {
        if (control.signal.aborted) return;
        const { bytesRead } = await fh.read(buf, 0, CHUNK, offset);
        if (bytesRead === 0) break;
        offset += bytesRead;
        const out: Buffer[] = [];
        for (const line of splitter.push(buf.subarray(0, bytesRead))) {
          const e = parseCriLogLine(line);
          if (e) formatter.formatInto(e, out);
          if (formatter.done) break;
        }
        const chunk = Buffer.concat(out);
        if (chunk.length) yield chunk;
        if (formatter.done) return;
      }
      if (!waiter) {
        const last = splitter.flush();
        const e = last && parseCriLogLine(last);
        if (e) yield formatter.format(e);
        return;
      }
      // Rotated: the path now names a new file. What the old one held is read; go on with the new.
      const now = await stat(path).catch(() => undefined);
      if (now && now.ino !== ino) {
        await fh.close();
        fh = await open(path, 'r');
        ino = now.ino;
        offset = 0;
        splitter = new LineSplitter();
        continue;
      }
      if (now && now.size < offset) {
        // Truncated in place (copytruncate rotation): start over.
        offset = 0;
        splitter = new LineSplitter();
        continue;
      }
      const changed = await waiter.wait(IDLE_CHECK_MS);
      if (control.signal.aborted) return;
      if (!changed && !(await control.stillRunning())) {
        // One last look: the container may have written just before it exited.
        const { size } = await fh.stat();
        if (size <= offset) return;
      }
    }
  } finally {
    waiter?.close();
    await fh.close().catch(() => undefined);
  }
}

/** Wakes a follower when the log file (or its directory, for rotations) changes. */
class ChangeWaiter {
  private watchers: FSWatcher[] = [];
  private pending = false;
  private wake: (() => void) | undefined;

  constructor(path: string, signal: AbortSignal) {
    const dir = path.slice(0, path.lastIndexOf('/')) || '/';
    for (const target of [path, dir]) {
      try {
        const w = watch(target, { persistent: false }, () => this.notify());
        w.on('error', () => undefined);
        this.watchers.push(w);
      } catch {
        // Without inotify the periodic check still finds new data.
      }
    }
    signal.addEventListener('abort', () => this.notify(), { once: true });
  }

  /** Resolves true on a change, false after `ms` without one. */
  wait(ms: number): Promise<boolean> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve(false);
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.pending = false;
        resolve(true);
      };
    });
  }

  close(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }

  private notify(): void {
    this.pending = true;
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}
