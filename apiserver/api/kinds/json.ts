// Small typed views over decoded JSON, so defaulting and validation code can walk objects that
// may hold anything a client sent without casting at every step.
import { isPlainObject } from '../object.js';

export type JsonObject = Record<string, unknown>;

export const asObject = (v: unknown): JsonObject | undefined => (isPlainObject(v) ? v : undefined);

/** The objects in a list (anything else in it is skipped). */
export const objects = (v: unknown): JsonObject[] => (Array.isArray(v) ? v.filter(isPlainObject) : []);

/** The object under `key`, created when missing (for defaulting nested structs). */
export function ensureObject(o: JsonObject, key: string): JsonObject {
  const cur = o[key];
  if (isPlainObject(cur)) return cur;
  const created: JsonObject = {};
  o[key] = created;
  return created;
}

export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
export const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
export const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

/** A string map (labels, selectors, node selectors). */
export function stringMap(v: unknown): Record<string, string> | undefined {
  if (!isPlainObject(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) out[k] = String(x);
  return out;
}

/** Sets `key` to `value` when it is absent (null counts as absent, as a nil pointer does). */
export function setDefault(o: JsonObject, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === null) o[key] = value;
}

/** Sets `key` when it is absent or the empty string (Go's zero value for string enums). */
export function setDefaultString(o: JsonObject, key: string, value: string): void {
  if (o[key] === undefined || o[key] === null || o[key] === '') o[key] = value;
}
