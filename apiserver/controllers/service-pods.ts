// Which Services a pod change concerns (every Service in its namespace whose selector matches
// the pod, before or after the change), and the pods a Service selects: the routing the
// Endpoints and EndpointSlice controllers share.
import type { Informer } from '../../lib/client/informer.js';
import { objectKey, type Pod } from '../../lib/client/types.js';
import { managesEndpoints, selects } from './endpoints-logic.js';
import type { Service } from './workload-types.js';

export function servicePods(pods: Informer<Pod>, svc: Service): Pod[] {
  return pods.cache.byIndex('namespace', svc.metadata?.namespace ?? '').filter((p) => selects(svc, p));
}

/** Enqueues the key of every Service (with a selector) that selects the pod. */
export function routePodsToServices(pods: Informer<Pod>, services: Informer<Service>, enqueue: (key: string) => void): void {
  const touch = (p: Pod) => {
    for (const svc of services.cache.byIndex('namespace', p.metadata?.namespace ?? '')) {
      if (managesEndpoints(svc) && selects(svc, p)) enqueue(objectKey(svc));
    }
  };
  pods.on({
    add: touch,
    update: (old, cur) => {
      if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
      touch(cur);
      if (JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {})) touch(old);
    },
    delete: touch,
  });
}
