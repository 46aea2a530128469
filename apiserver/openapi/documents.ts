// The OpenAPI documents: one Swagger 2.0 document for the whole API (/openapi/v2) and one
// OpenAPI 3.0 document per group-version (/openapi/v3/apis/<group>/<version>), as Kubernetes
// serves them.
import type { Definitions } from '../api/schema/schema.js';
import { groupIdPart, groupVersionRoot, type GroupVersionOperations, type Operation, type Param } from './operations.js';
import { reachable, renderDefinitions } from './render-schema.js';

const bearer = { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' };

/** "apps_v1", "core_v1", "rbacAuthorization_v1": the tag Kubernetes gives a group-version's operations. */
function tag(group: string, version: string): string {
  const g = groupIdPart(group);
  return `${g.charAt(0).toLowerCase()}${g.slice(1)}_${version}`;
}

function operationRoots(gv: GroupVersionOperations): Set<string> {
  const roots = new Set<string>();
  for (const item of gv.paths) {
    for (const op of item.operations) {
      if (op.body) roots.add(op.body.definition);
      for (const d of Object.values(op.responses)) roots.add(d);
    }
  }
  return roots;
}

// ---- v2 --------------------------------------------------------------------------------

function v2Param(p: Param): Record<string, unknown> {
  const out: Record<string, unknown> = { uniqueItems: true, type: p.type, description: p.description, name: p.name, in: p.in };
  if (p.required) out.required = true;
  return out;
}

function v2Operation(op: Operation, t: string): Record<string, unknown> {
  const params: unknown[] = [];
  if (op.body) params.push({ name: 'body', in: 'body', required: true, schema: { $ref: `#/definitions/${op.body.definition}` } });
  params.push(...op.params.map(v2Param));
  const responses: Record<string, unknown> = {};
  for (const [code, def] of Object.entries(op.responses)) {
    responses[code] = { description: code === '201' ? 'Created' : code === '202' ? 'Accepted' : 'OK', schema: { $ref: `#/definitions/${def}` } };
  }
  responses['401'] = { description: 'Unauthorized' };
  const out: Record<string, unknown> = { description: op.description };
  if (op.body) out.consumes = op.body.mediaTypes;
  Object.assign(out, {
    produces: op.produces, schemes: ['https'], tags: [t], operationId: op.operationId, parameters: params, responses,
    'x-kubernetes-action': op.action, 'x-kubernetes-group-version-kind': op.gvk,
  });
  return out;
}

export function buildV2(gvs: readonly GroupVersionOperations[], defs: Definitions, version: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const roots = new Set<string>();
  for (const gv of gvs) {
    const t = tag(gv.group, gv.version);
    for (const item of gv.paths) {
      const entry: Record<string, unknown> = {};
      for (const op of item.operations) entry[op.method] = v2Operation(op, t);
      entry.parameters = item.params.map(v2Param);
      paths[item.path] = entry;
    }
    for (const r of operationRoots(gv)) roots.add(r);
  }
  // Every kind is described, served or not, as Kubernetes' document describes every model.
  for (const [name, def] of defs) if (def['x-kubernetes-group-version-kind']) roots.add(name);
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version },
    paths,
    definitions: renderDefinitions(reachable(roots, defs), defs, 'v2'),
    securityDefinitions: { BearerToken: bearer },
    security: [{ BearerToken: [] }],
  };
}

// ---- v3 --------------------------------------------------------------------------------

function v3Param(p: Param): Record<string, unknown> {
  const out: Record<string, unknown> = { name: p.name, in: p.in, description: p.description };
  if (p.required) out.required = true;
  out.schema = { type: p.type, uniqueItems: true };
  return out;
}

function v3Operation(op: Operation, t: string): Record<string, unknown> {
  const ref = (d: string) => ({ schema: { $ref: `#/components/schemas/${d}` } });
  const out: Record<string, unknown> = { tags: [t], description: op.description, operationId: op.operationId };
  if (op.params.length) out.parameters = op.params.map(v3Param);
  if (op.body) {
    out.requestBody = { content: Object.fromEntries(op.body.mediaTypes.map((m) => [m, ref(op.body!.definition)])), required: true };
  }
  const responses: Record<string, unknown> = {};
  for (const [code, def] of Object.entries(op.responses)) {
    responses[code] = {
      description: code === '201' ? 'Created' : code === '202' ? 'Accepted' : 'OK',
      content: Object.fromEntries(op.produces.map((m) => [m, ref(def)])),
    };
  }
  responses['401'] = { description: 'Unauthorized' };
  out.responses = responses;
  out['x-kubernetes-action'] = op.action;
  out['x-kubernetes-group-version-kind'] = op.gvk;
  return out;
}

export function buildV3(gv: GroupVersionOperations, defs: Definitions, version: string): Record<string, unknown> {
  const t = tag(gv.group, gv.version);
  const paths: Record<string, unknown> = {};
  for (const item of gv.paths) {
    const entry: Record<string, unknown> = {};
    for (const op of item.operations) entry[op.method] = v3Operation(op, t);
    entry.parameters = item.params.map(v3Param);
    paths[item.path] = entry;
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version },
    paths,
    components: {
      schemas: renderDefinitions(reachable(operationRoots(gv), defs), defs, 'v3'),
      securitySchemes: { BearerToken: bearer },
    },
  };
}

/** The path of a group-version in the /openapi/v3 index: "api/v1", "apis/apps/v1". */
export function v3IndexPath(group: string, version: string): string {
  return groupVersionRoot(group, version).slice(1);
}
