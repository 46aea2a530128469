// The server's `dns` component: the kube-system/kube-dns Service at the first --cluster-dns
// address and its endpoints (kube-dns-controller.ts), kept from when the server serves until it
// stops. Optional: `--disable dns` leaves kube-dns alone, for users who deploy CoreDNS's own
// manifest (then the Service is theirs, and nothing here fights over it).
import type { Component } from '../../lib/components.js';
import { inProcessClient } from '../in-process-client.js';
import { httpValue, servingValue } from '../server-components.js';
import { KubeDnsController } from './kube-dns-controller.js';

export const DEFAULT_KUBE_DNS_IP = '10.43.0.10';

export function kubeDnsComponent(opts: { clusterDNS?: string }): Component {
  return {
    name: 'dns', requires: ['http', 'bootstrap'], optional: true,
    async start(ctx) {
      // In-process, as the control plane's clients: part of the server, acting with its authority.
      const client = inProcessClient(ctx.get(httpValue), ctx.get(servingValue).port, 'cluster-dns');
      const controller = new KubeDnsController({ client, clusterIP: opts.clusterDNS ?? DEFAULT_KUBE_DNS_IP });
      let running: { done: Promise<void> };
      try {
        running = await controller.start(ctx.signal);
      } catch (err) {
        client.close();
        throw err;
      }
      return async () => {
        await running.done.catch(() => undefined);
        client.close();
      };
    },
  };
}
