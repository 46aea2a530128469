// The REST operations of every served resource, described once in a neutral form that the
// OpenAPI v2 and v3 writers both render: paths, verbs, parameters, bodies and responses, with
// the x-kubernetes-action and x-kubernetes-group-version-kind extensions kubectl looks for
// (its fieldValidation support check reads the PATCH operation's parameters).
import type { Registry } from '../api/registry.js';
import type { ResourceDef } from '../api/resource.js';
import type { GroupVersionKind } from '../api/schema/schema.js';
import type { SchemaRegistry } from '../api/schema/schema-registry.js';

export const metaDefinitions = {
  status: 'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
  deleteOptions: 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  watchEvent: 'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent',
  patch: 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
  scale: 'io.k8s.api.autoscaling.v1.Scale',
} as const;

export type ParamType = 'string' | 'integer' | 'boolean';

export interface Param {
  name: string;
  in: 'path' | 'query';
  type: ParamType;
  description: string;
  required?: boolean;
}

export interface Operation {
  method: 'get' | 'put' | 'post' | 'patch' | 'delete';
  operationId: string;
  description: string;
  action: 'get' | 'list' | 'watch' | 'watchlist' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection';
  gvk: GroupVersionKind;
  params: Param[];
  /** Definition name of the request body and the media types it may come in. */
  body?: { definition: string; mediaTypes: string[] };
  /** Status code -> definition name of the response. */
  responses: Record<string, string>;
  /** Response media types. */
  produces: string[];
}

export interface PathItem {
  path: string;
  /** Parameters shared by every operation of the path. */
  params: Param[];
  operations: Operation[];
}

/** One group-version's operations, in path order. */
export interface GroupVersionOperations {
  group: string;
  version: string;
  paths: PathItem[];
}

const q = (name: string, type: ParamType, description: string): Param => ({ name, in: 'query', type, description });
const pathParam = (name: string, description: string): Param => ({ name, in: 'path', type: 'string', description, required: true });

