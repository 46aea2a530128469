// Reads the Prometheus text exposition format (0.0.4): one sample per line, `name{labels} value
// [timestamp_ms]`, comments skipped. Enough for what kubelets serve on /metrics/resource.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
}

export class ExpositionError extends Error {}

function parseValue(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  const v = Number(s);
  if (s === '' || Number.isNaN(v)) throw new ExpositionError(`bad sample value ${JSON.stringify(s)}`);
  return v;
}

/** Label pairs from just after `{`; returns them and the index after `}`. */
function parseLabels(line: string, start: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let i = start;
  for (;;) {
    while (line[i] === ' ' || line[i] === ',') i++;
    if (line[i] === '}') return [labels, i + 1];
    const eq = line.indexOf('=', i);
    if (eq < 0 || line[eq + 1] !== '"') throw new ExpositionError(`bad label in ${JSON.stringify(line)}`);
    const name = line.slice(i, eq).trim();
    let value = '';
    let j = eq + 2;
    for (; j < line.length && line[j] !== '"'; j++) {
      if (line[j] === '\\') {
        const next = line[++j];
        value += next === 'n' ? '\n' : next;
      } else {
        value += line[j];
      }
    }
    if (j >= line.length) throw new ExpositionError(`unterminated label value in ${JSON.stringify(line)}`);
    labels[name] = value;
    i = j + 1;
  }
}

export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const nameEnd = line.search(/[{\s]/);
    if (nameEnd <= 0) throw new ExpositionError(`bad sample line ${JSON.stringify(line)}`);
    const name = line.slice(0, nameEnd);
    let labels: Record<string, string> = {};
    let rest = nameEnd;
    if (line[nameEnd] === '{') [labels, rest] = parseLabels(line, nameEnd + 1);
    const [value, ts] = line.slice(rest).trim().split(/\s+/);
    out.push({ name, labels, value: parseValue(value ?? ''), timestampMs: ts === undefined ? undefined : Number(ts) });
  }
  return out;
}
