// The scale subresource: an autoscaling/v1 Scale view over a resource's replica fields.
import { badRequest, invalid, notFound } from '../../api/errors.js';
import { invalidValue, path } from '../../api/field-errors.js';
import { isPlainObject, type KubeObject } from '../../api/object.js';
import type { ScaleDef } from '../../api/resource.js';
import { decoded } from '../../registry/decoded.js';
import { parseResourceVersion } from '../../registry/rest-store.js';
import type { ResourceCall } from '../resource-call.js';
import { decodeObject, readBody } from '../body.js';
import { negotiateOutput } from '../negotiate.js';
import { sendOutput } from '../respond.js';

export function scaleOf(def: ScaleDef, o: KubeObject): KubeObject {
  const m = o.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: def.specReplicas(o) },
    status: { replicas: def.statusReplicas(o), selector: def.selector(o) },
  };
}

function scaleDef(call: ResourceCall): ScaleDef {
  const def = call.rs.def.scale;
  if (!def) throw notFound(call.rs.gr, call.info.name);
  return def;
}

export async function getScale(call: ResourceCall): Promise<void> {
  const kv = call.rs.get(call.info.namespace, call.info.name);
  sendOutput(call.res, 200, scaleOf(scaleDef(call), decoded(kv)), negotiateOutput(call.req.headers.accept, []));
}

/** Writes a desired Scale into its resource; shared by PUT and PATCH of /scale. */
export async function writeScale(call: ResourceCall, scale: KubeObject): Promise<KubeObject> {
  const def = scaleDef(call);
  const spec = scale.spec;
  const replicas = isPlainObject(spec) ? spec.replicas : undefined;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw invalid({ group: 'autoscaling', kind: 'Scale' }, call.info.name, [
      invalidValue(path('spec', 'replicas'), replicas ?? null, 'must be greater than or equal to 0'),
    ]);
  }
  if (scale.metadata.name && scale.metadata.name !== call.info.name) {
    throw badRequest(`the name of the object (${scale.metadata.name}) does not match the name on the URL (${call.info.name})`);
  }
  const expectedRV = parseResourceVersion(scale.metadata.resourceVersion);
  const updated = await call.rs.guaranteedUpdate(call.info.namespace, call.info.name, call.ctx, (cur) => {
    def.setSpecReplicas(cur, replicas);
    return cur;
  }, { expectedRV, subresource: 'scale' });
  return scaleOf(def, updated);
}

export async function updateScale(call: ResourceCall): Promise<void> {
  const body = await readBody(call.req);
  const scale = decodeObject(body, call.req.headers['content-type'], { apiVersion: 'autoscaling/v1', kind: 'Scale' });
  const result = await writeScale(call, scale);
  sendOutput(call.res, 200, result, negotiateOutput(call.req.headers.accept, []));
}
