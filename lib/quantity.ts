// resource.Quantity: "500m", "1.5Gi", "2e3". Parsed exactly (a BigInt mantissa times a power
// of ten) so comparisons never round, and printed in Kubernetes' canonical form, which is what
// the API server stores and returns ("1.5Gi" -> "1536Mi", "0.5" -> "500m", "1000" -> "1k").

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The value is mantissa * 10^exponent. */
  readonly mantissa: bigint;
  readonly exponent: number;
  readonly format: QuantityFormat;
}

export const quantityRegexp = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';

/** The message a malformed quantity gets when an object is decoded. */
export const quantityFormatError = `quantities must match the regular expression '${quantityRegexp}'`;

const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySuffixes: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const decimalByExponent = new Map(Object.entries(decimalSuffixes).map(([s, e]) => [e, s]));
const binaryByPower = new Map(Object.entries(binarySuffixes).map(([s, p]) => [p, s]));

/** The smallest scale Kubernetes keeps (nano); finer values round up to it. */
const minExponent = -9;

export class QuantityError extends Error {}

const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** Parses a quantity given as a string or a JSON number. Throws QuantityError. */
export function parseQuantity(input: string | number): Quantity {
  const text = typeof input === 'number' ? numberText(input) : input.trim();
  const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '') || !new RegExp(quantityRegexp).test(text)) {
    throw new QuantityError(quantityFormatError);
  }
  const [, sign, whole, frac = '', suffix] = m;
  let mantissa = BigInt((whole || '0') + frac);
  let exponent = -frac.length;
  let format: QuantityFormat;
  if (suffix in decimalSuffixes) {
    format = 'DecimalSI';
    exponent += decimalSuffixes[suffix];
  } else if (suffix in binarySuffixes) {
    format = 'BinarySI';
    mantissa *= 1024n ** BigInt(binarySuffixes[suffix]);
  } else if (/^[eE][-+]?[0-9]+$/.test(suffix)) {
    format = 'DecimalExponent';
    exponent += Number(suffix.slice(1));
  } else {
    throw new QuantityError('unable to parse quantity\'s suffix');
  }
  if (sign === '-') mantissa = -mantissa;
  if (exponent < minExponent) {
    // Round away from zero to nano precision, as Kubernetes does.
    const div = pow10(minExponent - exponent);
    const q = mantissa / div;
    mantissa = q * div === mantissa ? q : q + (mantissa < 0n ? -1n : 1n);
    exponent = minExponent;
  }
  return { mantissa, exponent, format };
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new QuantityError(quantityFormatError);
  // JSON numbers like 1e21 print in exponent form, which the grammar accepts.
  return String(n).replace('e+', 'e');
}

/** Like parseQuantity, but undefined instead of throwing. */
export function tryParseQuantity(input: unknown): Quantity | undefined {
  if (typeof input !== 'string' && typeof input !== 'number') return undefined;
  try {
    return parseQuantity(input);
  } catch {
    return undefined;
  }
}

function aligned(a: Quantity, b: Quantity): [bigint, bigint] {
  const e = Math.min(a.exponent, b.exponent);
  return [a.mantissa * pow10(a.exponent - e), b.mantissa * pow10(b.exponent - e)];
}

/** -1, 0 or 1 as a is less than, equal to or greater than b. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  const [x, y] = aligned(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function isZero(q: Quantity): boolean {
  return q.mantissa === 0n;
}

export function isNegative(q: Quantity): boolean {
  return q.mantissa < 0n;
}

/** Whether the value is a whole number (no fractional part). */
export function isInteger(q: Quantity): boolean {
  if (q.exponent >= 0) return true;
  return q.mantissa % pow10(-q.exponent) === 0n;
}

/** The value as a JS number (for ratios and display only). */
export function quantityValue(q: Quantity): number {
  return Number(q.mantissa) * 10 ** q.exponent;
}

/** The canonical string Kubernetes serializes a quantity as. */
export function formatQuantity(q: Quantity): string {
  if (q.mantissa === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const small = compareQuantities(abs(q), { mantissa: 1024n, exponent: 0, format }) < 0;
    if (small || !isInteger(q)) format = 'DecimalSI';
  }
  if (format === 'BinarySI') {
    let n = q.exponent >= 0 ? q.mantissa * pow10(q.exponent) : q.mantissa / pow10(-q.exponent);
    let power = 0;
    while (n % 1024n === 0n && binaryByPower.has(power + 1)) {
      n /= 1024n;
      power++;
    }
    return `${n}${binaryByPower.get(power) ?? ''}`;
  }
  let mantissa = q.mantissa;
  let exponent = q.exponent;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  // The exponent must be a multiple of 3: move the remainder into the mantissa.
  const rem = ((exponent % 3) + 3) % 3;
  mantissa *= pow10(rem);
  exponent -= rem;
  if (format === 'DecimalSI') {
    const suffix = decimalByExponent.get(exponent);
    if (suffix !== undefined) return `${mantissa}${suffix}`;
  }
  return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
}

function abs(q: Quantity): Quantity {
  return q.mantissa < 0n ? { ...q, mantissa: -q.mantissa } : q;
}

/** Parses and re-prints a quantity in canonical form. Throws QuantityError. */
export function canonicalQuantity(input: string | number): string {
  return formatQuantity(parseQuantity(input));
}

/** The zero value (what a missing quantity reads as). */
export const zeroQuantity: Quantity = { mantissa: 0n, exponent: 0, format: 'DecimalSI' };

/**
 * Rounds up (away from zero) to a multiple of 10^exponent, as Quantity.RoundUp: resource lists
 * in pods are kept to milli precision ("0.0001" cpu is stored as "1m").
 */
export function roundUpQuantity(q: Quantity, exponent: number): Quantity {
  if (q.exponent >= exponent) return q;
  const div = pow10(exponent - q.exponent);
  const whole = q.mantissa / div;
  const mantissa = whole * div === q.mantissa ? whole : whole + (q.mantissa < 0n ? -1n : 1n);
  return { mantissa, exponent, format: q.format };
}

/** a + b, exactly; the result keeps a's format (b's when a is zero), as Quantity.Add does. */
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  const [x, y] = aligned(a, b);
  return { mantissa: x + y, exponent: Math.min(a.exponent, b.exponent), format: isZero(a) ? b.format : a.format };
}

/** ceil(q * 1000), as Quantity.MilliValue (for cpu arithmetic). */
export function quantityMilliValue(q: Quantity): bigint {
  return roundUpQuantity(q, -3).mantissa * pow10(Math.max(0, q.exponent + 3));
}
