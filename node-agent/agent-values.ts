// What the agent's components hand each other, one typed handle per providing component
// (lib/components.ts: a component reads only the values of those it requires).
import type { KubeClient } from '../lib/client/rest-client.js';
import type { EventRecorder } from '../lib/client/events.js';
import { provides } from '../lib/components.js';
import type { ContainerRuntime } from './containerd/index.js';
import type { NodeManager } from './node/node-manager.js';
import type { PodSources } from './pod-sources.js';
import type { PodSyncer } from './pods/pod-sync.js';
import type { PodWorkers } from './pods/pod-workers.js';
import type { StatusManager } from './pods/status-manager.js';
import type { Pleg } from './runtime/pleg.js';
import type { VolumeManager } from './volumes/volume-manager.js';

export const runtimeValue = provides<ContainerRuntime>('runtime');
export const apiClientValue = provides<KubeClient>('api-client');
export const eventsValue = provides<EventRecorder>('events');
export const nodeValue = provides<NodeManager>('node');

/** The pod machinery: where pods come from, and what runs them. */
export interface PodMachinery {
  sources: PodSources;
  workers: PodWorkers;
  syncer: PodSyncer;
  volumes: VolumeManager;
  statuses: StatusManager;
}
export const podMachineryValue = provides<PodMachinery>('pods');

export const plegValue = provides<Pleg>('pleg');
/** The port the agent's HTTPS server listens on (0 if it could not start). */
export const agentServerValue = provides<{ port: number; setServingCertificate(tls: { cert: string; key: string }): void }>('agent-server');
/** The pod CIDR the network was first configured with. */
export const podNetworkValue = provides<{ podCIDR: string }>('network');
