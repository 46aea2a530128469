// Field-level validation errors with paths, formatted as Kubernetes formats them
// (field.Error in apimachinery), so kubectl shows the same lines.

export type FieldErrorType =
  | 'FieldValueNotFound' | 'FieldValueRequired' | 'FieldValueDuplicate' | 'FieldValueInvalid'
  | 'FieldValueNotSupported' | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueTooMany'
  | 'InternalError' | 'FieldValueTypeInvalid';

const typeText: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** Types whose message never shows the offending value. */
const valueless = new Set<FieldErrorType>(['FieldValueRequired', 'FieldValueForbidden', 'FieldValueTooLong', 'InternalError']);

export interface FieldError {
  readonly type: FieldErrorType;
  readonly field: string;
  /** Everything after "field: ", e.g. `Invalid value: "x": must be ...`. */
  readonly body: string;
}

/** An immutable field path: path('spec').child('containers').index(0). */
export class FieldPath {
  private constructor(private readonly text: string) {}

  static root(...names: string[]): FieldPath {
    return new FieldPath(names.join('.'));
  }

  child(...names: string[]): FieldPath {
    // Empty names are skipped (as a join of the non-empty parts); validation builds paths for
    // every field it checks, so this stays a plain loop.
    let text = this.text;
    for (const n of names) if (n) text = text ? `${text}.${n}` : n;
    return new FieldPath(text);
  }

  index(i: number): FieldPath {
    return new FieldPath(`${this.text}[${i}]`);
  }

  key(k: string): FieldPath {
    return new FieldPath(`${this.text}[${k}]`);
  }

  toString(): string {
    return this.text;
  }
}

export const path = (...names: string[]) => FieldPath.root(...names);

/** A value printed the way Go's %#v prints it (slices, structs), for messages that show one. */
export class GoValue {
  constructor(readonly text: string) {}
}

/** A []string as Go prints it: []string{"a", "b"}, or []string(nil). */
export function goStrings(values: readonly string[] | null | undefined): GoValue {
  return new GoValue(values ? `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}` : '[]string(nil)');
}

/** Formats a bad value the way Go's %v / %q does for the common cases. */
export function formatValue(v: unknown): string {
  if (v instanceof GoValue) return v.text;
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

const omit = Symbol('omitValue');

function make(type: FieldErrorType, p: FieldPath, value: unknown, detail: string): FieldError {
  let body = typeText[type];
  if (!valueless.has(type) && value !== omit) body += `: ${formatValue(value)}`;
  if (detail) body += `: ${detail}`;
  return { type, field: p.toString(), body };
}

export const required = (p: FieldPath, detail = '') => make('FieldValueRequired', p, omit, detail);
export const invalidValue = (p: FieldPath, value: unknown, detail = '') => make('FieldValueInvalid', p, value, detail);
export const forbiddenField = (p: FieldPath, detail: string) => make('FieldValueForbidden', p, omit, detail);
export const duplicate = (p: FieldPath, value: unknown) => make('FieldValueDuplicate', p, value, '');
export const notFoundField = (p: FieldPath, value: unknown) => make('FieldValueNotFound', p, value, '');
export const tooLong = (p: FieldPath, max: number) =>
  make('FieldValueTooLong', p, omit, `may not be more than ${max} ${max === 1 ? 'byte' : 'bytes'}`);
export const tooMany = (p: FieldPath, actual: number, max: number) =>
  make('FieldValueTooMany', p, actual, `must have at most ${max} items`);
export const typeInvalid = (p: FieldPath, value: unknown, detail: string) => make('FieldValueTypeInvalid', p, value, detail);

export function notSupported(p: FieldPath, value: unknown, supported: readonly string[]): FieldError {
  const detail = supported.length ? 'supported values: ' + supported.map((s) => JSON.stringify(s)).join(', ') : '';
  return make('FieldValueNotSupported', p, value, detail);
}

/** One error per message, the way validation helpers returning []string are reported. */
export function invalidEach(p: FieldPath, value: unknown, messages: readonly string[]): FieldError[] {
  return messages.map((m) => invalidValue(p, value, m));
}

/** The text Kubernetes' ErrorList.ToAggregate() prints: one message, or "[a, b]" (deduplicated). */
export function aggregate(errs: readonly FieldError[]): string {
  const msgs = [...new Set(errs.map((e) => `${e.field}: ${e.body}`))];
  if (msgs.length === 0) return '';
  return msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]`;
}
