import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTimeZone, jobNameFor, mostRecentRun, nextRun, parseZonedSchedule, rfc3339InZone, scheduleWithZone, zoneOffset } from './cron-time.js';

const utc = (s: string) => Date.parse(s);

test('schedules run on wall-clock time in their zone', () => {
  const s = parseZonedSchedule(scheduleWithZone('0 9 * * *', 'Europe/Paris'));
  // 09:00 in Paris is 08:00 UTC in winter, 07:00 UTC in summer.
  assert.equal(new Date(nextRun(s, utc('2025-01-10T00:00:00Z'))!).toISOString(), '2025-01-10T08:00:00.000Z');
  assert.equal(new Date(nextRun(s, utc('2025-07-10T00:00:00Z'))!).toISOString(), '2025-07-10T07:00:00.000Z');
  const ny = parseZonedSchedule('CRON_TZ=America/New_York 30 2 * * *');
  // 02:30 does not exist on 2025-03-09 in New York: that day is skipped.
  assert.equal(new Date(nextRun(ny, utc('2025-03-09T05:00:00Z'))!).toISOString(), '2025-03-10T06:30:00.000Z');
  // On 2025-11-02 01:30 happens twice; it runs once, the first time.
  const twice = parseZonedSchedule('CRON_TZ=America/New_York 30 1 * * *');
  assert.equal(new Date(nextRun(twice, utc('2025-11-02T04:00:00Z'))!).toISOString(), '2025-11-02T05:30:00.000Z');
  assert.equal(new Date(nextRun(twice, utc('2025-11-02T05:30:00Z'))!).toISOString(), '2025-11-03T06:30:00.000Z');
});

test('UTC by default; descriptors and every-schedules', () => {
  const hourly = parseZonedSchedule('@hourly');
  assert.equal(new Date(nextRun(hourly, utc('2025-01-01T10:15:00Z'))!).toISOString(), '2025-01-01T11:00:00.000Z');
  const every = parseZonedSchedule('*/15 * * * *');
  assert.equal(new Date(nextRun(every, utc('2025-01-01T10:15:00Z'))!).toISOString(), '2025-01-01T10:30:00.000Z');
  assert.equal(zoneOffset('Asia/Kolkata', utc('2025-01-01T00:00:00Z')), 5.5 * 3600_000);
});

test('unknown zones are refused with Go\'s words', () => {
  assert.equal(checkTimeZone('Mars/Olympus'), 'unknown time zone Mars/Olympus');
  assert.equal(checkTimeZone('Europe/Berlin'), undefined);
  assert.throws(() => parseZonedSchedule('TZ=Mars/Olympus * * * * *'), /unknown time zone Mars\/Olympus/);
});

test('missed runs: the most recent one is started, and many missed are reported as such', () => {
  const s = parseZonedSchedule('*/1 * * * *');
  const created = utc('2025-01-01T10:00:30Z');
  assert.deepEqual(mostRecentRun(s, created, utc('2025-01-01T10:00:50Z')), { missed: 'none' });
  assert.deepEqual(mostRecentRun(s, created, utc('2025-01-01T10:01:10Z')), { time: utc('2025-01-01T10:01:00Z'), missed: 'none' });
  assert.deepEqual(mostRecentRun(s, created, utc('2025-01-01T10:05:10Z')), { time: utc('2025-01-01T10:05:00Z'), missed: 'few' });
  const far = mostRecentRun(s, created, utc('2025-01-03T10:05:10Z'));
  assert.deepEqual(far, { time: utc('2025-01-03T10:05:00Z'), missed: 'many' });
});

test('job names carry the scheduled minute; the scheduled-timestamp annotation the zone offset', () => {
  assert.equal(jobNameFor('tick', utc('2025-01-01T10:05:00Z')), `tick-${utc('2025-01-01T10:05:00Z') / 60_000}`);
  assert.equal(rfc3339InZone(utc('2025-01-01T10:05:00Z'), 'Europe/Paris'), '2025-01-01T11:05:00+01:00');
  assert.equal(rfc3339InZone(utc('2025-01-01T10:05:00Z'), 'UTC'), '2025-01-01T10:05:00Z');
});
