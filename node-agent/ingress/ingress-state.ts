// Keeps the proxy's state in step with the API: the Ingresses and IngressClasses (own informers),
// Services and EndpointSlices (the agent's shared ones). Any change schedules one rebuild a few
// milliseconds later (a burst is one rebuild); routes and endpoints are swapped in whole, so a
// request sees either the old table or the new one. TLS Secrets are re-read on every rebuild
// of the routes and every `secretPollMs`.
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
  private secrets = new Set<string>();

  constructor(private readonly opts: { client: KubeClient; informers: ServiceInformers; nodeName: string; tls: TlsStore; secretPollMs: number; log: Logger }) {
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
    const poll = setInterval(() => void this.opts.tls.refresh(this.secrets), this.opts.secretPollMs);
    signal.addEventListener('abort', () => {
      clearInterval(poll);
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

  private async rebuildRoutes(): Promise<void> {
    const classes = this.classes.cache.list();
    const served = this.ingresses.cache.list().filter((i) => isServedBy(i, classes));
    this.secrets = secretsOf(served);
    // Certificates first, so a new host's certificate is there when its routes are.
    await this.opts.tls.refresh(this.secrets);
    this.current = { ...this.current, routes: buildRoutes(served) };
    this.opts.log.info({ ingresses: served.map((i) => `${i.metadata?.namespace}/${i.metadata?.name}`), ignored: this.ingresses.cache.keys().length - served.length }, 'ingress routes updated');
  }

  private rebuildUpstreams(): void {
    const { services, endpointSlices } = this.opts.informers;
    this.current = { ...this.current, upstreams: indexUpstreams(services.cache.list(), endpointSlices.cache.list(), this.opts.nodeName) };
  }
}
