// The API server's components, in the order the runner starts them: storage, the API (registry,
// admission, authentication, authorization, extensions), the HTTP server, OpenAPI, CRDs,
// serving, bootstrap, and the control plane's thread (controllers and scheduler; optional).
// The PKI is server-pki.ts.
import { caHash } from '../lib/bootstrap-token.js';
import { ensureServerJoinToken } from './join/join-token.js';
import { joinTokenAuthenticator } from './join/join-authenticator.js';
import { nodeRestriction } from './auth/admission/node-restriction.js';
import { certificateApproval } from './auth/admission/certificate-approval.js';
import { NodeAuthorizer } from './auth/node/node-authorizer.js';
import { NodeGraph } from './auth/node/node-graph.js';
import { EscalationGuard } from './auth/rbac/escalation.js';
import { RbacAuthorizer } from './auth/rbac/rbac-authorizer.js';
import { join } from 'node:path';
import { logger } from '../lib/log.js';
import { writeKubeconfig } from '../lib/kubeconfig.js';
import { nothingToStop, provides, type Component } from '../lib/components.js';
import { builtinRegistry } from './api/builtin/index.js';
import type { Registry } from './api/registry.js';
import { Authenticator } from './auth/authenticate.js';
import { tokenFileAuthenticator } from './auth/token-file.js';
import { Authorizer } from './auth/authorize.js';
import { AdmissionChain } from './auth/admission/chain.js';
import { namespaceLifecycle } from './auth/admission/namespace-lifecycle.js';
import { serviceAccountAdmission, storeServiceAccounts } from './auth/admission/service-account.js';
import { priorityAdmission } from './auth/admission/priority.js';
import { defaultIngressClassAdmission } from './auth/admission/default-ingress-class.js';
import { defaultTolerationSeconds } from './auth/admission/default-toleration-seconds.js';
import { limitRanger } from './auth/admission/limit-ranger.js';
import { resourceQuotaAdmission } from './auth/admission/resource-quota.js';
import { defaultStorageClass } from './auth/admission/default-storage-class.js';
import { storageObjectInUseProtection } from './auth/admission/storage-object-in-use.js';
import { bootstrap } from './bootstrap.js';
import { ApiContext } from './registry/api-context.js';
import { ApiHttpServer } from './http/server.js';
import { openStore } from './storage/open.js';
import { defaultHistory, type RevisionStore } from './storage/revision-store.js';
import { installExtensions } from './extensions.js';
import { startControlPlaneThread } from './controllers/control-plane-thread.js';
import { OpenApiService } from './openapi/handler.js';
import { CrdController } from './crd/crd-controller.js';
import { serverVersion } from '../lib/version.js';
import { inProcessUser, installServiceAccountTokens } from './registry/serviceaccounts/token.js';
import { pkiValue } from './server-pki.js';
import type { ServerOptions } from './server.js';

const log = logger('server');

export const storageValue = provides<RevisionStore>('storage');
export const apiValue = provides<{ api: ApiContext; registry: Registry; authn: Authenticator; authz: Authorizer }>('api');
export const httpValue = provides<ApiHttpServer>('http');
/** Where the server serves once bootstrapped, and the admin kubeconfig that reaches it. */
export const servingValue = provides<{ port: number; adminKubeconfig: string }>('bootstrap');

/** Where `k8ts server` writes the admin's kubeconfig. */
export function adminKubeconfigPath(dataDir: string): string {
  return join(dataDir, 'admin.kubeconfig');
}

export function storageComponent(opts: ServerOptions): Component {
  return {
    name: 'storage', requires: ['pki'],
    async start(ctx) {
      const store = await openStore(join(opts.dataDir, 'db'), { ...defaultHistory, maxEvents: opts.historyEvents ?? defaultHistory.maxEvents });
      ctx.provide(storageValue, store);
      return () => store.close();
    },
  };
}

/** The resource registry over storage, admission, authentication, authorization, extensions. */
export function apiComponent(opts: ServerOptions): Component {
  return {
    name: 'api', requires: ['pki', 'storage'],
    async start(ctx) {
      const { pkiDir, ca, kubeletClient } = ctx.get(pkiValue);
      const store = ctx.get(storageValue);
      const registry = builtinRegistry();
      const admission = new AdmissionChain();
      const api = new ApiContext(registry, store, admission);
      admission.register(namespaceLifecycle(store, (name) => api.storeFor('', 'namespaces').key('', name)));
      admission.register(limitRanger(store, (ns) => api.storeFor('', 'limitranges').prefix(ns)));
      admission.register(serviceAccountAdmission(storeServiceAccounts(store, (ns, name) => api.storeFor('', 'serviceaccounts').key(ns, name))));
      admission.register(priorityAdmission(store, api.storeFor('scheduling.k8s.io', 'priorityclasses').prefix('')));
      admission.register(defaultIngressClassAdmission(store, api.storeFor('networking.k8s.io', 'ingressclasses').prefix('')));
      admission.register(defaultTolerationSeconds(opts.defaultTolerationSeconds?.notReady, opts.defaultTolerationSeconds?.unreachable));
      admission.register(defaultStorageClass(store, api.storeFor('storage.k8s.io', 'storageclasses').prefix('')));
      admission.register(storageObjectInUseProtection());
      admission.register(resourceQuotaAdmission(store, api.storeFor('', 'resourcequotas')));
      admission.register(nodeRestriction());
      const authn = new Authenticator({ anonymous: opts.anonymousAuth ?? true });
      if (opts.tokenAuthFile) authn.addTokenAuthenticator(tokenFileAuthenticator(opts.tokenAuthFile));
      const authz = new Authorizer();
      // RBAC, enforced: roles and bindings are followed from storage; writes of them may not
      // grant more than the writer holds.
      const rbac = new RbacAuthorizer(api);
      new EscalationGuard(api, rbac).install();
      // The Node authorizer first, as kube-apiserver's --authorization-mode=Node,RBAC.
      const nodeGraph = new NodeGraph(api);
      authz.add(new NodeAuthorizer(nodeGraph).authorize);
      authz.add(rbac.authorize);
      authz.ruleLister = (user, namespace) => rbac.rulesFor(user, namespace);
      authz.enforce = true;
      admission.register(certificateApproval(authz));
      installServiceAccountTokens(api, authn, pkiDir);
      // Joining nodes: the server's token (written to <data-dir>/node-token) and bootstrap tokens.
      const join = ensureServerJoinToken(opts.dataDir, ca.cert);
      authn.addTokenAuthenticator(joinTokenAuthenticator(api, join.secret, caHash(ca.cert)));
      installExtensions(api, {
        serviceCIDR: opts.serviceCIDR, nodePortRange: opts.nodePortRange, authn, authz,
        kubeletClient: { ca: ca.cert, cert: kubeletClient.cert, key: kubeletClient.key },
      });
      // After every extension: following storage makes the stores, which take their extensions then.
      rbac.start();
      nodeGraph.start();
      ctx.provide(apiValue, { api, registry, authn, authz });
      return () => {
        rbac.stop();
        nodeGraph.stop();
      };
    },
  };
}

