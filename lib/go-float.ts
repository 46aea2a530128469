// Numbers as Go's strconv.FormatFloat(v, 'g', -1, 64) writes them, which is how Prometheus'
// Go client puts sample values in the text format: shortest digits, exponent form when the
// exponent is below -4 or at least 6 ("1.253376e+07", "4.710169", "1e-05").
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mantissa, expText] = v.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  // Plain form: JS's own is shortest digits too and never exponent in this range.
  return String(v);
}
