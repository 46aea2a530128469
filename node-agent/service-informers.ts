// Services and EndpointSlices, watched once for everything on the node that needs them: pods'
// link env vars, the service proxy and cluster DNS. The informers are made before the API
// answers (the pod machinery holds on to them) and run once it does (`service-watch`).
import { Informer, listWatch } from '../lib/client/informer.js';
import { resources } from '../lib/client/resource-types.js';
import { nothingToStop, provides, type Component } from '../lib/components.js';
import { apiClientValue } from './agent-values.js';
import type { EndpointSlice, Service } from './kube-types.js';

export interface ServiceInformers {
  services: Informer<Service>;
  endpointSlices: Informer<EndpointSlice>;
}

export const serviceInformersValue = provides<ServiceInformers>('service-informers');

export function serviceInformersComponent(): Component {
  return {
    name: 'service-informers', requires: ['api-client'],
    async start(ctx) {
      const client = ctx.get(apiClientValue);
      ctx.provide(serviceInformersValue, {
        services: new Informer(listWatch(client.resource<Service>(resources.services)), { name: 'services' }),
        endpointSlices: new Informer(listWatch(client.resource<EndpointSlice>(resources.endpointSlices)), { name: 'endpointslices' }),
      });
      return nothingToStop;
    },
  };
}

/** Runs the informers once the node is registered; started when both have synced. */
export function serviceWatchComponent(): Component {
  return {
    name: 'service-watch', requires: ['node-registration', 'service-informers'],
    async start(ctx) {
      const { services, endpointSlices } = ctx.get(serviceInformersValue);
      // (A failed start aborts ctx.signal, which ends the informers.)
      const runs = [services.run(ctx.signal), endpointSlices.run(ctx.signal)];
      await Promise.all([services.waitForSync(ctx.signal), endpointSlices.waitForSync(ctx.signal)]);
      return async () => {
        await Promise.allSettled(runs);
      };
    },
  };
}
