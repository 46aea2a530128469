// The controller manager inside `k8ts server`: campaigns for the kube-controller-manager Lease
// and, while leading, runs every enabled controller over one set of shared informers. Losing
// the lease stops them all; winning it again starts them afresh from new caches.
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { logger } from '../../lib/log.js';
import { realClock, type Clock } from '../../lib/client/clock.js';
import { apiEventSink, EventRecorder, referenceTo } from '../../lib/client/events.js';
import { InformerFactory } from '../../lib/client/informer-factory.js';
import { apiLeaseLock, LeaderElector } from '../../lib/client/leader-election.js';
import type { KubeClient } from '../../lib/client/rest-client.js';
import { resources } from '../../lib/client/resource-types.js';
import type { Lease } from '../../lib/client/types.js';
import type { ControllerContext, ControllerDescriptor, ControllerOptions } from './context.js';
import { controllerAccount } from './controller-identities.js';
import { controllerSpec } from './controller-names.js';

const log = logger('controller-manager');

export interface ManagerConfig {
  /** The controller manager's own client: leader election and the shared informers. */
  client: KubeClient;
  /** A client acting as a kube-system service account (each controller's own identity); absent: `client`. */
  accountClient?(account: string): KubeClient;
  controllers: ControllerDescriptor[];
  options: ControllerOptions;
  /** Campaign for the lease (default); false runs at once, for a single server that knows it is alone. */
  leaderElect?: boolean;
  /** The Lease in kube-system (kube-controller-manager). */
  leaseName?: string;
  clock?: Clock;
}

export class ControllerManager {
  private readonly stopper = new AbortController();
  private election?: Promise<void>;
  private leading?: Promise<void>;
  private readonly clock: Clock;
  readonly identity = `${hostname()}_${randomUUID()}`;

  constructor(private readonly cfg: ManagerConfig) {
    this.clock = cfg.clock ?? realClock;
  }

  start(): void {
    const signal = this.stopper.signal;
    // Every informer, queue and timer listens on it.
    setMaxListeners(0, signal);
    if (this.cfg.leaderElect === false) {
      this.leading = this.lead(signal);
      return;
    }
    const leaseName = this.cfg.leaseName ?? 'kube-controller-manager';
    const recorder = new EventRecorder(apiEventSink(this.cfg.client), { component: leaseName, clock: this.clock });
    const elector: LeaderElector = new LeaderElector({
      lock: apiLeaseLock(this.cfg.client.resource<Lease>(resources.leases), 'kube-system', leaseName),
      identity: this.identity,
      clock: this.clock,
      onStartedLeading: (leading) => {
        const lease = elector.lease;
        if (lease) recorder.event(referenceTo(lease, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' }), 'Normal', 'LeaderElection', `${this.identity} became leader`);
        this.leading = this.lead(leading);
      },
    });
    this.election = elector.run(signal)
      .catch((err: unknown) => log.error({ err: (err as Error).message }, 'leader election failed'))
      .finally(() => recorder.close());
  }

  /** Stops every controller and hands the lease back. */
  async stop(): Promise<void> {
    this.stopper.abort();
    await this.election;
    await this.leading;
  }

  /** Runs the controllers until the signal aborts. */
  private async lead(signal: AbortSignal): Promise<void> {
    const informers = new InformerFactory(this.cfg.client, { clock: this.clock });
    const recorders: EventRecorder[] = [];
    const contextFor = (controller: string): ControllerContext => {
      const account = controllerAccount(controller);
      const client = account && this.cfg.accountClient ? this.cfg.accountClient(account) : this.cfg.client;
      return {
        client,
        informers,
        clock: this.clock,
        options: this.cfg.options,
        recorder: (component) => {
          const r = new EventRecorder(apiEventSink(client), { component, clock: this.clock });
          recorders.push(r);
          return r;
        },
      };
    };
    const controllers = this.cfg.controllers.map((d) => ({ name: d.name, controller: d.setup(contextFor(d.name)) }));
    informers.start(signal);
    log.info({ controllers: controllers.map((c) => c.name) }, 'starting controllers');
    await Promise.all(controllers.map(async ({ name, controller }) => {
      try {
        await controller.run(signal);
      } catch (err) {
        log.error({ controller: name, err: (err as Error).message }, 'controller failed');
      }
    }));
    await informers.stopped();
    for (const r of recorders) r.close();
  }
}

/**
 * Which controllers run, from kube-controller-manager's --controllers syntax: '*' is every
 * controller on by default, 'name' enables one, '-name' disables one.
 */
export function selectControllers(all: ControllerDescriptor[], spec: string[]): ControllerDescriptor[] {
  const items = controllerSpec(spec, all.map((d) => d.name));
  const star = items.length === 0 || items.includes('*');
  return all.filter((d) => !items.includes(`-${d.name}`) && (star || items.includes(d.name)));
}
