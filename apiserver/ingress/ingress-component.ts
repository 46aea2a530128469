// The server's `ingress` component: the IngressClass `k8ts` (the default class) and the status of
// the Ingresses the agents serve (ingress-status-controller.ts). Optional: `--disable ingress`
// turns off this and the agents' controller, for users who bring their own.
import { KubeClient } from '../../lib/client/rest-client.js';
import type { Component } from '../../lib/components.js';
import { MemorySocket } from '../../lib/memory-socket.js';
import { httpValue, servingValue } from '../server-components.js';
import { IngressStatusController } from './ingress-status-controller.js';

export function ingressComponent(): Component {
  return {
    name: 'ingress', requires: ['http', 'bootstrap'], optional: true,
    async start(ctx) {
      const http = ctx.get(httpValue);
      // In-process, as the control plane's clients: part of the server, acting with its authority.
      const client = new KubeClient({ server: `https://localhost:${ctx.get(servingValue).port}` }, {
        userAgent: 'k8ts-ingress-status', maxSockets: 2,
        connect: () => {
          const [mine, theirs] = MemorySocket.pair();
          http.acceptInProcess(theirs, { name: 'system:k8ts:ingress', groups: ['system:masters', 'system:authenticated'] });
          return mine;
        },
      });
      let running: { done: Promise<void> };
      try {
        running = await new IngressStatusController(client).start(ctx.signal);
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
