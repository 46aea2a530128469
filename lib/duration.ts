// Go-style durations ("40s", "1m30s", "500ms", "2h"), as Kubernetes components take them in flags.

const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds in a Go duration string; throws on anything Go's time.ParseDuration refuses. */
export function parseDuration(input: string): number {
  const s = input.trim();
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  const sign = s.startsWith('-') ? -1 : 1;
  if (s.startsWith('-') || s.startsWith('+')) pos = 1;
  if (pos >= s.length) throw new Error(`invalid duration "${input}"`);
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) throw new Error(`invalid duration "${input}"`);
    total += Number(m[1]) * units[m[2]];
    pos = re.lastIndex;
  }
  return sign * total;
}
