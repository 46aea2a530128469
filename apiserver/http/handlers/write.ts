// POST, PUT and DELETE of objects and collections.
import { badRequest, invalid, success } from '../../api/errors.js';
import { notSupported, path, invalidValue } from '../../api/field-errors.js';
import { isPlainObject } from '../../api/object.js';
import { queryOption } from '../../../lib/parse-bool.js';
import { decoded } from '../../registry/decoded.js';
import { listResource } from '../../registry/list.js';
import { parseListQuery } from '../../registry/list-query.js';
import type { DeleteOptions } from '../../registry/rest-store.js';
import { restRequest, type ResourceCall } from '../resource-call.js';
import { decodeObject, parseDocument, readBody } from '../body.js';
import { inputFormat, negotiateOutput } from '../negotiate.js';
import { sendOutput, sendStatus } from '../respond.js';
import { sendKV, sendObject } from './read.js';
import { checkBodyFields } from './fields.js';

/** Decodes the request body as an object of the served version, converted to storage. */
export async function readObject(call: ResourceCall, optionsKind: 'CreateOptions' | 'UpdateOptions' = 'CreateOptions') {
  const body = await readBody(call.req);
  const obj = decodeObject(body, call.req.headers['content-type'], { apiVersion: call.renderer.apiVersion, kind: call.rs.def.kind });
  checkBodyFields(call, obj, body, optionsKind);
  return call.renderer.toStorage(obj);
}

export async function createObject(call: ResourceCall): Promise<void> {
  const obj = await readObject(call);
  const virtual = call.api.virtualCreate(call.rs.def);
  if (virtual) return sendObject(call, await virtual(restRequest(call), obj), 201);
  const created = await call.rs.createValue(call.info.namespace, obj, call.ctx);
  if (created.kv) sendKV(call, created.kv, 201);
  else sendObject(call, created.dryRun, 201);
}

export async function updateObject(call: ResourceCall): Promise<void> {
  const obj = await readObject(call, 'UpdateOptions');
  const sub = call.info.subresource || undefined;
  const { object, created } = await call.rs.update(call.info.namespace, call.info.name, obj, call.ctx, sub);
  sendObject(call, object, created ? 201 : 200);
}

const propagationPolicies = ['Foreground', 'Background', 'Orphan'];

/** DeleteOptions from the body (if any) and the query string; the query wins, as in Kubernetes. */
export async function readDeleteOptions(call: ResourceCall): Promise<DeleteOptions> {
  const body = await readBody(call.req);
  let opts: DeleteOptions & { dryRun?: string[] } = {};
  if (body.length > 0) {
    const format = inputFormat(call.req.headers['content-type']);
    const doc = parseDocument(body, format === 'yaml' || format === 'protobuf' ? format : 'json');
    if (!isPlainObject(doc)) throw badRequest('DeleteOptions must be an object');
    opts = doc as DeleteOptions;
  }
  const q = call.url.searchParams;
  if (q.has('gracePeriodSeconds')) opts.gracePeriodSeconds = Number(q.get('gracePeriodSeconds'));
  if (q.has('propagationPolicy')) opts.propagationPolicy = q.get('propagationPolicy') as DeleteOptions['propagationPolicy'];
  const orphan = queryOption(q, 'orphanDependents');
  if (orphan !== undefined) opts.orphanDependents = orphan;
  const errs = [];
  if (opts.propagationPolicy !== undefined && !propagationPolicies.includes(opts.propagationPolicy)) {
    errs.push(notSupported(path('propagationPolicy'), opts.propagationPolicy, [...propagationPolicies, 'nil']));
  }
  if (opts.propagationPolicy !== undefined && opts.orphanDependents !== undefined) {
    errs.push(invalidValue(path('propagationPolicy'), opts.propagationPolicy, 'orphanDependents and deletionPropagation cannot be both set'));
  }
  if (opts.gracePeriodSeconds !== undefined && (!Number.isInteger(opts.gracePeriodSeconds) || opts.gracePeriodSeconds < 0)) {
    errs.push(invalidValue(path('gracePeriodSeconds'), opts.gracePeriodSeconds, 'must be greater than or equal to 0'));
  }
  if (errs.length) throw invalid({ group: 'meta.k8s.io', kind: 'DeleteOptions' }, '', errs);
  if (Array.isArray(opts.dryRun) && opts.dryRun.includes('All')) call.ctx.dryRun = true;
  return opts;
}

export async function deleteObject(call: ResourceCall): Promise<void> {
  const opts = await readDeleteOptions(call);
  const { object, deleted } = await call.rs.delete(call.info.namespace, call.info.name, opts, call.ctx);
  if (deleted && !call.rs.def.behaviour.returnDeletedObject) {
    const d = { name: call.info.name, kind: call.rs.def.plural, uid: object.metadata.uid, ...(call.rs.def.group ? { group: call.rs.def.group } : {}) };
    sendStatus(call.res, success(d));
    return;
  }
  sendObject(call, object, !deleted && opts.orphanDependents === false ? 202 : 200);
}

export async function deleteCollection(call: ResourceCall): Promise<void> {
  const opts = await readDeleteOptions(call);
  const q = parseListQuery(call.rs.def, call.url.searchParams);
  const page = await listResource(call.rs, call.api.store, call.info.namespace, { ...q, limit: undefined, continueToken: undefined });
  const deletedItems = [];
  for (const kv of page.items) {
    const o = decoded(kv);
    try {
      const { object } = await call.rs.delete(o.metadata.namespace ?? '', o.metadata.name ?? '', opts, call.ctx);
      deletedItems.push(object);
    } catch (err) {
      if ((err as { reason?: string }).reason !== 'NotFound') throw err;
    }
  }
  const output = negotiateOutput(call.req.headers.accept, []);
  const list = {
    kind: call.rs.def.listKind, apiVersion: call.renderer.apiVersion,
    metadata: { resourceVersion: String(call.api.store.revision()) },
    items: deletedItems.map((o) => call.renderer.view(o)),
  };
  sendOutput(call.res, 200, list, output);
}
