// One pod watch that times each pod's life as a user would see it: first seen (the ADDED event;
// creationTimestamp has whole seconds only), bound to a node, and Running.
import type { KubeClient } from '../../lib/client/rest-client.js';
import { resources } from '../../lib/client/resource-types.js';
import type { Pod } from '../../lib/client/types.js';

export interface PodTimes {
  seen: Map<string, number>;
  scheduled: Map<string, number>;
  running: Map<string, number>;
}

/** Watches pods in `default` from now on; times are performance.now(). */
export async function watchPodTimes(client: KubeClient, signal: AbortSignal): Promise<{ times: PodTimes; done: Promise<void> }> {
  const api = client.resource<Pod>(resources.pods);
  const times: PodTimes = { seen: new Map(), scheduled: new Map(), running: new Map() };
  const rv = (await api.list('default', { limit: 1 })).metadata.resourceVersion;
  const done = api.watch('default', { resourceVersion: rv, signal }, (ev) => {
    const p = ev.object;
    const name = p.metadata?.name ?? '';
    const now = performance.now();
    if (!times.seen.has(name)) times.seen.set(name, now);
    if (p.spec?.nodeName && !times.scheduled.has(name)) times.scheduled.set(name, now);
    if (p.status?.phase === 'Running' && !times.running.has(name)) times.running.set(name, now);
  });
  return { times, done };
}
