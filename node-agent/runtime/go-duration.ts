// Durations printed as Go's time.Duration.String() does, for messages kubelet formats with %v
// ("523ms", "1.2s", "2m3.456s").

export function goDuration(ms: number): string {
  const whole = Math.max(0, Math.trunc(ms));
  if (whole === 0) return '0s';
  if (whole < 1000) return `${whole}ms`;
  const h = Math.floor(whole / 3_600_000);
  const m = Math.floor((whole % 3_600_000) / 60_000);
  const restMs = whole % 60_000;
  const secs = `${Math.floor(restMs / 1000)}${restMs % 1000 ? '.' + String(restMs % 1000).padStart(3, '0').replace(/0+$/, '') : ''}s`;
  if (h > 0) return `${h}h${m}m${secs}`;
  if (m > 0) return `${m}m${secs}`;
  return secs;
}
