// The composition root of `k8ts server`: PKI, storage, registry, admission, HTTP, bootstrap.
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { logger } from '../lib/log.js';
import { ensureCA, ensureCertificate, type KeyPair } from '../lib/pki.js';
import { writeKubeconfig } from '../lib/kubeconfig.js';
import { firstAddress } from '../lib/ipv4.js';
import { builtinRegistry } from './api/builtin/index.js';
import type { Registry } from './api/registry.js';
import { Authenticator } from './auth/authenticate.js';
import { tokenFileAuthenticator } from './auth/token-file.js';
import { Authorizer } from './auth/authorize.js';
import { AdmissionChain } from './auth/admission/chain.js';
import { namespaceLifecycle } from './auth/admission/namespace-lifecycle.js';
import { serviceAccountAdmission, storeServiceAccounts } from './auth/admission/service-account.js';
import { priorityAdmission } from './auth/admission/priority.js';
import { defaultTolerationSeconds } from './auth/admission/default-toleration-seconds.js';
import { limitRanger } from './auth/admission/limit-ranger.js';
import { resourceQuotaAdmission } from './auth/admission/resource-quota.js';
import { bootstrap } from './bootstrap.js';
import { ApiContext } from './registry/api-context.js';
import { ApiHttpServer } from './http/server.js';
import { openStore } from './storage/open.js';
import { defaultHistory, type RevisionStore } from './storage/revision-store.js';
import { installExtensions } from './extensions.js';
import type { ControlPlaneSettings } from './controllers/control-plane-settings.js';
import { startControlPlaneThread } from './controllers/control-plane-thread.js';
import { OpenApiService } from './openapi/handler.js';
import { CrdController } from './crd/crd-controller.js';
import { serverVersion } from '../lib/version.js';
import { installServiceAccountTokens } from './registry/serviceaccounts/token.js';
import { APISERVER_KUBELET_CLIENT_CN } from '../lib/pki.js';

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
  /** How many changes storage keeps for watch resume and consistent paging. */
  historyEvents?: number;
  /** The NoExecute tolerations DefaultTolerationSeconds gives pods (300 s each by default). */
  defaultTolerationSeconds?: { notReady: number; unreachable: number };
  /** Controllers and scheduler to run once serving (none when absent). */
  controlPlane?: ControlPlaneSettings;
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

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const pkiDir = join(opts.dataDir, 'pki');
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const advertise = opts.advertiseAddress ?? (opts.bindAddress === '0.0.0.0' || opts.bindAddress === '::' ? primaryAddress() : opts.bindAddress);
  const kubernetesIP = firstAddress(opts.serviceCIDR);

  const ca = ensureCA(pkiDir, 'ca', 'k8ts-ca');
  const host = hostname();
  const ips = [...new Set(['127.0.0.1', kubernetesIP, advertise, ...(opts.bindAddress.includes('.') && opts.bindAddress !== '0.0.0.0' ? [opts.bindAddress] : []), ...opts.tlsSANs.filter(isIP)])];
  const dnsNames = [...new Set(['localhost', host, 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', ...opts.tlsSANs.filter((s) => !isIP(s))])];
  const serving = ensureCertificate(pkiDir, 'serving', ca, { commonName: 'kube-apiserver', dnsNames, ips, usage: 'server' });
  const admin = ensureCertificate(pkiDir, 'admin', ca, { commonName: 'admin', organizations: ['system:masters'], usage: 'client' });
  // What the API server shows node agents (kubelet port 10250) to be let in.
  const kubeletClient = ensureCertificate(pkiDir, 'apiserver-kubelet-client', ca, { commonName: APISERVER_KUBELET_CLIENT_CN, usage: 'client' });

  const store = await openStore(join(opts.dataDir, 'db'), { ...defaultHistory, maxEvents: opts.historyEvents ?? defaultHistory.maxEvents });
  const registry = builtinRegistry();
  const admission = new AdmissionChain();
  const api = new ApiContext(registry, store, admission);
  admission.register(namespaceLifecycle(store, (name) => api.storeFor('', 'namespaces').key('', name)));
  admission.register(limitRanger(store, (ns) => api.storeFor('', 'limitranges').prefix(ns)));
  admission.register(serviceAccountAdmission(storeServiceAccounts(store, (ns, name) => api.storeFor('', 'serviceaccounts').key(ns, name))));
  admission.register(priorityAdmission(store, api.storeFor('scheduling.k8s.io', 'priorityclasses').prefix('')));
  admission.register(defaultTolerationSeconds(opts.defaultTolerationSeconds?.notReady, opts.defaultTolerationSeconds?.unreachable));
  admission.register(resourceQuotaAdmission(store, api.storeFor('', 'resourcequotas')));
  const authn = new Authenticator();
  if (opts.tokenAuthFile) authn.addTokenAuthenticator(tokenFileAuthenticator(opts.tokenAuthFile));
  const authz = new Authorizer();
  installServiceAccountTokens(api, authn, pkiDir);
  installExtensions(api, {
    serviceCIDR: opts.serviceCIDR, nodePortRange: opts.nodePortRange, authn, authz,
    kubeletClient: { ca: ca.cert, cert: kubeletClient.cert, key: kubeletClient.key },
  });

  const http = new ApiHttpServer(api, authn, authz, {
    bindAddress: opts.bindAddress, port: opts.securePort, tls: { cert: serving.cert, key: serving.key, ca: ca.cert },
    advertiseAddress: advertise, version: serverVersion(),
  });
  new OpenApiService(registry, api.schemas, serverVersion().gitVersion).register(http);
  api.schemas.warm();
  const crds = new CrdController(api);
  crds.install();
  await crds.start();
  try {
    await http.listen();
    await bootstrap(api, { kubernetesServiceIP: kubernetesIP, advertiseAddress: advertise, securePort: http.address.port });
  } catch (err) {
    await http.close().catch(() => {});
    await store.close();
    throw err;
  }
  const port = http.address.port;
  http.setReady(true);

  const adminKubeconfig = join(opts.dataDir, 'admin.kubeconfig');
  writeKubeconfig(adminKubeconfig, {
    server: `https://${advertise.includes(':') ? `[${advertise}]` : advertise}:${port}`,
    caCert: ca.cert, clientCert: admin.cert, clientKey: admin.key, user: 'admin',
  });
  log.info({ address: opts.bindAddress, port, kubeconfig: adminKubeconfig, revision: store.revision() }, 'serving');
  // Controllers and the scheduler run in a thread of their own and speak HTTP to this server
  // over in-process connections.
  const controlPlane = opts.controlPlane && startControlPlaneThread(
    { ...opts.controlPlane, server: `https://localhost:${port}`, rootCA: ca.cert, clusterCIDR: opts.clusterCIDR },
    (user, socket) => http.acceptInProcess(socket, { name: user, groups: ['system:authenticated'] }),
  );

  let stopped = false;
  return {
    api, registry, store, http, ca, adminKubeconfig, port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await controlPlane?.stop();
      crds.stop();
      await http.close();
      await store.close();
      log.info({}, 'stopped');
    },
  };
}

/** The host's first non-loopback IPv4 address (what kube-apiserver advertises by default). */
function primaryAddress(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

function isIP(s: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(s) || s.includes(':');
}
