// The CRI container log format (one record per line: `<RFC3339Nano> <stdout|stderr> <P|F> <text>`,
// P = partial line continued by the next record). Pure parsing; reading files is the caller's.

export interface CriLogRecord {
  time: string;
  stream: 'stdout' | 'stderr';
  /** False for a partial record whose line continues in the next one. */
  full: boolean;
  text: string;
}

/** Parses one line of a CRI log file; undefined when it is not a CRI record. */
export function parseCriLogLine(line: string): CriLogRecord | undefined {
  const a = line.indexOf(' ');
  const b = a < 0 ? -1 : line.indexOf(' ', a + 1);
  if (a < 0 || b < 0) return undefined;
  const stream = line.slice(a + 1, b);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const c = line.indexOf(' ', b + 1);
  const tag = c < 0 ? line.slice(b + 1) : line.slice(b + 1, c);
  // Tags may carry more flags after the first, separated by ':'.
  const full = !tag.split(':').includes('P');
  return { time: line.slice(0, a), stream, full, text: c < 0 ? '' : line.slice(c + 1) };
}

/** The container's output as written: partial records joined, full records ending a line. */
export function criLogText(content: string): string {
  let out = '';
  for (const line of content.split('\n')) {
    const r = parseCriLogLine(line);
    if (r) out += r.full ? `${r.text}\n` : r.text;
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
