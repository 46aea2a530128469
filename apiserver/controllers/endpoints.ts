// endpoints-controller: keeps an Endpoints object per Service with a selector, listing its pods'
// addresses (ready and not ready apart) and the ports they serve, as Kubernetes' Endpoints
// controller does; labels follow the Service (plus service.kubernetes.io/headless), and more
// than 1000 addresses are truncated with the over-capacity annotation.
import { isAlreadyExists, isNotFound } from '../../lib/client/api-error.js';
import { runController } from '../../lib/client/controller.js';
import { referenceTo } from '../../lib/client/events.js';
import { resources } from '../../lib/client/resource-types.js';
import { objectKey, splitKey, type Pod } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import { semanticEqual } from '../api/kinds/semantic.js';
import type { ControllerDescriptor } from './context.js';
import {
  endpointSubsets, headlessLabel, isHeadless, lastChangeTriggerTime, managesEndpoints, overCapacityAnnotation,
  triggerTimeAnnotation, truncateSubsets,
} from './endpoints-logic.js';
import { isNamespaceTerminating } from './pod-control.js';
import { routePodsToServices, servicePods } from './service-pods.js';
import type { Endpoints, Service } from './workload-types.js';

export const endpointsController: ControllerDescriptor = {
  name: 'endpoints-controller',
  setup(ctx) {
    const services = ctx.informers.informer<Service>(resources.services);
    const pods = ctx.informers.informer<Pod>(resources.pods);
    const endpoints = ctx.informers.informer<Endpoints>(resources.endpoints);
    const api = ctx.client.resource<Endpoints>(resources.endpoints);
    const recorder = ctx.recorder('endpoint-controller');
    const queue = new WorkQueue<string>(ctx.clock);
    const enqueue = (key: string) => queue.add(key);
    services.on({ add: (s) => enqueue(objectKey(s)), update: (_, s) => enqueue(objectKey(s)), delete: (s) => enqueue(objectKey(s)) });
    endpoints.on({ delete: (e) => enqueue(objectKey(e)) });
    routePodsToServices(pods, services, enqueue);

    async function sync(key: string): Promise<void> {
      const svc = services.cache.get(key);
      const { namespace, name } = splitKey(key);
      if (!svc) {
        try {
          await api.delete(namespace, name);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
        return;
      }
      if (!managesEndpoints(svc)) return;
      const selected = servicePods(pods, svc);
      const subsets = endpointSubsets(svc, selected);
      const current = endpoints.cache.get(key);
      const labels = { ...svc.metadata?.labels };
      const currentLabels = { ...current?.metadata?.labels };
      delete currentLabels[headlessLabel];
      const overCapacity = truncateSubsets(subsets);
      const capacityOk = (current?.metadata?.annotations?.[overCapacityAnnotation] === 'truncated') === overCapacity;
      if (current && semanticEqual(current.subsets ?? [], subsets) && semanticEqual(currentLabels, labels) && capacityOk) return;
      const annotations = { ...current?.metadata?.annotations };
      const trigger = lastChangeTriggerTime(svc, selected);
      if (trigger) annotations[triggerTimeAnnotation] = trigger;
      else delete annotations[triggerTimeAnnotation];
      if (overCapacity) annotations[overCapacityAnnotation] = 'truncated';
      else delete annotations[overCapacityAnnotation];
      if (isHeadless(svc)) labels[headlessLabel] = '';
      const next: Endpoints = {
        ...current,
        metadata: { ...current?.metadata, name, namespace, labels, annotations },
        subsets,
      };
      if (!subsets.length) delete next.subsets;
      try {
        if (current) await api.update(next);
        else await api.create(next);
      } catch (err) {
        if (!current && isNamespaceTerminating(err)) return;
        if (!current && isAlreadyExists(err)) throw err;
        const ref = referenceTo(next, { apiVersion: 'v1', kind: 'Endpoints' });
        if (current) recorder.event(ref, 'Warning', 'FailedToUpdateEndpoint', `Failed to update endpoint ${namespace}/${name}: ${(err as Error).message}`);
        else recorder.event(ref, 'Warning', 'FailedToCreateEndpoint', `Failed to create endpoint for service ${namespace}/${name}: ${(err as Error).message}`);
        throw err;
      }
    }
    return { run: (signal) => runController({ name: 'endpoints-controller', queue, workers: 5, sync, waitFor: [services, pods, endpoints], signal }) };
  },
};
