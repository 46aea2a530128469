// When a CronJob runs: its schedule evaluated in a time zone (spec.timeZone, or TZ=/CRON_TZ=
// in the schedule) through Intl, and the CronJob controller's view of missed runs
// (mostRecentScheduleTime, nextScheduleTimeDuration). Schedules are parsed by the same parser
// that validates them. Pure functions; times are milliseconds since the epoch.
import { nextActivation, parseCronSchedule, type CronSchedule } from '../api/kinds/cron-schedule.js';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Whether Intl knows the zone; the error text is Go's time.LoadLocation's. */
export function checkTimeZone(zone: string): string | undefined {
  if (zone === '' || zone === 'UTC' || zone === 'Local') return undefined;
  try {
    formatter(zone);
    return undefined;
  } catch {
    return `unknown time zone ${zone}`;
  }
}

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's offset from UTC (ms) at an instant. */
export function zoneOffset(zone: string, at: number): number {
  if (zone === '' || zone === 'UTC' || zone === 'Local') return 0;
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(at))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wall - Math.floor(at / 1000) * 1000;
}

/** A parsed schedule with the zone it runs in. */
export interface ZonedSchedule {
  schedule: CronSchedule;
  zone: string;
}

/**
 * The schedule string as the controller hands it to the parser (formatSchedule): a spec.timeZone
 * becomes a TZ= prefix; a schedule with its own TZ/CRON_TZ keeps it.
 */
export function scheduleWithZone(schedule: string, timeZone: string | undefined): string {
  if (schedule.includes('TZ')) return schedule;
  return timeZone ? `TZ=${timeZone} ${schedule}` : schedule;
}

/** cron.ParseStandard with the TZ=/CRON_TZ= prefix honoured. Throws CronParseError. */
export function parseZonedSchedule(spec: string): ZonedSchedule {
  const m = /^(?:CRON_TZ|TZ)=(\S+)\s/.exec(spec);
  const zone = m ? m[1] : 'UTC';
  const err = checkTimeZone(zone);
  if (err) throw new Error(`provided bad location ${zone}: ${err}`);
  return { schedule: parseCronSchedule(spec), zone };
}

/**
 * The first activation strictly after `after`, with the schedule's fields read as wall-clock
 * time in its zone. Wall times a DST change skips are skipped; repeated ones run once (first).
 */
export function nextRun(s: ZonedSchedule, after: number): number | undefined {
  if (s.schedule.everyMs !== undefined) return nextActivation(s.schedule, new Date(after))?.getTime();
  let wall = new Date(after + zoneOffset(s.zone, after));
  for (let i = 0; i < 1000; i++) {
    const next = nextActivation(s.schedule, wall);
    if (!next) return undefined;
    const w = next.getTime();
    const candidates = [zoneOffset(s.zone, w - zoneOffset(s.zone, w - 12 * 3600_000)), zoneOffset(s.zone, w - zoneOffset(s.zone, w + 12 * 3600_000))]
      .map((off) => w - off)
      .filter((u) => u > after && u + zoneOffset(s.zone, u) === w)
      .sort((a, b) => a - b);
    if (candidates.length) return candidates[0];
    wall = next;
  }
  return undefined;
}

export type Missed = 'none' | 'few' | 'many';

/** Runs counted one by one before the period is used to skip ahead. */
const exactSteps = 1000;

/**
 * mostRecentScheduleTime: the last time a Job should have started by `now` (undefined if none
 * since `earliest`), and how many were missed. `earliest` is lastScheduleTime or creation,
 * raised to now - startingDeadlineSeconds when that is given.
 */
export function mostRecentRun(s: ZonedSchedule, earliest: number, now: number): { time?: number; missed: Missed } {
  const t1 = nextRun(s, earliest);
  if (t1 === undefined || now < t1) return { missed: 'none' };
  const t2 = nextRun(s, t1);
  if (t2 === undefined || now < t2) return { time: t1, missed: 'none' };
  let last = t2;
  let count = 2;
  for (let n = nextRun(s, last); n !== undefined && n <= now && count < exactSteps; n = nextRun(s, last)) {
    last = n;
    count++;
  }
  if (count >= exactSteps) {
    // Far behind: jump by the schedule's period, then walk exactly to the last run before now.
    const period = t2 - t1;
    const jump = Math.max(0, Math.floor((now - last) / period) - 1);
    count += jump;
    let cursor = last + jump * period - 1;
    for (let n = nextRun(s, cursor); n !== undefined && n <= now; n = nextRun(s, cursor)) cursor = n;
    last = Math.max(last, cursor);
  }
  return { time: last, missed: count > 100 ? 'many' : 'few' };
}

/** Name of the Job for a scheduled time: <cronjob>-<minutes since the epoch>. */
export function jobNameFor(cronJob: string, scheduledMs: number): string {
  return `${cronJob}-${Math.floor(scheduledMs / 60_000)}`;
}

/** RFC 3339 with the zone's offset, as the cronjob-scheduled-timestamp annotation writes it. */
export function rfc3339InZone(ms: number, zone: string): string {
  const off = zoneOffset(zone, ms);
  const wall = new Date(ms + off).toISOString().replace(/\.\d{3}Z$/, '');
  if (off === 0) return `${wall}Z`;
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off) / 60_000;
  return `${wall}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
