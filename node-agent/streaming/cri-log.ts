// The CRI container log format, how the kubelet turns it into `kubectl logs` output, and the
// last lines it falls back to for a termination message. Pure.
//
// Each line of a CRI log file is `<RFC3339Nano time> <stdout|stderr> <F|P> <content>`: F ends a
// line of the container's output, P is a fragment continued by the next entry (a long line
// the runtime split). The kubelet prints content (plus a newline after F), optionally prefixed
// with the entry's time, keeps entries at or after `since`, and stops after `limitBytes`.
import { queryFlag } from '../../lib/parse-bool.js';

export interface CriLogEntry {
  /** The timestamp exactly as written (RFC 3339 with nanoseconds). */
  timestamp: string;
  stream: 'stdout' | 'stderr';
  /** A fragment of a longer line: no newline follows it. */
  partial: boolean;
  content: Buffer;
}

const SPACE = 0x20;

/** Parses one line of a CRI log file (without its trailing newline); undefined if malformed. */
export function parseCriLogLine(line: Buffer): CriLogEntry | undefined {
  const s1 = line.indexOf(SPACE);
  if (s1 <= 0) return undefined;
  const s2 = line.indexOf(SPACE, s1 + 1);
  if (s2 < 0) return undefined;
  const timestamp = line.toString('latin1', 0, s1);
  // A cheap shape check; the exact instant is parsed only when a `since` needs it.
  if (!/^\d{4}-\d\d-\d\dT/.test(timestamp)) return undefined;
  const stream = line.toString('latin1', s1 + 1, s2);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  // Tags: F (full) or P (partial), possibly more ':'-separated tags after; older runtimes wrote none.
  const s3 = line.indexOf(SPACE, s2 + 1);
  let partial = false;
  let contentStart = s2 + 1;
  if (s3 >= 0) {
    const tags = line.toString('latin1', s2 + 1, s3).split(':');
    if (tags[0] === 'P' || tags[0] === 'F') {
      partial = tags[0] === 'P';
      contentStart = s3 + 1;
    }
  } else {
    const tag = line.toString('latin1', s2 + 1);
    if (tag === 'P' || tag === 'F') return { timestamp, stream, partial: tag === 'P', content: Buffer.alloc(0) };
  }
  return { timestamp, stream, partial, content: line.subarray(contentStart) };
}

/** The container's output as written: partial entries joined, full entries ending a line. */
export function criLogText(content: string): string {
  let out = '';
  for (const line of content.split('\n')) {
    const e = parseCriLogLine(Buffer.from(line));
    if (e) out += e.partial ? e.content.toString() : `${e.content.toString()}\n`;
  }
  return out;
}

/** The last `maxLines` lines of output, at most `maxBytes` of them (kubelet's fallback message). */
export function lastLogLines(content: string, maxLines: number, maxBytes: number): string {
  const text = criLogText(content);
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const tail = lines.slice(-maxLines).join('\n') + (lines.length ? '\n' : '');
  const buf = Buffer.from(tail, 'utf8');
  return buf.length <= maxBytes ? tail : buf.subarray(buf.length - maxBytes).toString('utf8');
}

/** The kubelet's log options (PodLogOptions as the kubelet receives them). */
export interface LogOptions {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  /** Entries before this instant (ms since the epoch) are skipped. */
  sinceMs?: number;
  tailLines?: number;
  limitBytes?: number;
}

