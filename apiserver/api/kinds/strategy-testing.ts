// Runs a kind's strategy hooks in the generic store's order, for unit tests.
import type { FieldError } from '../field-errors.js';
import { clone, type KubeObject } from '../object.js';
import type { Strategy, StrategyContext } from '../resource.js';
import { rowCells, type TableDef } from '../table.js';

const ctx: StrategyContext = { namespace: 'default', user: { name: 'alice', groups: ['devs', 'system:authenticated'] } };

export const messages = (errs: readonly FieldError[]): string[] => errs.map((e) => `${e.field}: ${e.body}`);

/** default -> prepareForCreate -> validate; returns the object as it would be stored, and the errors. */
export function created(s: Strategy, input: KubeObject): { obj: KubeObject; errors: string[] } {
  const obj = clone(input);
  obj.metadata ??= {};
  s.default?.(obj);
  s.prepareForCreate?.(obj, ctx);
  const errors = messages(s.validate?.(obj, ctx) ?? []);
  if (!errors.length) s.canonicalize?.(obj);
  return { obj, errors };
}

/** The update path: default -> prepareForUpdate -> validateUpdate. */
export function updated(s: Strategy, old: KubeObject, input: KubeObject, subresource?: string): { obj: KubeObject; errors: string[] } {
  const obj = clone(input);
  const c = { ...ctx, subresource };
  s.default?.(obj);
  s.prepareForUpdate?.(obj, clone(old), c);
  const errs = s.validateUpdate ? s.validateUpdate(obj, clone(old), c) : s.validate?.(obj, c);
  const errors = messages(errs ?? []);
  return { obj, errors };
}

/** A table row (NAME first unless the table says otherwise) a minute after creation. */
export function row(t: TableDef, obj: KubeObject): unknown[] {
  const created = Date.parse('2024-01-01T00:00:00Z');
  const o = clone(obj);
  o.metadata.creationTimestamp ??= '2024-01-01T00:00:00Z';
  return rowCells(t, o, created + 60_000);
}
