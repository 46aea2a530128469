// fieldValidation=Ignore|Warn|Strict: what happens to fields a body has but its kind does not,
// and to keys a JSON body repeats. Unknown fields are always dropped, as Kubernetes drops them
// when decoding; Warn reports each, Strict refuses the request.
import { badRequest, invalid, type StatusError } from '../errors.js';
import { invalidValue, notSupported, path } from '../field-errors.js';
import { duplicateFields } from './duplicate-fields.js';
import type { Definitions, Schema } from './schema.js';
import { unknownFields } from './unknown-fields.js';

export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

const directives = ['', 'Ignore', 'Strict', 'Warn'];

/** The directive of a request; no directive means Warn, as in Kubernetes. */
export function fieldValidationOf(query: URLSearchParams, optionsKind: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions'): FieldValidation {
  const v = query.get('fieldValidation') ?? '';
  if (!directives.includes(v)) {
    throw invalid({ group: 'meta.k8s.io', kind: optionsKind }, '', [notSupported(path('fieldValidation'), v, directives)]);
  }
  return (v || 'Warn') as FieldValidation;
}

/** Each problem of a decoded body, as Kubernetes words it: `unknown field "spec.foo"`, `duplicate field "a"`. */
export function fieldProblems(obj: unknown, schema: Schema | undefined, defs: Definitions, rawJson?: string): string[] {
  const dups = rawJson === undefined ? [] : duplicateFields(rawJson);
  const unknown = schema ? unknownFields(obj, schema, defs, true) : [];
  return [...unknown.map((p) => `unknown field ${JSON.stringify(p)}`), ...dups.map((p) => `duplicate field ${JSON.stringify(p)}`)];
}

export function strictDecodingMessage(problems: readonly string[]): string {
  return `strict decoding error: ${problems.join(', ')}`;
}

/** How a refused body is described: as the object of a create/update, or as a patch (422 on "patch"). */
export type FieldContext = { kind: string; version: string } | { patchValue: string };

/** The warnings to send for `problems` under `directive`, or the error to refuse the request with. */
export function judgeFields(
  problems: readonly string[], directive: FieldValidation, context: FieldContext,
): { warnings: string[]; error?: StatusError } {
  if (problems.length === 0 || directive === 'Ignore') return { warnings: [] };
  if (directive === 'Warn') return { warnings: [...problems] };
  if ('patchValue' in context) {
    return { warnings: [], error: invalid({ group: '', kind: '' }, '', [invalidValue(path('patch'), context.patchValue, strictDecodingMessage(problems))]) };
  }
  const { kind, version } = context;
  return { warnings: [], error: badRequest(`${kind} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: ${strictDecodingMessage(problems)}`) };
}