/** The HTTPS server, built (handlers are added to it before it listens: see `serving`). */
export function httpComponent(opts: ServerOptions): Component {
  return {
    name: 'http', requires: ['pki', 'api'],
    async start(ctx) {
      const { serving, ca, advertise } = ctx.get(pkiValue);
      const { api, authn, authz } = ctx.get(apiValue);
      ctx.provide(httpValue, new ApiHttpServer(api, authn, authz, {
        bindAddress: opts.bindAddress, port: opts.securePort, tls: { cert: serving.cert, key: serving.key, ca: ca.cert },
        advertiseAddress: advertise, version: serverVersion(),
      }));
      return nothingToStop;
    },
  };
}

export function openApiComponent(): Component {
  return {
    name: 'openapi', requires: ['api', 'http'],
    async start(ctx) {
      const { api, registry } = ctx.get(apiValue);
      new OpenApiService(registry, api.schemas, serverVersion().gitVersion).register(ctx.get(httpValue));
      api.schemas.warm();
      return nothingToStop;
    },
  };
}

/** CustomResourceDefinitions: their resources are served from the first request on. */
export function crdsComponent(): Component {
  return {
    name: 'crds', requires: ['api'],
    async start(ctx) {
      const crds = new CrdController(ctx.get(apiValue).api);
      crds.install();
      await crds.start();
      return () => crds.stop();
    },
  };
}

/** Listening: after every handler is in place. */
export function servingComponent(): Component {
  return {
    name: 'serving', requires: ['http', 'openapi', 'crds'],
    async start(ctx) {
      const http = ctx.get(httpValue);
      try {
        await http.listen();
      } catch (err) {
        await http.close().catch(() => {});
        throw err;
      }
      return () => http.close();
    },
  };
}

/** The objects every cluster has (kubernetes Service, system namespaces, RBAC), then ready. */
export function bootstrapComponent(opts: ServerOptions): Component {
  return {
    name: 'bootstrap', requires: ['pki', 'storage', 'api', 'http', 'serving'],
    async start(ctx) {
      const { kubernetesIP, advertise, ca, admin } = ctx.get(pkiValue);
      const http = ctx.get(httpValue);
      const port = http.address.port;
      await bootstrap(ctx.get(apiValue).api, {
        kubernetesServiceIP: kubernetesIP, advertiseAddress: advertise, securePort: port, clusterDnsDisabled: opts.disabledComponents?.includes('dns'),
      });
      http.setReady(true);
      const adminKubeconfig = adminKubeconfigPath(opts.dataDir);
      writeKubeconfig(adminKubeconfig, {
        server: `https://${advertise.includes(':') ? `[${advertise}]` : advertise}:${port}`,
        caCert: ca.cert, clientCert: admin.cert, clientKey: admin.key, user: 'admin',
      });
      log.info({ address: opts.bindAddress, port, kubeconfig: adminKubeconfig, revision: ctx.get(storageValue).revision() }, 'serving');
      ctx.provide(servingValue, { port, adminKubeconfig });
      return nothingToStop;
    },
  };
}

/**
 * Controllers and the scheduler, in a thread of their own that speaks HTTP to this server over
 * in-process connections. Optional (`--disable control-plane`: an API server alone); none run
 * when the options name no control plane.
 */
export function controlPlaneComponent(opts: ServerOptions): Component {
  return {
    name: 'control-plane', requires: ['pki', 'http', 'bootstrap'], optional: true,
    async start(ctx) {
      if (!opts.controlPlane) return nothingToStop;
      const http = ctx.get(httpValue);
      const controlPlane = startControlPlaneThread(
        { ...opts.controlPlane, server: `https://localhost:${ctx.get(servingValue).port}`, rootCA: ctx.get(pkiValue).ca.cert, rootCAKey: ctx.get(pkiValue).ca.key, clusterCIDR: opts.clusterCIDR },
        (user, socket) => http.acceptInProcess(socket, inProcessUser(user)),
      );
      return () => controlPlane.stop();
    },
  };
}
