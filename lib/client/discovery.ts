// API discovery: which resources the server serves, in each group's preferred version, with
// their verbs. The namespace controller and the garbage collector use it to find every kind
// (CustomResourceDefinitions included) without a hard-coded list.
import type { KubeClient } from './rest-client.js';
import type { ResourceType } from './resource-types.js';

export interface DiscoveredResource extends ResourceType {
  verbs: string[];
}

export interface Discovery {
  resources: DiscoveredResource[];
  /** Group versions that could not be read, with why ("metrics.k8s.io/v1beta1": "..."). */
  failed: Map<string, string>;
}

interface APIResourceList {
  resources: Array<{ name: string; kind: string; namespaced: boolean; verbs: string[] }>;
}

interface APIGroupList {
  groups: Array<{ name: string; preferredVersion?: { version: string }; versions: Array<{ version: string }> }>;
}

export async function discoverResources(client: KubeClient, signal?: AbortSignal): Promise<Discovery> {
  const failed = new Map<string, string>();
  const groups = await client.request<APIGroupList>({ method: 'GET', path: '/apis', signal });
  const targets = [{ group: '', version: 'v1', path: '/api/v1' }];
  for (const g of groups.groups ?? []) {
    const version = g.preferredVersion?.version ?? g.versions[0]?.version;
    if (version) targets.push({ group: g.name, version, path: `/apis/${g.name}/${version}` });
  }
  const lists = await Promise.all(targets.map(async (t) => {
    try {
      return { t, list: await client.request<APIResourceList>({ method: 'GET', path: t.path, signal }) };
    } catch (err) {
      failed.set(t.group ? `${t.group}/${t.version}` : t.version, (err as Error).message);
      return { t, list: { resources: [] } };
    }
  }));
  const resources: DiscoveredResource[] = [];
  for (const { t, list } of lists) {
    for (const r of list.resources ?? []) {
      if (r.name.includes('/')) continue;
      resources.push({ group: t.group, version: t.version, resource: r.name, kind: r.kind, namespaced: r.namespaced, verbs: r.verbs ?? [] });
    }
  }
  return { resources, failed };
}
