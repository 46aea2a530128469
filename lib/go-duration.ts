// time.Duration.String(), which Go writes wherever a duration is text (metav1.Duration in JSON,
// metrics.k8s.io's window).

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
