// serviceaccount-controller: every active namespace has a `default` ServiceAccount; deleting it
// brings it back. (Kubernetes 1.32 no longer creates legacy token Secrets for it.)
import { isAlreadyExists } from '../../lib/client/api-error.js';
import { runController } from '../../lib/client/controller.js';
import { resources } from '../../lib/client/resource-types.js';
import type { Namespace, ServiceAccount } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import type { ControllerDescriptor } from './context.js';

const accountName = 'default';

export const serviceAccountController: ControllerDescriptor = {
  name: 'serviceaccount-controller',
  setup(ctx) {
    const namespaces = ctx.informers.informer<Namespace>(resources.namespaces);
    const accounts = ctx.informers.informer<ServiceAccount>(resources.serviceAccounts, { fieldSelector: `metadata.name=${accountName}` });
    const api = ctx.client.resource<ServiceAccount>(resources.serviceAccounts);
    const queue = new WorkQueue<string>(ctx.clock);
    namespaces.on({ add: (ns) => queue.add(ns.metadata?.name ?? ''), update: (_, ns) => queue.add(ns.metadata?.name ?? '') });
    accounts.on({ delete: (sa) => queue.add(sa.metadata?.namespace ?? '') });

    async function sync(namespace: string): Promise<void> {
      const ns = namespaces.cache.get(namespace);
      if (!ns || ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') return;
      if (accounts.cache.getByName(namespace, accountName)) return;
      try {
        await api.create({ metadata: { name: accountName, namespace } });
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
    }
    return { run: (signal) => runController({ name: 'serviceaccount-controller', queue, workers: 2, sync, waitFor: [namespaces, accounts], signal }) };
  },
};
