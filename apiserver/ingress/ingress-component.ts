// The server's `ingress` component: the IngressClass `k8ts` (the default class) and the status of
// the Ingresses the agents serve (ingress-status-controller.ts). Optional: `--disable ingress`
// turns off this and the agents' controller, for users who bring their own.
import type { Component } from '../../lib/components.js';
import { allow, read } from '../auth/rbac/policy/build.js';
import { clientWithOwnRole } from '../component-client.js';
import { IngressStatusController } from './ingress-status-controller.js';

/** Who writes the status, holding only what that takes (and creating the class once). */
const statusWriter = 'system:k8ts:ingress';
const statusWriterRules = () => [
  allow(read, 'networking.k8s.io', ['ingresses']),
  allow(['update', 'patch'], 'networking.k8s.io', ['ingresses/status']),
  allow([...read, 'create'], 'networking.k8s.io', ['ingressclasses']),
  allow(read, '', ['nodes']),
];

export function ingressComponent(): Component {
  return {
    name: 'ingress', requires: ['api', 'http', 'bootstrap'], optional: true,
    async start(ctx) {
      const client = await clientWithOwnRole(ctx, statusWriter, statusWriterRules(), 'k8ts-ingress-status');
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
