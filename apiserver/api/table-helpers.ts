// Small helpers for the per-kind printers.
import type { Column } from './table.js';

export const col = (name: string, description = '', priority = 0, type: Column['type'] = 'string'): Column =>
  ({ name, type, description, priority });

/** Joins values for a cell, "<none>" when empty, as Kubernetes' printers do. */
export function listOrNone(values: readonly string[] | undefined): string {
  return values && values.length > 0 ? values.join(',') : '<none>';
}

/** "a=b,c=d" for a label map, "<none>" when empty. */
export function labelsText(m: Record<string, string> | undefined): string {
  const entries = Object.entries(m ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : '<none>';
}

/** "<none>"-defaulted text. */
export const orNone = (s: string | undefined | null): string => (s ? s : '<none>');
