// The composition root of `k8ts server`: its components (server-pki.ts, server-components.ts)
// started by the runner of lib/components.ts, plus those the caller adds (the embedded agent).
import { csiNfsServerComponent, csiProvisionerComponent } from './csi-provisioner/csi-components.js';
import { logger } from '../lib/log.js';
import { startComponents, type Component } from '../lib/components.js';
import type { KeyPair } from '../lib/pki.js';
import type { Registry } from './api/registry.js';
import type { ApiContext } from './registry/api-context.js';
import type { ApiHttpServer } from './http/server.js';
import type { RevisionStore } from './storage/revision-store.js';
import type { ControlPlaneSettings } from './controllers/control-plane-settings.js';
import { pkiComponent, pkiValue } from './server-pki.js';
import { kubeDnsComponent } from './kube-dns/kube-dns-component.js';
import { ingressComponent } from './ingress/ingress-component.js';
import {
  apiComponent, apiValue, bootstrapComponent, controlPlaneComponent, crdsComponent, httpComponent, httpValue, openApiComponent,
  servingComponent, servingValue, storageComponent, storageValue,
} from './server-components.js';
import { metricsServerComponent } from './metrics/component.js';
import { localStorageComponent } from './local-storage/local-storage-component.js';

const log = logger('server');

export interface ServerOptions {
  dataDir: string;
  bindAddress: string;
  securePort: number;
  /** Address clients and pods use to reach the API (defaults to the bind address, or 127.0.0.1). */
  advertiseAddress?: string;
  serviceCIDR: string;
  clusterCIDR: string;
  nodePortRange: [number, number];
  /** Extra names/IPs for the serving certificate. */
  tlsSANs: string[];
  /** A kube-apiserver style static token CSV file. */
  tokenAuthFile?: string;
  /** Whether requests without credentials are served as system:anonymous (default) or refused with 401. */
  anonymousAuth?: boolean;
  /** How many changes storage keeps for watch resume and consistent paging. */
  historyEvents?: number;
  /** The NoExecute tolerations DefaultTolerationSeconds gives pods (300 s each by default). */
  defaultTolerationSeconds?: { notReady: number; unreachable: number };
  /** Controllers and scheduler to run once serving (none when absent). */
  controlPlane?: ControlPlaneSettings;
  /** More components to run with the server's (they may require its own; `k8ts server`: the agent). */
  components?: Component[];
  /** How often the built-in metrics server scrapes the agents (15 s by default). */
  metricResolutionMs?: number;
  /** Optional components not to run (`--disable`). */
  disabledComponents?: string[];
  /** ClusterIP of kube-system/kube-dns (the first --cluster-dns; default 10.43.0.10). */
  clusterDNS?: string;
}

export interface RunningServer {
  api: ApiContext;
  registry: Registry;
  store: RevisionStore;
  http: ApiHttpServer;
  ca: KeyPair;
  adminKubeconfig: string;
  port: number;
  stop(): Promise<void>;
}

/** The server's components, then the caller's: `--disable` takes the optional ones. */
export function serverComponents(opts: ServerOptions): Component[] {
  return [
    pkiComponent(opts), storageComponent(opts), apiComponent(opts), httpComponent(opts), openApiComponent(), crdsComponent(),
    servingComponent(), bootstrapComponent(opts), kubeDnsComponent(opts), ingressComponent(), controlPlaneComponent(opts), metricsServerComponent(opts),
    localStorageComponent(opts), csiNfsServerComponent(opts), csiProvisionerComponent(opts), ...(opts.components ?? []),
  ];
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const running = await startComponents(serverComponents(opts), { disabled: opts.disabledComponents });
  const { api, registry } = running.get(apiValue);
  const { port, adminKubeconfig } = running.get(servingValue);
  let stopping: Promise<void> | undefined;
  return {
    api, registry, store: running.get(storageValue), http: running.get(httpValue), ca: running.get(pkiValue).ca, adminKubeconfig, port,
    stop: () => {
      stopping ??= running.stop().then(() => log.info({}, 'stopped'));
      return stopping;
    },
  };
}
