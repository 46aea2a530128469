// PATCH: decode the patch by its content type, apply it to the current object (or to the
// scale view), and write the result through the same update path as PUT.
import jsonPatch from 'fast-json-patch';
import { badRequest, unsupportedMediaType, StatusError } from '../../api/errors.js';
import { clone, isPlainObject, type KubeObject } from '../../api/object.js';
import { decoded } from '../../registry/decoded.js';
import type { ResourceCall } from '../api-context.js';
import { parseDocument, readBody } from '../body.js';
import { inputFormat, negotiateOutput, type InputFormat } from '../negotiate.js';
import { sendOutput } from '../respond.js';
import { sendObject } from './read.js';
import { scaleOf, writeScale } from './scale.js';

/** Applies a patch document to a JSON value; returns the patched copy. */
export type PatchApplier = (current: KubeObject, patch: unknown, format: InputFormat, call: ResourceCall) => KubeObject;

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** RFC 6902 JSON patch, with Kubernetes' error wording. */
export function applyJsonPatch(target: KubeObject, ops: unknown): KubeObject {
  if (!Array.isArray(ops)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  try {
    return jsonPatch.applyPatch(clone(target), ops as jsonPatch.Operation[], true, false).newDocument as KubeObject;
  } catch (err) {
    const e = err as { name?: string; message?: string };
    if (e.name === 'TEST_OPERATION_FAILED') throw new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 422, reason: 'Invalid', message: 'the server rejected our request due to an error in our request' });
    throw new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 422, reason: 'Invalid', message: `the server rejected our request due to an error in our request: ${e.message?.split('\n')[0]}` });
  }
}

/** The default applier: JSON patch and merge patch; strategic merge patch as merge patch. */
export const basicPatch: PatchApplier = (current, patch, format) => {
  if (format === 'json-patch') return applyJsonPatch(current, patch);
  if (!isPlainObject(patch)) throw badRequest('patch body must be a JSON object');
  return mergePatch(current, patch) as KubeObject;
};

let applier: PatchApplier = basicPatch;

/** Lets the full patch engine (strategic merge, server-side apply) replace the basic one. */
export function setPatchApplier(fn: PatchApplier): void {
  applier = fn;
}

export async function patchObject(call: ResourceCall): Promise<void> {
  const format = inputFormat(call.req.headers['content-type']);
  if (!['json-patch', 'merge-patch', 'strategic-merge-patch', 'apply-patch'].includes(format)) {
    throw unsupportedMediaType(String(call.req.headers['content-type'] ?? ''));
  }
  const patch = parseDocument(await readBody(call.req), format);
  const { rs, info } = call;
  if (info.subresource === 'scale') {
    const def = rs.def.scale;
    const cur = scaleOf(def!, decoded(rs.get(info.namespace, info.name)));
    const next = applier(cur, patch, format, call);
    const result = await writeScale(call, next);
    sendOutput(call.res, 200, result, negotiateOutput(call.req.headers.accept, []));
    return;
  }
  const sub = info.subresource || undefined;
  const updated = await rs.guaranteedUpdate(info.namespace, info.name, call.ctx, (cur) => {
    const served = call.renderer.view(cur);
    const next = applier(served, patch, format, call);
    if (!isPlainObject(next.metadata)) next.metadata = {};
    return call.renderer.toStorage(next);
  }, { subresource: sub, expectedRV: patchPrecondition(patch, format) });
  sendObject(call, updated);
}

/** A resourceVersion inside a merge-style patch is a precondition, as in Kubernetes. */
function patchPrecondition(patch: unknown, format: InputFormat): number | undefined {
  if (format === 'json-patch' || !isPlainObject(patch) || !isPlainObject(patch.metadata)) return undefined;
  const rv = patch.metadata.resourceVersion;
  return typeof rv === 'string' && /^\d+$/.test(rv) ? Number(rv) : undefined;
}
