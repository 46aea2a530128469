// Custom subresources (registry/subresource.ts) over HTTP: the verb picks get, create, update
// or connect; a create or update body is decoded as the subresource's kind; what comes back is
// written as Kubernetes writes it.
import { methodNotSupported, type Status } from '../../api/errors.js';
import { isPlainObject, type KubeObject } from '../../api/object.js';
import { apiVersionOf } from '../../api/resource.js';
import type { SubresourceDef, SubresourceResult } from '../../registry/subresource.js';
import { decodeObject, readBody } from '../body.js';
import { restRequest, type ResourceCall } from '../resource-call.js';
import { send, sendStatus } from '../respond.js';
import { sendObject } from './read.js';
import { readObject } from './write.js';
import { patchThroughGetAndUpdate } from './patch.js';

export async function serveSubresource(call: ResourceCall, sub: SubresourceDef): Promise<void> {
  const req = restRequest(call);
  if (sub.connect) return sub.connect(req, { req: call.req, res: call.res, url: call.url });
  const { verb } = call.info;
  if (verb === 'get' && sub.get) return render(call, await sub.get(req), 200);
  if (verb === 'create' && sub.create) return render(call, await sub.create(req, await readSubresourceBody(call, sub)), 201);
  if (verb === 'update' && sub.update) return render(call, await sub.update(req, await readSubresourceBody(call, sub)), 200);
  if (verb === 'patch' && sub.get && sub.update && sub.kind === call.rs.def.kind && !sub.group) {
    const { get, update } = sub;
    return render(call, await patchThroughGetAndUpdate(call, async () => (await get(req)) as KubeObject, (obj) => update(req, obj)), 200);
  }
  throw methodNotSupported({ group: call.rs.gr.group, resource: `${call.rs.def.plural}/${sub.name}` }, verb);
}

/** The body: the parent's own kind in the served version (converted to storage), or the subresource's kind. */
async function readSubresourceBody(call: ResourceCall, sub: SubresourceDef): Promise<KubeObject> {
  if (sub.kind === call.rs.def.kind && !sub.group && !sub.version) return readObject(call);
  const buf = await readBody(call.req);
  const contentType = call.req.headers['content-type'];
  return decodeObject(buf, contentType, { apiVersion: bodyVersion(buf, contentType, sub), kind: sub.kind });
}

/** The subresource's apiVersion, or another one it takes when a JSON body names it. */
function bodyVersion(buf: Buffer, contentType: string | undefined, sub: SubresourceDef): string {
  const own = apiVersionOf(sub.group ?? '', sub.version ?? 'v1');
  if (!sub.otherVersions?.length || contentType?.includes('protobuf')) return own;
  try {
    const doc = JSON.parse(buf.toString('utf8')) as unknown;
    if (isPlainObject(doc) && typeof doc.apiVersion === 'string' && sub.otherVersions.includes(doc.apiVersion)) return doc.apiVersion;
  } catch {
    // YAML or malformed: decodeObject reports it
  }
  return own;
}

function render(call: ResourceCall, result: SubresourceResult, code: number): void {
  if (result.kind === 'Status') sendStatus(call.res, result as Status);
  else if (result.kind === call.rs.def.kind) sendObject(call, result as KubeObject, code);
  else send(call.res, code, `${JSON.stringify(result)}\n`);
}
