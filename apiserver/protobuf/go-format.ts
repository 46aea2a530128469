// How Go writes times and durations in JSON, for values that arrive as numbers on the wire.

const pad = (n: number, width: number) => String(n).padStart(width, '0');

function utcParts(seconds: bigint): string {
  const d = new Date(Number(seconds) * 1000);
  if (Number.isNaN(d.getTime())) throw new RangeError(`time ${seconds}s is out of range`);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`
    + `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
}

/** metav1.Time: RFC 3339 in UTC with whole seconds ("2006-01-02T15:04:05Z"). */
export function formatTime(seconds: bigint): string {
  return `${utcParts(seconds)}Z`;
}

/** metav1.MicroTime: RFC 3339 in UTC with exactly six fraction digits. */
export function formatMicroTime(seconds: bigint, nanos: number): string {
  // Nanoseconds outside [0, 1e9) carry into the seconds, as time.Unix does.
  const carry = Math.floor(nanos / 1e9);
  const micros = Math.floor((nanos - carry * 1e9) / 1000);
  return `${utcParts(seconds + BigInt(carry))}.${pad(micros, 6)}Z`;
}

export { formatDuration } from '../../lib/go-duration.js';
