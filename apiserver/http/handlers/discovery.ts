// Discovery documents: /api, /apis, /apis/<group>, /<prefix>/<group>/<version>, and the
// aggregated discovery (apidiscovery.k8s.io v2/v2beta1) that kubectl 1.27+ asks for first.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from '../../api/registry.js';
import { apiVersionOf, type ResourceDef } from '../../api/resource.js';
import { notFoundPath } from '../../api/errors.js';
import { storageVersionHash } from '../../api/storage-version-hash.js';
import type { ApiContext } from '../../registry/api-context.js';
import { send, sendStatus } from '../respond.js';

interface SubresourceInfo {
  name: string;
  kind: string;
  group?: string;
  version?: string;
  verbs: string[];
}

/** Every subresource of a resource: the generic ones (status, scale) and custom ones. */
export function subresourcesOf(api: ApiContext, def: ResourceDef): SubresourceInfo[] {
  const subs: SubresourceInfo[] = [];
  if (def.statusStrategy) subs.push({ name: 'status', kind: def.kind, verbs: ['get', 'patch', 'update'] });
  if (def.scale) subs.push({ name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] });
  for (const s of api.subresources(def)) {
    subs.push({ name: s.name, kind: s.kind, group: s.group, version: s.version, verbs: s.verbs });
  }
  return subs;
}

function apiResourceList(api: ApiContext, group: string, version: string): object {
  const resources: object[] = [];
  for (const def of api.registry.resourcesAt(group, version)) {
    const r: Record<string, unknown> = {
      name: def.plural, singularName: def.singular, namespaced: def.namespaced, kind: def.kind, verbs: def.verbs,
    };
    if (def.shortNames.length) r.shortNames = def.shortNames;
    if (def.categories.length) r.categories = def.categories;
    const hash = storageVersionHash(def);
    if (hash !== undefined) r.storageVersionHash = hash;
    resources.push(r);
    for (const s of subresourcesOf(api, def)) {
      const sr: Record<string, unknown> = { name: `${def.plural}/${s.name}`, singularName: '', namespaced: def.namespaced, kind: s.kind, verbs: s.verbs };
      if (s.group !== undefined) sr.group = s.group;
      if (s.version !== undefined) sr.version = s.version;
      resources.push(sr);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(group, version), resources };
}

function groupVersions(registry: Registry, group: string) {
  const g = registry.groups().find((x) => x.name === group);
  if (!g) return undefined;
  const versions = g.versions.map((v) => ({ groupVersion: apiVersionOf(group, v), version: v }));
  return { name: group, versions, preferredVersion: versions[0] };
}

function discoveryGroup(api: ApiContext, group: string): object {
  const g = api.registry.groups().find((x) => x.name === group)!;
  return {
    metadata: group ? { name: group, creationTimestamp: null } : { creationTimestamp: null },
    versions: g.versions.map((version) => ({
      version,
      resources: api.registry.resourcesAt(group, version).map((def) => {
        const r: Record<string, unknown> = {
          resource: def.plural,
          responseKind: { group, version, kind: def.kind },
          scope: def.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: def.singular,
          verbs: def.verbs,
        };
        if (def.shortNames.length) r.shortNames = def.shortNames;
        if (def.categories.length) r.categories = def.categories;
        const subs = subresourcesOf(api, def);
        if (subs.length) {
          r.subresources = subs.map((s) => ({
            subresource: s.name,
            responseKind: { group: s.group ?? group, version: s.version ?? version, kind: s.kind },
            verbs: s.verbs,
          }));
        }
        return r;
      }),
      freshness: 'Current',
    })),
  };
}

/** The aggregated discovery version a client accepts, if any. */
function aggregatedVersion(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    if (!part.includes('as=APIGroupDiscoveryList') || !part.includes('g=apidiscovery.k8s.io')) continue;
    if (/v=v2beta1\b/.test(part)) return 'v2beta1';
    if (/v=v2\b/.test(part)) return 'v2';
  }
  return undefined;
}

/** Sends a discovery document with an ETag, answering 304 when the client already has it. */
function sendCached(req: IncomingMessage, res: ServerResponse, body: string, contentType: string): void {
  const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
  res.setHeader('ETag', etag);
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304);
    res.end();
    return;
  }
  // Discovery documents are API objects: Kubernetes' encoder ends them with a newline.
  send(res, 200, `${body}\n`, contentType);
}

/** Serves a discovery path; returns false when the path is not a discovery document. */
export function serveDiscovery(api: ApiContext, req: IncomingMessage, res: ServerResponse, pathname: string, serverAddress: string): boolean {
  const parts = pathname.split('/').filter(Boolean);
  const registry = api.registry;
  const agg = aggregatedVersion(req.headers.accept);
  if (parts.length === 1 && (parts[0] === 'api' || parts[0] === 'apis')) {
    if (agg) {
      const groups = registry.groups().filter((g) => (parts[0] === 'api' ? g.name === '' : g.name !== ''));
      const body = JSON.stringify({
        kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${agg}`, metadata: {},
        items: groups.map((g) => discoveryGroup(api, g.name)),
      });
      sendCached(req, res, body, `application/json;g=apidiscovery.k8s.io;v=${agg};as=APIGroupDiscoveryList`);
      return true;
    }
    if (parts[0] === 'api') {
      sendCached(req, res, JSON.stringify({
        kind: 'APIVersions', versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
      }), 'application/json');
      return true;
    }
    const groups = registry.groups().filter((g) => g.name !== '').map((g) => groupVersions(registry, g.name));
    sendCached(req, res, JSON.stringify({ kind: 'APIGroupList', apiVersion: 'v1', groups }), 'application/json');
    return true;
  }
  if (parts[0] === 'apis' && parts.length === 2) {
    const g = groupVersions(registry, parts[1]);
    if (!g) {
      sendStatus(res, notFoundPath().status);
      return true;
    }
    sendCached(req, res, JSON.stringify({ kind: 'APIGroup', apiVersion: 'v1', ...g }), 'application/json');
    return true;
  }
  const gv = parts[0] === 'api' && parts.length === 2 ? { group: '', version: parts[1] }
    : parts[0] === 'apis' && parts.length === 3 ? { group: parts[1], version: parts[2] } : undefined;
  if (!gv) return false;
  if (!registry.hasGroupVersion(gv.group, gv.version)) {
    sendStatus(res, notFoundPath().status);
    return true;
  }
  sendCached(req, res, JSON.stringify(apiResourceList(api, gv.group, gv.version)), 'application/json');
  return true;
}
