// endpointslice-controller: keeps discovery.k8s.io EndpointSlices for every Service with a
// selector, as Kubernetes' EndpointSlice controller does: endpoints with ready, serving and
// terminating conditions, node name, zone and hostname; one set of slices per distinct port
// list, at most 100 endpoints each (--max-endpoints-per-slice); labelled with the service name
// and the managing controller, owned by the Service; an empty placeholder slice when the Service
// selects nothing. Slices are updated in place where possible.
import { isNotFound } from '../../lib/client/api-error.js';
import { runController } from '../../lib/client/controller.js';
import { resources } from '../../lib/client/resource-types.js';
import { objectKey, type Node, type Pod } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import type { ControllerDescriptor } from './context.js';
import {
  headlessLabel, isHeadless, lastChangeTriggerTime, managesEndpoints, planSlices, podBelongs, portsKey, sliceEndpoint, slicePorts,
  triggerTimeAnnotation, type SliceEndpoint, type SlicePort,
} from './endpoints-logic.js';
import { isNamespaceTerminating } from './pod-control.js';
import { newControllerRef } from './pod-helpers.js';
import { routePodsToServices, servicePods } from './service-pods.js';
import type { EndpointSlice, Service } from './workload-types.js';

export const serviceNameLabel = 'kubernetes.io/service-name';
export const managedByLabel = 'endpointslice.kubernetes.io/managed-by';
export const managedBy = 'endpointslice-controller.k8s.io';
export const maxEndpointsPerSlice = 100;

const sliceIndex = 'service';

/** The labels a slice of the Service carries: the Service's own, plus ours. */
function sliceLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...svc.metadata?.labels, [serviceNameLabel]: svc.metadata?.name ?? '', [managedByLabel]: managedBy };
  if (isHeadless(svc)) labels[headlessLabel] = '';
  else delete labels[headlessLabel];
  return labels;
}

/** generateName for a slice: "<service>-", shortened so the generated name fits 63 characters. */
function slicePrefix(svc: Service): string {
  const name = svc.metadata?.name ?? '';
  return `${name.length > 57 ? name.slice(0, 57) : name}-`;
}

export const endpointSliceController: ControllerDescriptor = {
  name: 'endpointslice-controller',
  setup(ctx) {
    const services = ctx.informers.informer<Service>(resources.services);
    const pods = ctx.informers.informer<Pod>(resources.pods);
    const nodes = ctx.informers.informer<Node>(resources.nodes);
    const slices = ctx.informers.informer<EndpointSlice>(resources.endpointSlices);
    slices.cache.addIndex(sliceIndex, (s) => (s.metadata?.labels?.[managedByLabel] === managedBy && s.metadata?.labels?.[serviceNameLabel]
      ? [`${s.metadata?.namespace}/${s.metadata.labels[serviceNameLabel]}`] : []));
    const api = ctx.client.resource<EndpointSlice>(resources.endpointSlices);
    const queue = new WorkQueue<string>(ctx.clock);
    const enqueue = (key: string) => queue.add(key);
    services.on({ add: (s) => enqueue(objectKey(s)), update: (_, s) => enqueue(objectKey(s)), delete: (s) => enqueue(objectKey(s)) });
    const sliceChanged = (s: EndpointSlice) => {
      const svc = s.metadata?.labels?.[serviceNameLabel];
      if (svc && s.metadata?.labels?.[managedByLabel] === managedBy) enqueue(`${s.metadata?.namespace}/${svc}`);
    };
    slices.on({ update: (_, s) => sliceChanged(s), delete: sliceChanged });
    routePodsToServices(pods, services, enqueue);

    async function sync(key: string): Promise<void> {
      const existing = slices.cache.byIndex(sliceIndex, key);
      const svc = services.cache.get(key);
      if (!svc || !managesEndpoints(svc)) {
        // The Service is gone (the garbage collector also removes its slices) or no longer selects.
        await Promise.all(existing.map(remove));
        return;
      }
      const selected = servicePods(pods, svc).filter((p) => podBelongs(p, true));
      const groups = new Map<string, { ports: SlicePort[]; endpoints: SliceEndpoint[] }>();
      for (const pod of selected) {
        const ports = slicePorts(svc, pod);
        // A pod that serves none of the service's ports is left out (unless the service has none).
        if ((svc.spec?.ports ?? []).length > 0 && ports.length === 0) continue;
        const ep = sliceEndpoint(pod, nodes.cache.get(pod.spec?.nodeName ?? ''), svc);
        if (!ep) continue;
        const k = portsKey(ports);
        let g = groups.get(k);
        if (!g) groups.set(k, (g = { ports, endpoints: [] }));
        g.endpoints.push(ep);
      }
      const plan = planSlices(existing, groups, maxEndpointsPerSlice);
      const labels = sliceLabels(svc);
      const trigger = lastChangeTriggerTime(svc, selected);
      const annotations = trigger ? { [triggerTimeAnnotation]: trigger } : undefined;
      const ownerRef = newControllerRef(svc, 'v1', 'Service');
      // Labels drift (a Service's labels changed) counts as an update too.
      const stale = existing.filter((s) => !plan.delete.includes(s) && !plan.update.some((u) => u.slice === s)
        && JSON.stringify(s.metadata?.labels ?? {}) !== JSON.stringify(labels));
      for (const s of stale) plan.update.push({ slice: s, endpoints: s.endpoints ?? [], ports: s.ports ?? [] });
      try {
        for (const c of plan.create) {
          await api.create({
            metadata: { generateName: slicePrefix(svc), namespace: svc.metadata?.namespace, labels, ...(annotations ? { annotations } : {}), ownerReferences: [ownerRef] },
            addressType: 'IPv4', endpoints: c.endpoints, ...(c.ports.length || c.endpoints.length ? { ports: c.ports } : {}),
          });
        }
        for (const u of plan.update) {
          await api.update({
            ...u.slice,
            metadata: { ...u.slice.metadata, labels, annotations: { ...u.slice.metadata?.annotations, ...annotations } },
            endpoints: u.endpoints, ports: u.ports,
          });
        }
      } catch (err) {
        if (isNamespaceTerminating(err)) return;
        throw err;
      }
      await Promise.all(plan.delete.map(remove));
    }

    async function remove(s: EndpointSlice): Promise<void> {
      try {
        await api.delete(s.metadata?.namespace ?? '', s.metadata?.name ?? '', { preconditions: { uid: s.metadata?.uid } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return { run: (signal) => runController({ name: 'endpointslice-controller', queue, workers: 5, sync, waitFor: [services, pods, nodes, slices], signal }) };
  },
};
