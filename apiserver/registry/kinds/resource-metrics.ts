// metrics.k8s.io reads: the Node or Pod objects the request selects (label and field selectors
// as for nodes and pods), each with its figures from MetricsStorage; objects without figures
// yet are left out of lists and NotFound on get, as metrics-server answers.
import { notFound } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { nodeMetrics, podMetrics } from '../../api/kinds/resource-metrics.js';
import type { MetricsStorage } from '../../metrics/metrics-storage.js';
import type { ApiContext } from '../api-context.js';
import { decoded } from '../decoded.js';
import { listResource } from '../list.js';
import { parseListQuery } from '../list-query.js';
import type { RestRequest } from '../subresource.js';

const group = 'metrics.k8s.io';

async function selected(api: ApiContext, plural: string, req: RestRequest): Promise<KubeObject[]> {
  const rs = api.storeFor('', plural);
  const q = parseListQuery(rs.def, req.options);
  const page = await listResource(rs, api.store, req.namespace, { ...q, limit: undefined, continueToken: undefined, resourceVersion: undefined });
  return page.items.map(decoded);
}

function stored(api: ApiContext, plural: string, namespace: string, name: string): KubeObject | undefined {
  try {
    return decoded(api.storeFor('', plural).get(namespace, name));
  } catch {
    return undefined;
  }
}

export function resourceMetricsExtensions(api: ApiContext, storage: MetricsStorage, now: () => number = Date.now): void {
  api.extend(group, 'nodes', {
    read: {
      async get(_req, name) {
        const node = stored(api, 'nodes', '', name);
        const usage = node && storage.nodeUsage(name);
        if (!node || !usage) throw notFound({ group, resource: 'nodemetrics' }, name);
        return nodeMetrics(node, usage, now());
      },
      async list(req) {
        const t = now();
        return (await selected(api, 'nodes', req)).flatMap((node) => {
          const usage = storage.nodeUsage(node.metadata.name ?? '');
          return usage ? [nodeMetrics(node, usage, t)] : [];
        });
      },
    },
  });
  api.extend(group, 'pods', {
    read: {
      async get(req, name) {
        const pod = stored(api, 'pods', req.namespace, name);
        const usage = pod && storage.podUsage(req.namespace, name);
        if (!pod || !usage) throw notFound({ group, resource: 'podmetrics' }, `${req.namespace}/${name}`);
        return podMetrics(pod, usage, now());
      },
      async list(req) {
        const t = now();
        return (await selected(api, 'pods', req)).flatMap((pod) => {
          const usage = storage.podUsage(pod.metadata.namespace ?? '', pod.metadata.name ?? '');
          return usage ? [podMetrics(pod, usage, t)] : [];
        });
      },
    },
  });
}
