// CronJob schedules as Kubernetes parses them (robfig/cron's standard parser: five fields or a
// @descriptor), returning its error messages, and the next activation time after a moment.

export class CronParseError extends Error {
  override readonly name = 'CronParseError';
}

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const minutes: Bounds = { min: 0, max: 59 };
const hours: Bounds = { min: 0, max: 23 };
const dom: Bounds = { min: 1, max: 31 };
const months: Bounds = {
  min: 1, max: 12,
  names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 },
};
const dow: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

/** The set values of each field (a "*" field is recorded as such: day matching depends on it). */
export interface CronSchedule {
  minute: Set<number>;
  hour: Set<number>;
  dayOfMonth: Set<number>;
  month: Set<number>;
  dayOfWeek: Set<number>;
  domStar: boolean;
  dowStar: boolean;
  /** For @every schedules: the period in milliseconds. */
  everyMs?: number;
}

/** Go's strconv.Atoi error text. */
function atoi(expr: string): number {
  if (!/^[+-]?\d+$/.test(expr)) throw new CronParseError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const n = Number(expr);
  if (!Number.isSafeInteger(n) || Math.abs(n) > 2 ** 63) {
    throw new CronParseError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: value out of range`);
  }
  if (n < 0) throw new CronParseError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function intOrName(expr: string, names?: Record<string, number>): number {
  const named = names?.[expr.toLowerCase()];
  return named !== undefined ? named : atoi(expr);
}

function parseRange(expr: string, r: Bounds, into: Set<number>): boolean {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0].split('-');
  const single = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = r.min;
    end = r.max;
    star = true;
  } else {
    start = intOrName(lowAndHigh[0], r.names);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = intOrName(lowAndHigh[1], r.names);
    else throw new CronParseError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = atoi(rangeAndStep[1]);
    // "N/step" means "N-max/step".
    if (single) end = r.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new CronParseError(`too many slashes: ${expr}`);
  }
  if (start < r.min) throw new CronParseError(`beginning of range (${start}) below minimum (${r.min}): ${expr}`);
  if (end > r.max) throw new CronParseError(`end of range (${end}) above maximum (${r.max}): ${expr}`);
  if (start > end) throw new CronParseError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronParseError(`step of range should be a positive number: ${expr}`);
  for (let v = start; v <= end; v += step) into.add(v);
  return star;
}

function parseField(field: string, r: Bounds): { values: Set<number>; star: boolean } {
  const values = new Set<number>();
  let star = false;
  for (const expr of field.split(',').filter((e) => e !== '')) star = parseRange(expr, r, values) || star;
  return { values, star };
}

const all = (r: Bounds) => new Set(Array.from({ length: r.max - r.min + 1 }, (_, i) => r.min + i));

/** Go's time.ParseDuration for the units cron accepts. */
function parseDuration(s: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };
  let total = 0;
  let matched = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * unit[m[2]];
    matched = re.lastIndex;
  }
  return matched === s.length && s.length > 0 ? total : undefined;
}

function descriptor(spec: string): CronSchedule {
  const at = (minute: number[], hour: number[], d: number[], month: number[], w: number[]): CronSchedule => ({
    minute: new Set(minute), hour: new Set(hour), dayOfMonth: new Set(d), month: new Set(month), dayOfWeek: new Set(w),
    domStar: d.length === 31, dowStar: w.length === 7,
  });
  const any = (r: Bounds) => [...all(r)];
  switch (spec) {
    case '@yearly': case '@annually': return at([0], [0], [1], [1], any(dow));
    case '@monthly': return at([0], [0], [1], any(months), any(dow));
    case '@weekly': return at([0], [0], any(dom), any(months), [0]);
    case '@daily': case '@midnight': return at([0], [0], any(dom), any(months), any(dow));
    case '@hourly': return at([0], any(hours), any(dom), any(months), any(dow));
  }
  if (spec.startsWith('@every ')) {
    const text = spec.slice('@every '.length);
    const ms = parseDuration(text);
    if (ms === undefined) throw new CronParseError(`failed to parse duration ${spec}: time: invalid duration ${JSON.stringify(text)}`);
    return { ...at([], [], [], [], []), everyMs: Math.max(1000, Math.floor(ms / 1000) * 1000) };
  }
  throw new CronParseError(`unrecognized descriptor: ${spec}`);
}

/** cron.ParseStandard. Throws CronParseError with robfig/cron's messages. */
export function parseCronSchedule(spec: string): CronSchedule {
  if (spec.length === 0) throw new CronParseError('empty spec string');
  let rest = spec;
  if (rest.startsWith('TZ=') || rest.startsWith('CRON_TZ=')) {
    const i = rest.indexOf(' ');
    if (i < 0) throw new CronParseError(`invalid schedule format: runtime error: slice bounds out of range [:-1]`);
    rest = rest.slice(i).trim();
  }
  if (rest.startsWith('@')) return descriptor(rest);
  const fields = rest.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) throw new CronParseError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  const m = parseField(fields[0], minutes);
  const h = parseField(fields[1], hours);
  const d = parseField(fields[2], dom);
  const mo = parseField(fields[3], months);
  const w = parseField(fields[4], dow);
  return {
    minute: m.values, hour: h.values, dayOfMonth: d.values, month: mo.values, dayOfWeek: w.values, domStar: d.star, dowStar: w.star,
  };
}

function dayMatches(s: CronSchedule, d: Date): boolean {
  const domMatch = s.dayOfMonth.has(d.getUTCDate());
  const dowMatch = s.dayOfWeek.has(d.getUTCDay());
  // As cron: when either day field is "*", both must match; otherwise either may.
  return s.domStar || s.dowStar ? domMatch && dowMatch : domMatch || dowMatch;
}

/** The first activation strictly after `after` (UTC), or undefined within five years. */
export function nextActivation(s: CronSchedule, after: Date): Date | undefined {
  if (s.everyMs !== undefined) return new Date(Math.floor(after.getTime() / 1000) * 1000 + s.everyMs);
  const t = new Date(after.getTime());
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1);
  const limit = after.getTime() + 5 * 366 * 24 * 3600 * 1000;
  while (t.getTime() <= limit) {
    if (!s.month.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!dayMatches(s, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!s.hour.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!s.minute.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    return t;
  }
  return undefined;
}
