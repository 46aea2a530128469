// Keeps the built-in IngressClass and the status of the Ingresses k8ts serves: the class is
// created when missing (and left alone otherwise: an admin may drop its default annotation to
// make another class the default); each served Ingress's status.loadBalancer.ingress lists the
// IPs of the nodes labelled k8ts.io/ingress=true; an Ingress that stops being served (its class
// changed) gets its list cleared. Level-triggered, one key per Ingress.
import { isAlreadyExists, isNotFound } from '../../lib/client/api-error.js';
import { runController } from '../../lib/client/controller.js';
import { Informer, listWatch } from '../../lib/client/informer.js';
import type { KubeClient } from '../../lib/client/rest-client.js';
import { resources } from '../../lib/client/resource-types.js';
import type { Node } from '../../lib/client/types.js';
import { WorkQueue } from '../../lib/client/workqueue.js';
import { ingressNodeLabel, isServedBy, k8tsIngressClass, type Ingress, type IngressClass } from '../../lib/ingress.js';
import { logger } from '../../lib/log.js';
import { k8tsIngressClassObject, loadBalancerUpToDate, wantedLoadBalancer } from './ingress-objects.js';

const log = logger('ingress-status');

export class IngressStatusController {
  private readonly ingresses: Informer<Ingress>;
  private readonly classes: Informer<IngressClass>;
  private readonly nodes: Informer<Node>;
  private readonly queue = new WorkQueue<string>();

  constructor(private readonly client: KubeClient) {
    this.ingresses = new Informer(listWatch(client.resource<Ingress>(resources.ingresses)), { name: 'ingress-status-ingresses' });
    this.classes = new Informer(listWatch(client.resource<IngressClass>(resources.ingressClasses)), { name: 'ingress-status-classes' });
    this.nodes = new Informer(listWatch(client.resource<Node>(resources.nodes), { labelSelector: `${ingressNodeLabel}=true` }), { name: 'ingress-nodes' });
    const one = (i: Ingress) => this.queue.add(`${i.metadata?.namespace}/${i.metadata?.name}`);
    this.ingresses.on({ add: one, update: (_, i) => one(i) });
    const all = () => {
      for (const key of this.ingresses.cache.keys()) this.queue.add(key);
    };
    for (const inf of [this.classes, this.nodes] as Array<Informer<Node | IngressClass>>) inf.on({ add: all, update: all, delete: all });
  }

  /** Creates the IngressClass now (failing the start if the API refuses it), then keeps statuses until the signal aborts. */
  async start(signal: AbortSignal): Promise<{ done: Promise<void> }> {
    const api = this.client.resource<IngressClass>(resources.ingressClasses);
    try {
      await api.create(k8tsIngressClassObject());
      log.info({ name: k8tsIngressClass }, 'IngressClass created (the default class)');
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    const informers = [this.ingresses, this.classes, this.nodes];
    const runs = informers.map((i) => i.run(signal));
    const controller = runController({ name: 'ingress-status', queue: this.queue, workers: 1, sync: (key) => this.sync(key), waitFor: informers, signal });
    return { done: Promise.all([controller, ...runs]).then(() => undefined) };
  }

  private async sync(key: string): Promise<void> {
    const ing = this.ingresses.cache.get(key);
    if (!ing) return;
    const served = isServedBy(ing, this.classes.cache.list());
    const ours = wantedLoadBalancer(this.nodes.cache.list());
    const current = ing.status?.loadBalancer?.ingress ?? [];
    // Not served (any more): only our addresses are taken out; another controller's stay.
    const wanted = served ? ours : current.filter((e) => !ours.some((o) => o.ip === e.ip));
    if (served ? loadBalancerUpToDate(ing, wanted as Array<{ ip: string }>) : wanted.length === current.length) return;
    try {
      await this.client.resource<Ingress>(resources.ingresses).patch(ing.metadata?.namespace ?? '', ing.metadata?.name ?? '', { status: { loadBalancer: { ingress: wanted } } }, 'merge', { subresource: 'status' });
      log.info({ ingress: key, addresses: wanted.map((w) => w.ip) }, 'ingress status updated');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