const p = {
  name: (kind: string) => pathParam('name', `name of the ${kind}`),
  namespace: pathParam('namespace', 'object name and auth scope, such as for teams and projects'),
  pretty: q('pretty', 'string', "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget)."),
  dryRun: q('dryRun', 'string', 'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed'),
  fieldManager: q('fieldManager', 'string', 'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.'),
  fieldValidation: q('fieldValidation', 'string', 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.'),
  force: q('force', 'boolean', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.'),
  gracePeriodSeconds: q('gracePeriodSeconds', 'integer', 'The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately.'),
  orphanDependents: q('orphanDependents', 'boolean', 'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned.'),
  propagationPolicy: q('propagationPolicy', 'string', "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. Acceptable values are: 'Orphan', 'Background' and 'Foreground'."),
  list: [
    q('allowWatchBookmarks', 'boolean', 'allowWatchBookmarks requests watch events with type "BOOKMARK".'),
    q('continue', 'string', 'The continue option should be set when retrieving more results from the server.'),
    q('fieldSelector', 'string', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
    q('labelSelector', 'string', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
    q('limit', 'integer', 'limit is a maximum number of responses to return for a list call.'),
    q('resourceVersion', 'string', 'resourceVersion sets a constraint on what resource versions a request may be served from.'),
    q('resourceVersionMatch', 'string', 'resourceVersionMatch determines how resourceVersion is applied to list calls.'),
    q('sendInitialEvents', 'boolean', '`sendInitialEvents=true` may be set together with `watch=true`.'),
    q('timeoutSeconds', 'integer', 'Timeout for the list/watch call.'),
    q('watch', 'boolean', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.'),
  ],
};

const json = 'application/json';
const objectMedia = [json, 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const watchMedia = [...objectMedia, 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'];
const patchMedia = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];
const customPatchMedia = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];

/** "networking.k8s.io" -> "Networking", "" -> "Core": how operation ids name a group. */
export function groupIdPart(group: string): string {
  if (!group) return 'Core';
  return group.replace(/\.k8s\.io$/, '').split(/[.-]/).map((s) => s.charAt(0).toUpperCase() + s.slice(1)).join('');
}

/** The root of a group-version's paths: /api/v1 or /apis/<group>/<version>. */
export function groupVersionRoot(group: string, version: string): string {
  return group ? `/apis/${group}/${version}` : `/api/${version}`;
}

/** The operations of one resource at one served version. */
function resourceOperations(def: ResourceDef, version: string, kindDef: string, listDef: string | undefined, custom: boolean): PathItem[] {
  const gvk = { group: def.group, version, kind: def.kind };
  const id = (verb: string, suffix = '') => `${verb}${groupIdPart(def.group)}${version.charAt(0).toUpperCase()}${version.slice(1)}${def.namespaced ? 'Namespaced' : ''}${def.kind}${suffix}`;
  const root = groupVersionRoot(def.group, version);
  const scope = def.namespaced ? `${root}/namespaces/{namespace}/${def.plural}` : `${root}/${def.plural}`;
  const scopeParams = def.namespaced ? [p.namespace, p.pretty] : [p.pretty];
  const has = (verb: string) => def.verbs.includes(verb);
  const items: PathItem[] = [];
  const writeParams = [p.dryRun, p.fieldManager, p.fieldValidation];
  const patch = (opId: string, description: string, def2: string, g: GroupVersionKind): Operation => ({
    method: 'patch', operationId: opId, description, action: 'patch', gvk: g,
    params: [...writeParams, p.force],
    body: { definition: metaDefinitions.patch, mediaTypes: custom ? customPatchMedia : patchMedia },
    responses: { 200: def2, 201: def2 }, produces: objectMedia,
  });
  const collection: Operation[] = [];
  if (has('list') && listDef) {
    collection.push({
      method: 'get', operationId: id('list'), description: `list or watch objects of kind ${def.kind}`, action: 'list', gvk,
      params: p.list, responses: { 200: listDef }, produces: watchMedia,
    });
  }
  if (has('create')) {
    collection.push({
      method: 'post', operationId: id('create'), description: `create a ${def.kind}`, action: 'post', gvk,
      params: writeParams, body: { definition: kindDef, mediaTypes: ['*/*'] },
      responses: { 200: kindDef, 201: kindDef, 202: kindDef }, produces: objectMedia,
    });
  }
  if (has('deletecollection')) {
    collection.push({
      method: 'delete', operationId: id('deleteCollection'), description: `delete collection of ${def.kind}`, action: 'deletecollection', gvk,
      params: [...p.list.filter((x) => x.name !== 'watch' && x.name !== 'allowWatchBookmarks'), p.dryRun, p.gracePeriodSeconds, p.orphanDependents, p.propagationPolicy],
      body: { definition: metaDefinitions.deleteOptions, mediaTypes: ['*/*'] },
      responses: { 200: metaDefinitions.status }, produces: objectMedia,
    });
  }
  if (collection.length) items.push({ path: scope, params: scopeParams, operations: collection });

  const item: Operation[] = [];
  if (has('get')) {
    item.push({ method: 'get', operationId: id('read'), description: `read the specified ${def.kind}`, action: 'get', gvk, params: [], responses: { 200: kindDef }, produces: objectMedia });
  }
  if (has('update')) {
    item.push({
      method: 'put', operationId: id('replace'), description: `replace the specified ${def.kind}`, action: 'put', gvk,
      params: writeParams, body: { definition: kindDef, mediaTypes: ['*/*'] }, responses: { 200: kindDef, 201: kindDef }, produces: objectMedia,
    });
  }
  if (has('patch')) item.push(patch(id('patch'), `partially update the specified ${def.kind}`, kindDef, gvk));
  if (has('delete')) {
    item.push({
      method: 'delete', operationId: id('delete'), description: `delete a ${def.kind}`, action: 'delete', gvk,
      params: [p.dryRun, p.gracePeriodSeconds, p.orphanDependents, p.propagationPolicy],
      body: { definition: metaDefinitions.deleteOptions, mediaTypes: ['*/*'] },
      responses: { 200: metaDefinitions.status, 202: metaDefinitions.status }, produces: objectMedia,
    });
  }
  const named = [p.name(def.kind), ...scopeParams];
  if (item.length) items.push({ path: `${scope}/{name}`, params: named, operations: item });

  if (def.statusStrategy) {
    items.push({
      path: `${scope}/{name}/status`, params: named, operations: [
        { method: 'get', operationId: id('read', 'Status'), description: `read status of the specified ${def.kind}`, action: 'get', gvk, params: [], responses: { 200: kindDef }, produces: objectMedia },
        {
          method: 'put', operationId: id('replace', 'Status'), description: `replace status of the specified ${def.kind}`, action: 'put', gvk,
          params: writeParams, body: { definition: kindDef, mediaTypes: ['*/*'] }, responses: { 200: kindDef, 201: kindDef }, produces: objectMedia,
        },
        patch(id('patch', 'Status'), `partially update status of the specified ${def.kind}`, kindDef, gvk),
      ],
    });
  }
  if (def.scale) {
    const scaleGvk = { group: 'autoscaling', version: 'v1', kind: 'Scale' };
    const scaleDef = metaDefinitions.scale;
    items.push({
      path: `${scope}/{name}/scale`, params: [p.name('Scale'), ...scopeParams], operations: [
        { method: 'get', operationId: id('read', 'Scale'), description: `read scale of the specified ${def.kind}`, action: 'get', gvk: scaleGvk, params: [], responses: { 200: scaleDef }, produces: objectMedia },
        {
          method: 'put', operationId: id('replace', 'Scale'), description: `replace scale of the specified ${def.kind}`, action: 'put', gvk: scaleGvk,
          params: writeParams, body: { definition: scaleDef, mediaTypes: ['*/*'] }, responses: { 200: scaleDef, 201: scaleDef }, produces: objectMedia,
        },
        patch(id('patch', 'Scale'), `partially update scale of the specified ${def.kind}`, scaleDef, scaleGvk),
      ],
    });
  }
  if (has('watch')) {
    const watchRoot = def.namespaced ? `${root}/watch/namespaces/{namespace}/${def.plural}` : `${root}/watch/${def.plural}`;
    const watchOp = (action: 'watch' | 'watchlist', opId: string): Operation => ({
      method: 'get', operationId: opId, description: action === 'watch' ? `watch changes to an object of kind ${def.kind}` : `watch individual changes to a list of ${def.kind}`,
      action, gvk, params: p.list, responses: { 200: metaDefinitions.watchEvent }, produces: watchMedia,
    });
    items.push({ path: watchRoot, params: scopeParams, operations: [watchOp('watchlist', id('watch', 'List'))] });
    items.push({ path: `${watchRoot}/{name}`, params: named, operations: [watchOp('watch', id('watch'))] });
  }
  if (def.namespaced && has('list') && listDef) {
    const allId = `list${groupIdPart(def.group)}${version.charAt(0).toUpperCase()}${version.slice(1)}${def.kind}ForAllNamespaces`;
    items.push({
      path: `${root}/${def.plural}`, params: [p.pretty], operations: [{
        method: 'get', operationId: allId, description: `list or watch objects of kind ${def.kind}`, action: 'list', gvk,
        params: p.list, responses: { 200: listDef }, produces: watchMedia,
      }],
    });
  }
  return items;
}

/** Every group-version's operations, for the resources that have a schema. */
export function allOperations(registry: Registry, schemas: SchemaRegistry): GroupVersionOperations[] {
  const out: GroupVersionOperations[] = [];
  for (const g of registry.groups()) {
    for (const version of g.versions) {
      const paths: PathItem[] = [];
      for (const def of registry.resourcesAt(g.name, version)) {
        const kind = schemas.forKind({ group: def.group, version, kind: def.kind });
        if (!kind) continue;
        const list = schemas.forKind({ group: def.group, version, kind: def.listKind });
        paths.push(...resourceOperations(def, version, kind.name, list?.name, kind.custom));
      }
      paths.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      out.push({ group: g.name, version, paths });
    }
  }
  return out;
}
