// What the HPA controller reads and writes besides HPAs and pods: the target's scale
// subresource (found by kind through discovery, so custom resources with /scale work too) and
// the pods' usage from metrics.k8s.io, as kube-controller-manager's scale and metrics clients.
import type { KubeClient } from '../../lib/client/rest-client.js';
import { parseQuantity, quantityMilliValue } from '../../lib/quantity.js';
import type { PodMetric } from './hpa-replicas.js';

export interface Scale {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; namespace?: string; resourceVersion?: string; [k: string]: unknown };
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

interface APIResourceList {
  resources?: Array<{ name: string; kind: string }>;
}

/** Where the scale subresource of `apiVersion`/`kind` lives: the plural, found in discovery and remembered. */
export class ScaleClient {
  private readonly plurals = new Map<string, { at: number; kinds: Promise<Map<string, string>> }>();

  constructor(private readonly client: KubeClient, private readonly now: () => number = Date.now) {}

  private async pathOf(namespace: string, apiVersion: string, kind: string, name: string): Promise<string> {
    const gv = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion || 'v1'}`;
    const cached = this.plurals.get(gv);
    // Looked up again after a minute: a CRD may have come or gone.
    let kinds = cached && this.now() - cached.at < 60_000 ? cached.kinds : undefined;
    if (!kinds) {
      kinds = this.client.request<APIResourceList>({ method: 'GET', path: gv }).then((l) => {
        const m = new Map<string, string>();
        const scalable = new Set((l.resources ?? []).filter((r) => r.name.endsWith('/scale')).map((r) => r.name.split('/')[0]));
        for (const r of l.resources ?? []) if (!r.name.includes('/') && scalable.has(r.name)) m.set(r.kind, r.name);
        return m;
      });
      this.plurals.set(gv, { at: this.now(), kinds });
      // A failed lookup is retried at the next sync.
      kinds.catch(() => this.plurals.delete(gv));
    }
    const plural = (await kinds).get(kind);
    if (!plural) throw new Error(`no matches for kind "${kind}" in group "${apiVersion.split('/').slice(0, -1).join('/')}"`);
    return `${gv}/namespaces/${encodeURIComponent(namespace)}/${plural}/${encodeURIComponent(name)}/scale`;
  }

  async get(namespace: string, ref: { apiVersion?: string; kind?: string; name?: string }): Promise<Scale & { path: string }> {
    const path = await this.pathOf(namespace, ref.apiVersion ?? '', ref.kind ?? '', ref.name ?? '');
    return { ...(await this.client.request<Scale>({ method: 'GET', path })), path };
  }

  async update(scale: Scale & { path: string }, replicas: number): Promise<void> {
    const { path, ...body } = scale;
    await this.client.request({ method: 'PUT', path, body: { ...body, spec: { ...body.spec, replicas } } });
  }
}

interface PodMetricsList {
  items?: Array<{
    metadata?: { name?: string };
    timestamp?: string;
    window?: string;
    containers?: Array<{ name?: string; usage?: Record<string, string> }>;
  }>;
}

/** Go duration text ("15s", "1m0.5s", "500ms") in ms. */
function durationMs(s: string | undefined): number {
  let ms = 0;
  for (const [, n, unit] of (s ?? '').matchAll(/([\d.]+)(h|ms|m|s|µs|us|ns)/g)) {
    ms += Number(n) * ({ h: 3_600_000, m: 60_000, s: 1000, ms: 1, µs: 1e-3, us: 1e-3, ns: 1e-6 } as Record<string, number>)[unit];
  }
  return ms;
}

/** GetResourceMetric: each pod's usage of `resource` (milli-units), summed over its containers or of the one named `container`. */
export async function podResourceMetrics(client: KubeClient, namespace: string, selector: string, resource: string, container = ''): Promise<Map<string, PodMetric>> {
  const q = new URLSearchParams({ labelSelector: selector });
  const list = await client.request<PodMetricsList>({ method: 'GET', path: `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/pods?${q}` });
  const items = list.items ?? [];
  if (items.length === 0) throw new Error('no metrics returned from resource metrics API');
  const out = new Map<string, PodMetric>();
  for (const m of items) {
    let sum = 0;
    let missing = false;
    const containers = (m.containers ?? []).filter((c) => !container || c.name === container);
    if (container && containers.length === 0) missing = true;
    for (const c of containers) {
      const v = c.usage?.[resource];
      if (v === undefined) {
        missing = true;
        break;
      }
      sum += Number(quantityMilliValue(parseQuantity(v)));
    }
    if (!missing) out.set(m.metadata?.name ?? '', { timestampMs: Date.parse(m.timestamp ?? '') || 0, windowMs: durationMs(m.window), value: sum });
  }
  return out;
}
