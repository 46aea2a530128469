// Applies fieldValidation to a decoded request body: drops unknown fields, and warns about
// them or refuses the request, as the client asked.
import { badRequest } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { goDecodeError } from '../../api/schema/go-decode.js';
import { fieldProblems, fieldValidationOf, judgeFields } from '../../api/schema/field-validation.js';
import type { ResourceCall } from '../resource-call.js';
import { inputFormat } from '../negotiate.js';
import { addWarnings } from '../respond.js';

/** Checks a create or update body (`obj`, still in the served version) against its kind's schema. */
export function checkBodyFields(call: ResourceCall, obj: KubeObject, raw: Buffer, optionsKind: 'CreateOptions' | 'UpdateOptions'): void {
  const directive = fieldValidationOf(call.url.searchParams, optionsKind);
  const def = call.rs.def;
  const kind = call.api.schemas.forKind({ group: def.group, version: call.served.version, kind: def.kind });
  // Built-in kinds decode into Go structs first: a value of the wrong type fails whatever the directive.
  const decodeError = kind && !kind.custom ? goDecodeError(obj, kind.schema, call.api.schemas.definitions(), def.kind) : undefined;
  if (decodeError) throw badRequest(`${def.kind} in version ${JSON.stringify(call.served.version)} cannot be handled as a ${def.kind}: ${decodeError}`);
  const json = directive !== 'Ignore' && inputFormat(call.req.headers['content-type']) === 'json' ? raw.toString('utf8') : undefined;
  const { warnings, error } = judgeFields(fieldProblems(obj, kind?.schema, call.api.schemas.definitions(), json), directive, { kind: def.kind, version: call.served.version });
  if (error) throw error;
  addWarnings(call.res, warnings);
}
