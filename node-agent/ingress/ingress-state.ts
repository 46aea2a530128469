// Keeps the proxy's state in step with the API: the Ingresses and IngressClasses (own informers),
// Services and EndpointSlices (the agent's shared ones). Any change schedules one rebuild a few
// milliseconds later (a burst is one rebuild); routes and endpoints are swapped in whole, so a
// request sees either the old table or the new one. The TLS Secrets the served Ingresses name
// are watched one by one (tls-store.ts); a rebuild of the routes starts and stops those watches.
import { Informer, listWatch } from '../../lib/client/informer.js';
import type { KubeClient } from '../../lib/client/rest-client.js';
import { resources } from '../../lib/client/resource-types.js';
import { isServedBy, type Ingress, type IngressClass } from '../../lib/ingress.js';
import type { Logger } from '../../lib/log.js';
import type { ServiceInformers } from '../service-informers.js';
import { indexUpstreams } from './backends.js';
import type { ProxyState } from './ingress-proxy.js';
import { buildRoutes, emptyRoutes, secretsOf } from './route-table.js';
import type { TlsStore } from './tls-store.js';

const REBUILD_DELAY_MS = 10;

export class IngressState {
  private current: ProxyState = { routes: emptyRoutes(), upstreams: new Map() };
  private readonly ingresses: Informer<Ingress>;
  private readonly classes: Informer<IngressClass>;
  private routesTimer?: NodeJS.Timeout;
  private upstreamsTimer?: NodeJS.Timeout;
  private rebuilding?: Promise<void>;
  private rebuildAgain = false;

  constructor(private readonly opts: { client: KubeClient; informers: ServiceInformers; nodeName: string; tls: TlsStore; log: Logger }) {
    this.ingresses = new Informer(listWatch(opts.client.resource<Ingress>(resources.ingresses)), { name: 'ingresses' });
    this.classes = new Informer(listWatch(opts.client.resource<IngressClass>(resources.ingressClasses)), { name: 'ingressclasses' });
    const routesChanged = () => this.schedule('routes');
    const upstreamsChanged = () => this.schedule('upstreams');
    for (const inf of [this.ingresses, this.classes] as Array<Informer<Ingress | IngressClass>>) inf.on({ add: routesChanged, update: routesChanged, delete: routesChanged });
    const { services, endpointSlices } = opts.informers;
    for (const inf of [services, endpointSlices] as Array<Informer<Ingress>>) inf.on({ add: upstreamsChanged, update: upstreamsChanged, delete: upstreamsChanged });
  }

  readonly state = (): ProxyState => this.current;

  /** Runs the informers; resolves once the first routes are in place. Stops with the signal. */
  async start(signal: AbortSignal): Promise<{ done: Promise<void> }> {
    const runs = [this.ingresses.run(signal), this.classes.run(signal)];
    await Promise.all([this.ingresses.waitForSync(signal), this.classes.waitForSync(signal)]);
    this.rebuildUpstreams();
    await this.rebuildRoutes();
    signal.addEventListener('abort', () => {
      this.opts.tls.stop();
      clearTimeout(this.routesTimer);
      clearTimeout(this.upstreamsTimer);
    }, { once: true });
    return { done: Promise.allSettled(runs).then(() => undefined) };
  }

  private schedule(what: 'routes' | 'upstreams'): void {
    if (what === 'routes') this.routesTimer ??= setTimeout(() => {
      this.routesTimer = undefined;
      void this.rebuildRoutes();
    }, REBUILD_DELAY_MS);
    else this.upstreamsTimer ??= setTimeout(() => {
      this.upstreamsTimer = undefined;
      this.rebuildUpstreams();
    }, REBUILD_DELAY_MS);
  }

  /** One rebuild at a time (a new Secret's first read takes a moment): a change meanwhile runs one more. */
  private async rebuildRoutes(): Promise<void> {
    if (this.rebuilding) {
      this.rebuildAgain = true;
      return this.rebuilding;
    }
    this.rebuilding = (async () => {
      do {
        this.rebuildAgain = false;
        await this.buildRoutes();
      } while (this.rebuildAgain);
    })().finally(() => (this.rebuilding = undefined));
    return this.rebuilding;
  }

  private async buildRoutes(): Promise<void> {
    const classes = this.classes.cache.list();
    const served = this.ingresses.cache.list().filter((i) => isServedBy(i, classes));
    // Certificates first, so a new host's certificate is there when its routes are.
    await this.opts.tls.watch(secretsOf(served));
    this.current = { ...this.current, routes: buildRoutes(served) };
    this.opts.log.info({ ingresses: served.map((i) => `${i.metadata?.namespace}/${i.metadata?.name}`), ignored: this.ingresses.cache.keys().length - served.length }, 'ingress routes updated');
  }

  private rebuildUpstreams(): void {
    const { services, endpointSlices } = this.opts.informers;
    this.current = { ...this.current, upstreams: indexUpstreams(services.cache.list(), endpointSlices.cache.list(), this.opts.nodeName) };
  }
}
