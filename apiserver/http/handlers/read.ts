// GET of one object and LIST of a collection, in every representation kubectl asks for.
import { decoded } from '../../registry/decoded.js';
import { listResource } from '../../registry/list.js';
import { parseListQuery } from '../../registry/list-query.js';
import type { KV } from '../../storage/interfaces.js';
import type { KubeObject } from '../../api/object.js';
import { restRequest, type ResourceCall } from '../resource-call.js';
import { negotiateOutput } from '../negotiate.js';
import type { IncludeObject } from '../render.js';
import { sendOutput } from '../respond.js';

export function includeObject(url: URL): IncludeObject {
  const v = url.searchParams.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

export async function getObject(call: ResourceCall): Promise<void> {
  const virtual = call.api.virtualRead(call.rs.def);
  if (virtual) return sendObject(call, await virtual.get(restRequest(call), call.info.name));
  sendKV(call, call.rs.get(call.info.namespace, call.info.name));
}

/** Sends one stored object in the representation the client negotiated. */
export function sendKV(call: ResourceCall, kv: KV, code = 200): void {
  const output = negotiateOutput(call.req.headers.accept, ['table', 'partial']);
  // JSON and YAML are written from the stored bytes: only Tables and metadata views parse them.
  if (output.kind === 'table' || output.kind === 'partial') sendObject(call, decoded(kv), code);
  else sendOutput(call.res, code, call.renderer.json(kv), output);
}

/** Sends an object (stored or not, e.g. a dry run) as the client negotiated. */
export function sendObject(call: ResourceCall, obj: KubeObject, code = 200): void {
  const output = negotiateOutput(call.req.headers.accept, ['table', 'partial']);
  const { renderer } = call;
  if (output.kind === 'table') {
    sendOutput(call.res, code, renderer.table([obj], undefined, output, includeObject(call.url)), output);
  } else if (output.kind === 'partial') {
    sendOutput(call.res, code, renderer.partial(obj, output.metaVersion), output);
  } else {
    sendOutput(call.res, code, renderer.objectJson(obj), output);
  }
}

export async function listObjects(call: ResourceCall): Promise<void> {
  const { info, rs, renderer, url, api } = call;
  const output = negotiateOutput(call.req.headers.accept, ['table', 'partialList']);
  const virtual = api.virtualRead(rs.def);
  if (virtual) return sendVirtualList(call, await virtual.list(restRequest(call)), output);
  const q = parseListQuery(rs.def, url.searchParams);
  const page = await listResource(rs, api.store, info.namespace, q);
  const meta = { resourceVersion: page.resourceVersion, continue: page.continue, remainingItemCount: page.remainingItemCount };
  if (output.kind === 'table') {
    sendOutput(call.res, 200, renderer.table(page.items.map(decoded), meta, output, includeObject(url)), output);
  } else if (output.kind === 'partialList') {
    sendOutput(call.res, 200, renderer.partialList(page.items.map(decoded), meta, output.metaVersion), output);
  } else {
    sendOutput(call.res, 200, renderer.listJson(page.items, meta), output);
  }
}

/** A computed list: no resourceVersion, as Kubernetes serves componentstatuses. */
function sendVirtualList(call: ResourceCall, items: KubeObject[], output: ReturnType<typeof negotiateOutput>): void {
  const { renderer } = call;
  const meta = { resourceVersion: '' };
  if (output.kind === 'table') {
    sendOutput(call.res, 200, renderer.table(items, meta, output, includeObject(call.url)), output);
  } else if (output.kind === 'partialList') {
    sendOutput(call.res, 200, renderer.partialList(items, meta, output.metaVersion), output);
  } else {
    const list = { kind: renderer.def.listKind, apiVersion: renderer.apiVersion, metadata: {}, items: items.map((o) => renderer.view(o)) };
    sendOutput(call.res, 200, list, output);
  }
}
