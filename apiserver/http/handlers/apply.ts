// Server-side apply (PATCH with application/apply-patch+yaml): the applied configuration is
// merged into the live object (or creates it), ownership is recorded per field manager, and
// fields other managers own are conflicts (409) unless the request forces.
import { badRequest, conflictWithCauses, invalid, isStatusError, unexpectedError } from '../../api/errors.js';
import { required, path } from '../../api/field-errors.js';
import { isPlainObject, type KubeObject } from '../../api/object.js';
import { queryFlag } from '../../../lib/parse-bool.js';
import { sortedJSON } from '../../../lib/go-order.js';
import { fieldValidationOf } from '../../api/schema/field-validation.js';
import { unknownFields } from '../../api/schema/unknown-fields.js';
import type { ResourceCall } from '../resource-call.js';
import { parseDocument, readBody } from '../body.js';
import { sendObject } from './read.js';
import { addWarnings } from '../respond.js';
import { ApplyConflicts, decodeManagers, encodeManagers } from '../../apply/managers.js';
import { typedPatchErrors } from '../../apply/typed-patch.js';

export async function applyObject(call: ResourceCall): Promise<void> {
  const { rs, info, url, renderer } = call;
  const q = url.searchParams;
  if (!q.get('fieldManager')) {
    throw invalid({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', [required(path('fieldManager'), 'is required for apply patch')]);
  }
  const force = queryFlag(q, 'force');
  const directive = fieldValidationOf(q, 'PatchOptions');
  const doc = parseDocument(await readBody(call.req), 'apply-patch');
  if (!isPlainObject(doc)) throw badRequest('error decoding YAML: the applied configuration is not an object');
  const config = doc as KubeObject;
  if (config.apiVersion !== renderer.apiVersion || config.kind !== rs.def.kind) {
    throw badRequest(`the API version in the data (${String(config.apiVersion ?? '')}) does not match the expected API version (${renderer.apiVersion})`);
  }
  if (!isPlainObject(config.metadata)) config.metadata = {};
  if (config.metadata.name !== undefined && config.metadata.name !== info.name) {
    throw badRequest(`the name of the object (${String(config.metadata.name)}) does not match the name on the URL (${info.name})`);
  }
  config.metadata.name = info.name;
  const sub = info.subresource || undefined;
  const fm = call.api.fieldManager.context(rs.def, call.served.version, call.ctx, sub);
  const defs = call.api.schemas.definitions();
  const unknown = unknownFields(config, fm.schema, defs, true);
  // Upstream names the applied object as "namespace/name; group/version, Kind=Kind".
  const typedPatchFailure = (why: string) => `failed to create typed patch object (${config.metadata?.namespace ?? ''}/${info.name}; ${rs.def.group}/${call.served.version}, Kind=${rs.def.kind}): ${why}`;
  if (unknown.length && directive === 'Strict') {
    throw badRequest(typedPatchFailure(unknown.map((p) => `.${p}: field not declared in schema`).join(', ')));
  }
  // A value of the wrong type never merges (a string for a map would be stored and break every
  // typed reader); upstream's field manager fails with a plain error, which clients get as a 500.
  const typeErrors = typedPatchErrors(config, fm.schema, defs);
  if (typeErrors.length) {
    throw unexpectedError(typedPatchFailure(typeErrors.length === 1 ? typeErrors[0] : ['errors:', ...typeErrors.map((e) => `  ${e}`)].join('\n')));
  }
  if (directive === 'Warn') addWarnings(call.res, unknown.map((p) => `unknown field ${JSON.stringify(p)}`));

  // kubectl's own applies take over from its client-side applies, as Kubernetes' upgrade path
  // does: conflicts the last-applied annotation explains are forced, and the annotation then
  // follows what kubectl applies server-side. Another manager name opts out.
  const upgradesClientSideApply = fm.actor.manager === 'kubectl';
  const applied = (live: KubeObject): KubeObject => {
    try {
      const lastApplied = upgradesClientSideApply ? lastAppliedOf(live, renderer.apiVersion) : undefined;
      const forgiven = lastApplied && fm.fields.lastAppliedFields(live, lastApplied, fm.schema, fm.ignore);
      const r = fm.fields.apply(live, config, fm.schema, decodeManagers(live.metadata?.managedFields), fm.actor, fm.ignore, force, forgiven);
      const obj = r.object as KubeObject;
      obj.metadata = { ...obj.metadata, managedFields: encodeManagers(r.managers) };
      if (upgradesClientSideApply && live.metadata?.annotations?.[lastAppliedAnnotation]) {
        obj.metadata.annotations = { ...obj.metadata.annotations, [lastAppliedAnnotation]: lastAppliedValue(config) };
      }
      return obj;
    } catch (err) {
      if (err instanceof ApplyConflicts) {
        throw conflictWithCauses(err.message, err.conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${c.manager}`, field: c.path })));
      }
      throw err;
    }
  };

  let exists = true;
  try {
    rs.get(info.namespace, info.name);
  } catch (err) {
    if (!isStatusError(err, 'NotFound')) throw err;
    exists = false;
  }
  if (!exists && !sub) {
    const obj = applied({ apiVersion: renderer.apiVersion, kind: rs.def.kind, metadata: {} });
    const created = await rs.create(info.namespace, renderer.toStorage(obj), call.ctx, { keepManagedFields: true });
    sendObject(call, created, 201);
    return;
  }
  const updated = await rs.guaranteedUpdate(info.namespace, info.name, call.ctx,
    (cur) => renderer.toStorage(applied(renderer.view(cur))), { subresource: sub, keepManagedFields: true });
  sendObject(call, updated);
}

const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

/** The live object's client-side last-applied configuration, when it is of the served version. */
function lastAppliedOf(live: KubeObject, apiVersion: string): Record<string, unknown> | undefined {
  const text = live.metadata?.annotations?.[lastAppliedAnnotation];
  if (!text) return undefined;
  try {
    const doc = JSON.parse(text) as unknown;
    return isPlainObject(doc) && doc.apiVersion === apiVersion ? doc : undefined;
  } catch {
    return undefined;
  }
}

/** The annotation kubectl writes: the configuration without the annotation, keys sorted, newline-ended. */
function lastAppliedValue(config: KubeObject): string {
  const copy = structuredClone(config);
  if (copy.metadata?.annotations) delete copy.metadata.annotations[lastAppliedAnnotation];
  return `${sortedJSON(copy)}\n`;
}

