// Deployments for the control-plane benchmarks: the pods come from the deployment and
// replicaset controllers, as users' pods do.
import type { KubeClient } from '../../lib/client/rest-client.js';
import { resources } from '../../lib/client/resource-types.js';
import type { Deployment } from '../../apiserver/controllers/workload-types.js';

/** A Deployment of pause pods that request 10m CPU and 16 Mi each. */
export function benchDeployment(name: string, replicas: number): Deployment {
  return {
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
      },
    },
  };
}

/** Creates `<prefix>-0..` Deployments of `replicas` pods each, all at once. */
export async function createDeployments(client: KubeClient, prefix: string, count: number, replicas: number): Promise<void> {
  const api = client.resource<Deployment>(resources.deployments);
  await Promise.all(Array.from({ length: count }, (_, i) => api.create(benchDeployment(`${prefix}-${i}`, replicas))));
}

/** How many Deployments named `<prefix>-*` report every replica available. */
export async function availableDeployments(client: KubeClient, prefix: string): Promise<number> {
  const list = await client.resource<Deployment>(resources.deployments).listAll('default');
  return list.items.filter((d) => d.metadata?.name?.startsWith(`${prefix}-`) && (d.status?.availableReplicas ?? -1) === d.spec?.replicas).length;
}