/** Reads the /containerLogs query; `now` turns sinceSeconds into an instant. Throws on nonsense. */
export function logOptionsFromQuery(q: URLSearchParams, now: number = Date.now()): LogOptions {
  const bool = (k: string): boolean => queryFlag(q, k);
  const int = (k: string): number | undefined => {
    const v = q.get(k);
    if (v === null || v === '') return undefined;
    if (!/^-?\d+$/.test(v)) throw new LogOptionsError(`invalid ${k}: ${JSON.stringify(v)}`);
    return Number(v);
  };
  // The kubelet still honours the old "tail" name ("all" meaning no limit).
  const tail = q.get('tail');
  const tailLines = tail !== null && tail !== '' ? (tail === 'all' ? undefined : int('tail')) : int('tailLines');
  const sinceSeconds = int('sinceSeconds');
  const sinceTime = q.get('sinceTime');
  const opts: LogOptions = { follow: bool('follow'), previous: bool('previous'), timestamps: bool('timestamps') };
  if (tailLines !== undefined) opts.tailLines = tailLines;
  const limitBytes = int('limitBytes');
  if (limitBytes !== undefined) opts.limitBytes = limitBytes;
  if (sinceSeconds !== undefined && sinceTime) throw new LogOptionsError('at most one of `sinceTime` or `sinceSeconds` may be specified');
  if (sinceSeconds !== undefined) opts.sinceMs = now - sinceSeconds * 1000;
  if (sinceTime) {
    const t = Date.parse(sinceTime);
    if (Number.isNaN(t)) throw new LogOptionsError(`invalid sinceTime: ${JSON.stringify(sinceTime)}`);
    opts.sinceMs = t;
  }
  if ((opts.tailLines ?? 0) < 0 || (opts.limitBytes !== undefined && opts.limitBytes < 1) || (sinceSeconds !== undefined && sinceSeconds < 1)) {
    throw new LogOptionsError('Invalid request.');
  }
  return opts;
}

export class LogOptionsError extends Error {
  override readonly name = 'LogOptionsError';
}

/**
 * Turns entries into output the way the kubelet's log writer does. Stateful: a timestamp is
 * printed only at the start of a line, and the byte budget spans the whole response.
 */
export class LogFormatter {
  private atLineStart = true;
  private remaining: number;

  constructor(private readonly opts: Pick<LogOptions, 'timestamps' | 'sinceMs' | 'limitBytes'>) {
    this.remaining = opts.limitBytes ?? Infinity;
  }

  /** Whether the byte limit has been reached: nothing more will be produced. */
  get done(): boolean {
    return this.remaining <= 0;
  }

  /** The output for one entry (possibly empty). */
  format(e: CriLogEntry): Buffer {
    const out: Buffer[] = [];
    this.formatInto(e, out);
    return Buffer.concat(out);
  }

  /** Appends the output for one entry to `out` (no copies: the hot path of large logs). */
  formatInto(e: CriLogEntry, out: Buffer[]): void {
    if (this.done) return;
    if (this.opts.sinceMs !== undefined) {
      const t = Date.parse(e.timestamp);
      if (Number.isNaN(t) || t < this.opts.sinceMs) return;
    }
    if (this.opts.timestamps && this.atLineStart) this.emit(Buffer.from(`${e.timestamp} `, 'latin1'), out);
    this.emit(e.content, out);
    if (!e.partial) this.emit(NEWLINE, out);
    this.atLineStart = !e.partial;
  }

  private emit(b: Buffer, out: Buffer[]): void {
    if (this.remaining <= 0 || b.length === 0) return;
    const part = b.length > this.remaining ? b.subarray(0, this.remaining) : b;
    this.remaining -= part.length;
    out.push(part);
  }
}

const NEWLINE = Buffer.from('\n');

/**
 * Splits a byte stream into lines. Feed chunks as read; complete lines come out, a trailing
 * fragment waits for its newline (the runtime may still be writing it).
 */
export class LineSplitter {
  private rest: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    const buf = this.rest.length ? Buffer.concat([this.rest, chunk]) : chunk;
    const lines: Buffer[] = [];
    let start = 0;
    for (let nl = buf.indexOf(0x0a, start); nl >= 0; nl = buf.indexOf(0x0a, start)) {
      lines.push(buf.subarray(start, nl));
      start = nl + 1;
    }
    this.rest = Buffer.from(buf.subarray(start));
    return lines;
  }

  /** The unterminated tail, if any (used at the very end of a file that will not grow). */
  flush(): Buffer | undefined {
    const r = this.rest;
    this.rest = Buffer.alloc(0);
    return r.length ? r : undefined;
  }
}

/** Where the last `n` lines of `buf` start (the kubelet's tail: newline-terminated lines). */
export function tailStart(buf: Buffer, n: number): number {
  if (n <= 0) return buf.length;
  let end = buf.length;
  // A final unterminated fragment counts as a line of its own.
  if (end > 0 && buf[end - 1] === 0x0a) end--;
  let count = 0;
  for (let i = end - 1; i >= 0; i--) {
    if (buf[i] === 0x0a && ++count === n) return i + 1;
  }
  return 0;
}
