// Keeps kube-system/kube-dns as k8ts' built-in DNS needs it: the Service (re-created if deleted,
// brought back to its shape if edited) and its EndpointSlice listing the nodes whose agents
// serve DNS (label k8ts.io/dns=true), ready as their node is. One key, level-triggered: every
// change to those nodes, the Service or the slice re-reads them all and writes what differs.
import { isAlreadyExists, isNotFound } from '../../lib/client/api-error.js';
import { runController } from '../../lib/client/controller.js';
import { Informer, listWatch } from '../../lib/client/informer.js';
import type { KubeClient } from '../../lib/client/rest-client.js';
import { resources } from '../../lib/client/resource-types.js';
import type { Node } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import { dnsNodeLabel } from '../../lib/kube-dns.js';
import { logger } from '../../lib/log.js';
import type { EndpointSlice, Service } from '../controllers/workload-types.js';
import { kubeDnsName, kubeDnsNamespace, kubeDnsService, kubeDnsSlice, serviceDrift, sliceUpToDate } from './kube-dns-objects.js';

const log = logger('kube-dns');
const key = `${kubeDnsNamespace}/${kubeDnsName}`;

export interface KubeDnsOptions {
  client: KubeClient;
  /** The Service's ClusterIP (the first --cluster-dns). */
  clusterIP: string;
}

export class KubeDnsController {
  private readonly services;
  private readonly slices;
  private readonly nodes: Informer<Node>;
  private readonly queue = new WorkQueue<string>();
  private warnedIP = '';

  constructor(private readonly opts: KubeDnsOptions) {
    const byName = { namespace: kubeDnsNamespace, fieldSelector: `metadata.name=${kubeDnsName}` };
    this.services = new Informer(listWatch(opts.client.resource<Service>(resources.services), byName), { name: 'kube-dns-service' });
    this.slices = new Informer(listWatch(opts.client.resource<EndpointSlice>(resources.endpointSlices), byName), { name: 'kube-dns-slice' });
    this.nodes = new Informer(listWatch(opts.client.resource<Node>(resources.nodes), { labelSelector: `${dnsNodeLabel}=true` }), { name: 'dns-nodes' });
    const enqueue = () => this.queue.add(key);
    for (const inf of [this.services, this.slices, this.nodes] as Array<Informer<Service | EndpointSlice | Node>>) {
      inf.on({ add: enqueue, update: enqueue, delete: enqueue });
    }
  }

  /**
   * Makes sure the Service exists now (a wrong --cluster-dns fails here, with the API's reason),
   * then keeps Service and slice in shape until the signal aborts.
   */
  async start(signal: AbortSignal): Promise<{ done: Promise<void> }> {
    await this.ensureService(await this.opts.client.resource<Service>(resources.services).get(kubeDnsNamespace, kubeDnsName).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    }));
    const informers = [this.services, this.slices, this.nodes];
    const runs = informers.map((i) => i.run(signal));
    const controller = runController({ name: 'kube-dns', queue: this.queue, workers: 1, sync: () => this.sync(), waitFor: informers, signal });
    return { done: Promise.all([controller, ...runs]).then(() => undefined) };
  }

  private async sync(): Promise<void> {
    const svc = await this.ensureService(this.services.cache.get(key));
    const wanted = kubeDnsSlice(svc, this.nodes.cache.list());
    const current = this.slices.cache.get(key);
    const api = this.opts.client.resource<EndpointSlice>(resources.endpointSlices);
    if (!current) {
      try {
        await api.create(wanted);
        log.info({ endpoints: wanted.endpoints?.map((e) => e.addresses?.[0]) }, 'kube-dns endpoints created');
      } catch (err) {
        // The informer has not seen it yet: its event brings us back.
        if (!isAlreadyExists(err)) throw err;
      }
      return;
    }
    if (sliceUpToDate(current, wanted)) return;
    await api.update({
      ...current,
      metadata: { ...current.metadata, labels: { ...current.metadata?.labels, ...wanted.metadata?.labels }, ownerReferences: wanted.metadata?.ownerReferences ?? current.metadata?.ownerReferences },
      addressType: wanted.addressType, endpoints: wanted.endpoints, ports: wanted.ports,
    });
    log.info({ endpoints: wanted.endpoints?.map((e) => `${e.addresses?.[0]}${e.conditions?.ready ? '' : ' (not ready)'}`) }, 'kube-dns endpoints updated');
  }

  /** Creates the Service, or patches it back to our shape; returns it as it now is. */
  private async ensureService(existing: Service | undefined): Promise<Service> {
    const api = this.opts.client.resource<Service>(resources.services);
    if (!existing) {
      try {
        const created = await api.create(kubeDnsService(this.opts.clusterIP));
        log.info({ clusterIP: this.opts.clusterIP }, 'kube-dns Service created');
        return created;
      } catch (err) {
        if (isAlreadyExists(err)) return api.get(kubeDnsNamespace, kubeDnsName);
        throw new Error(`cannot create the kube-dns Service at ${this.opts.clusterIP} (--cluster-dns must be a free address in --service-cidr): ${(err as Error).message}`);
      }
    }
    const drift = serviceDrift(existing, this.opts.clusterIP);
    if (drift.clusterIPMismatch !== undefined && drift.clusterIPMismatch !== this.warnedIP) {
      this.warnedIP = drift.clusterIPMismatch;
      log.warn({ clusterIP: drift.clusterIPMismatch, wanted: this.opts.clusterIP }, 'kube-dns Service has another ClusterIP, which cannot change in place: delete the Service to move it to --cluster-dns');
    }
    if (!drift.patch) return existing;
    log.info({}, 'kube-dns Service brought back to shape (labels, ports, no selector)');
    return api.patch(kubeDnsNamespace, kubeDnsName, drift.patch, 'merge');
  }
}
