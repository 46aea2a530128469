// Test helpers for the workload kinds: run a strategy's hooks in the generic store's order and
// read the resulting errors as the lines kubectl prints.
import { StatusError } from '../errors.js';
import type { FieldError } from '../field-errors.js';
import { clone, type KubeObject } from '../object.js';
import type { Strategy, StrategyContext } from '../resource.js';

const ctx: StrategyContext = { namespace: 'default' };

export const lines = (errs: readonly FieldError[]): string[] => errs.map((e) => `${e.field}: ${e.body}`);

/** default -> prepareForCreate -> validate, on a copy stamped with a name, namespace and uid. */
export function createObject(s: Strategy, input: KubeObject): { obj: KubeObject; errors: string[] } {
  const obj = clone(input);
  obj.metadata = { namespace: 'default', uid: '11111111-2222-3333-4444-555555555555', ...obj.metadata };
  s.default?.(obj);
  s.prepareForCreate?.(obj, ctx);
  return { obj, errors: lines(s.validate?.(obj, ctx) ?? []) };
}

/** default -> prepareForUpdate -> validateUpdate (status carried over as the store does). */
export function updateObject(s: Strategy, old: KubeObject, input: KubeObject, subresource?: string): { obj: KubeObject; errors: string[] } {
  const obj = clone(input);
  s.default?.(obj);
  if (old.status !== undefined && subresource === undefined) obj.status = clone(old.status);
  s.prepareForUpdate?.(obj, clone(old), { ...ctx, subresource });
  const errs = s.validateUpdate ? s.validateUpdate(obj, clone(old), { ...ctx, subresource }) : s.validate?.(obj, ctx);
  return { obj, errors: lines(errs ?? []) };
}

/** The message of the StatusError a hook throws (decode errors). */
export function thrownMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof StatusError) return `${err.status.code} ${err.status.reason}: ${err.message}`;
    throw err;
  }
  return '';
}
