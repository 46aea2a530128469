// root-ca-certificate-publisher-controller: every namespace gets the kube-root-ca.crt ConfigMap
// with the cluster CA, which service account token volumes mount as ca.crt.
import { isAlreadyExists, isNotFound } from '../../lib/client/api-error.js';
import { runController } from '../../lib/client/controller.js';
import { resources } from '../../lib/client/resource-types.js';
import type { ConfigMap, Namespace } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import type { ControllerDescriptor } from './context.js';

export const rootCAConfigMap = 'kube-root-ca.crt';
const description = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

export const rootCAPublisher: ControllerDescriptor = {
  name: 'root-ca-certificate-publisher-controller',
  setup(ctx) {
    const namespaces = ctx.informers.informer<Namespace>(resources.namespaces);
    const maps = ctx.informers.informer<ConfigMap>(resources.configMaps, { fieldSelector: `metadata.name=${rootCAConfigMap}` });
    const api = ctx.client.resource<ConfigMap>(resources.configMaps);
    const queue = new WorkQueue<string>(ctx.clock);
    namespaces.on({ add: (ns) => queue.add(ns.metadata?.name ?? ''), update: (_, ns) => queue.add(ns.metadata?.name ?? '') });
    maps.on({ update: (_, cm) => queue.add(cm.metadata?.namespace ?? ''), delete: (cm) => queue.add(cm.metadata?.namespace ?? '') });
    const data = { 'ca.crt': ctx.options.rootCA };

    async function sync(namespace: string): Promise<void> {
      const ns = namespaces.cache.get(namespace);
      if (!ns || ns.metadata?.deletionTimestamp) return;
      const cm = maps.cache.getByName(namespace, rootCAConfigMap);
      try {
        if (!cm) {
          await api.create({ metadata: { name: rootCAConfigMap, namespace, annotations: { 'kubernetes.io/description': description } }, data });
        } else if (cm.data?.['ca.crt'] !== data['ca.crt'] || Object.keys(cm.data ?? {}).length !== 1) {
          await api.update({ ...cm, data });
        }
      } catch (err) {
        // The namespace went away or someone else wrote it first: the next event settles it.
        if (!isAlreadyExists(err) && !isNotFound(err)) throw err;
      }
    }
    return { run: (signal) => runController({ name: 'root-ca-certificate-publisher-controller', queue, workers: 2, sync, waitFor: [namespaces, maps], signal }) };
  },
};
