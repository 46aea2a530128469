// PATCH: decode the patch by its content type, apply it to the current object (or to the
// scale view), check the result's fields as fieldValidation asks, and write it through the
// same update path as PUT. Server-side apply has its own handler.
import { invalid, unsupportedMediaTypeOf } from '../../api/errors.js';
import { invalidValue, path } from '../../api/field-errors.js';
import { goDecodeError, unstructuredConvertError } from '../../api/schema/go-decode.js';
import { isPlainObject, type KubeObject } from '../../api/object.js';
import { duplicateFields } from '../../api/schema/duplicate-fields.js';
import { fieldValidationOf, judgeFields } from '../../api/schema/field-validation.js';
import { unknownFields } from '../../api/schema/unknown-fields.js';
import type { Schema } from '../../api/schema/schema.js';
import { applyJsonPatch, mergePatch } from '../../apply/json-patch.js';
import { goValue, patchErrorStatus, strategicMergePatch } from '../../apply/strategic-merge.js';
import { decoded } from '../../registry/decoded.js';
import type { ResourceCall } from '../resource-call.js';
import { sortedJSON } from '../../../lib/go-order.js';
import type { SubresourceResult } from '../../registry/subresource.js';
import { parseDocument, readBody } from '../body.js';
import { inputFormat, negotiateOutput, type InputFormat } from '../negotiate.js';
import { addWarnings, sendOutput } from '../respond.js';
import { sendObject } from './read.js';
import { scaleOf, writeScale } from './scale.js';
import { applyObject } from './apply.js';

const builtinPatchTypes = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];
const customPatchTypes = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];

interface ReadPatch {
  /** Applies the patch to one object (in the served version) and checks the result's fields. */
  patched(cur: KubeObject): KubeObject;
  /** fieldValidation warnings of the last application. */
  warnings: string[];
}

/** The request's patch, decoded by its content type; undefined for server-side apply. */
async function readPatch(call: ResourceCall): Promise<ReadPatch | undefined> {
  const format = inputFormat(String(call.req.headers['content-type'] ?? ''));
  const def = call.rs.def;
  const kind = call.info.subresource === 'scale'
    ? call.api.schemas.forKind({ group: 'autoscaling', version: 'v1', kind: 'Scale' })
    : call.api.schemas.forKind({ group: def.group, version: call.served.version, kind: def.kind });
  const custom = kind?.custom ?? false;
  if (!['json-patch', 'merge-patch', 'strategic-merge-patch', 'apply-patch'].includes(format) || (custom && format === 'strategic-merge-patch')) {
    throw unsupportedMediaTypeOf(custom ? customPatchTypes : builtinPatchTypes);
  }
  if (format === 'apply-patch') return undefined;
  const raw = await readBody(call.req);
  const patch = parseDocument(raw, format);
  const directive = fieldValidationOf(call.url.searchParams, 'PatchOptions');
  const duplicates = directive === 'Ignore' ? [] : duplicateFields(raw.toString('utf8')).map((p) => `${format === 'json-patch' ? 'json patch ' : ''}duplicate field ${JSON.stringify(p)}`);
  const defs = call.api.schemas.definitions();
  const warnings: string[] = [];
  const schema = kind?.schema;
  // Go names the struct in decode errors: "io.k8s.api.core.v1.ConfigMap" -> ConfigMap.
  const structName = kind ? kind.name.slice(kind.name.lastIndexOf('.') + 1) : '';

  const patched = (cur: KubeObject): KubeObject => {
    let next: KubeObject;
    try {
      next = applyPatch(cur, patch, format, schema, call);
    } catch (err) {
      throw patchErrorStatus(err);
    }
    // A built-in kind's result must decode into its Go type, as upstream decodes it.
    if (schema && !custom) {
      const err = format === 'strategic-merge-patch' ? unstructuredConvertError(next, schema, defs) : goDecodeError(next, schema, defs, structName);
      if (err) {
        const shown = format === 'strategic-merge-patch' ? goValue(patch) : sortedJSON(next);
        throw invalid({ group: '', kind: '' }, '', [invalidValue(path('patch'), shown, err)]);
      }
    }
    const problems = [...duplicates, ...unknownFields(next, schema, defs, true).map((p) => `unknown field ${JSON.stringify(p)}`)];
    const shown = format === 'strategic-merge-patch' ? goValue(patch) : JSON.stringify(next);
    const verdict = judgeFields(problems, directive, { patchValue: shown });
    if (verdict.error) throw verdict.error;
    warnings.splice(0, warnings.length, ...verdict.warnings);
    if (!isPlainObject(next.metadata)) next.metadata = {};
    return next;
  };
  return { patched, warnings };
}

/**
 * PATCH of a subresource that serves get and update with the parent's kind (a CSR's /approval):
 * the patch applies to what get answers and update writes the result, as Kubernetes patches
 * any subresource that can be read and replaced.
 */
export async function patchThroughGetAndUpdate(
  call: ResourceCall, get: () => Promise<KubeObject>, update: (obj: KubeObject) => Promise<SubresourceResult>,
): Promise<SubresourceResult> {
  const p = await readPatch(call);
  if (!p) throw unsupportedMediaTypeOf(builtinPatchTypes.filter((t) => t !== 'application/apply-patch+yaml'));
  const next = p.patched(call.renderer.view(await get()));
  const result = await update(call.renderer.toStorage(next));
  addWarnings(call.res, p.warnings);
  return result;
}

export async function patchObject(call: ResourceCall): Promise<void> {
  const p = await readPatch(call);
  if (!p) return applyObject(call);
  const { patched, warnings } = p;
  const def = call.rs.def;
  const { rs, info } = call;
  if (info.subresource === 'scale') {
    const cur = scaleOf(def.scale!, decoded(rs.get(info.namespace, info.name)));
    const result = await writeScale(call, patched(cur));
    addWarnings(call.res, warnings);
    sendOutput(call.res, 200, result, negotiateOutput(call.req.headers.accept, []));
    return;
  }
  const updated = await rs.guaranteedUpdate(info.namespace, info.name, call.ctx, (cur) => {
    const next = patched(call.renderer.view(cur));
    return call.renderer.toStorage(next);
  }, { subresource: info.subresource || undefined, preconditionFromObject: true });
  addWarnings(call.res, warnings);
  sendObject(call, updated);
}

function applyPatch(cur: KubeObject, patch: unknown, format: InputFormat, schema: Schema | undefined, call: ResourceCall): KubeObject {
  if (format === 'json-patch') return applyJsonPatch(cur, patch) as KubeObject;
  if (!isPlainObject(patch)) throw patchErrorStatus(new Error(`json: cannot unmarshal ${Array.isArray(patch) ? 'array' : typeof patch} into Go value of type map[string]interface {}`));
  if (format === 'merge-patch') return mergePatch(cur, patch) as KubeObject;
  return strategicMergePatch(cur, patch, schema, call.api.schemas.definitions()) as KubeObject;
}
