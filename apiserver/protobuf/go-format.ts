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

/** `digits` of a fraction without trailing zeros, with its point; empty when zero. */
function fraction(value: bigint, digits: number): string {
  if (value === 0n) return '';
  return '.' + value.toString().padStart(digits, '0').replace(/0+$/, '');
}

/** time.Duration.String: "1h2m3.5s", "1m0s", "150ms", "2µs", "0s". */
export function formatDuration(nanoseconds: bigint): string {
  const sign = nanoseconds < 0n ? '-' : '';
  const u = nanoseconds < 0n ? -nanoseconds : nanoseconds;
  if (u === 0n) return '0s';
  if (u < 1_000_000_000n) {
    // Below a second Go switches to the largest unit that keeps an integer part.
    const [unit, digits] = u < 1_000n ? ['ns', 0] : u < 1_000_000n ? ['µs', 3] : ['ms', 6];
    const scale = 10n ** BigInt(digits);
    return `${sign}${u / scale}${fraction(u % scale, digits)}${unit}`;
  }
  const frac = fraction(u % 1_000_000_000n, 9);
  const totalSeconds = u / 1_000_000_000n;
  const s = totalSeconds % 60n;
  const totalMinutes = totalSeconds / 60n;
  if (totalMinutes === 0n) return `${sign}${s}${frac}s`;
  const m = totalMinutes % 60n;
  const h = totalMinutes / 60n;
  return h === 0n ? `${sign}${m}m${s}${frac}s` : `${sign}${h}h${m}m${s}${frac}s`;
}
