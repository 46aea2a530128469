// JSON patch (RFC 6902, application/json-patch+json) and JSON merge patch (RFC 7386,
// application/merge-patch+json), with the error shapes Kubernetes answers with.
import jsonPatch from 'fast-json-patch';
import { badRequest, StatusError } from '../api/errors.js';
import { clone, isPlainObject } from '../api/object.js';

/** RFC 7386: objects merge recursively, null deletes, anything else (arrays too) replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** 422 as Kubernetes reports a patch that does not apply: a fixed message, the reason as the cause. */
function doesNotApply(why: string): StatusError {
  return new StatusError({
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 422, reason: 'Invalid',
    message: 'the server rejected our request due to an error in our request',
    details: { causes: [{ reason: 'UnexpectedServerResponse', message: why }] },
  });
}

const ops = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** RFC 6902 on a copy of `target`. */
export function applyJsonPatch(target: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw badRequest(`json: cannot unmarshal ${isPlainObject(patch) ? 'object' : typeof patch} into Go value of type jsonpatch.Patch`);
  for (const op of patch) {
    if (!isPlainObject(op) || typeof op.op !== 'string') throw badRequest('Unexpected kind: ' + (isPlainObject(op) ? String(op.op) : typeof op));
    if (!ops.has(op.op)) throw doesNotApply(`Unexpected kind: ${op.op}`);
  }
  let doc = clone(target);
  for (const raw of patch as jsonPatch.Operation[]) {
    const error = jsonPatch.validate([raw], doc);
    if (error) throw doesNotApply(describe(raw, error));
    try {
      doc = jsonPatch.applyOperation(doc, raw, false, true, false).newDocument;
    } catch (err) {
      throw doesNotApply(describe(raw, err as Error));
    }
  }
  return doc;
}

/** Words a failed operation as Kubernetes' JSON patch library does. */
function describe(op: jsonPatch.Operation, err: Error & { name?: string }): string {
  const path = JSON.stringify(op.path);
  switch (err.name) {
    case 'TEST_OPERATION_FAILED': return `testing value ${op.path} failed: test failed`;
    case 'OPERATION_PATH_UNRESOLVABLE':
      if (op.op === 'replace') return `replace operation does not apply: doc is missing key: ${op.path}: missing value`;
      return `${op.op} operation does not apply: doc is missing path: ${path}: missing value`;
    case 'OPERATION_FROM_UNRESOLVABLE': return `${op.op} operation does not apply: doc is missing from path: ${JSON.stringify((op as { from?: string }).from)}: missing value`;
    case 'OPERATION_VALUE_REQUIRED': return `${op.op} operation does not apply: missing value`;
    default: return `${op.op} operation does not apply: ${err.message.split('\n')[0]}`;
  }
}
