// What pods read from the API when they start and while they run: ConfigMaps and Secrets
// (absent ones are undefined, not errors) and service account tokens (TokenRequest bound to the
// pod, as kubelet asks for them).
import { isNotFound } from '../lib/client/api-error.js';
import type { KubeClient } from '../lib/client/rest-client.js';
import { resources } from '../lib/client/resource-types.js';
import type { ConfigMap, Pod, Secret } from './kube-types.js';
import type { IssuedToken } from './volumes/volume-manager.js';
import type { ClaimReads, PersistentVolume, PersistentVolumeClaim } from './volumes/persistent-claim.js';

export interface ApiReads extends ClaimReads {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  token(pod: Pod, audience: string | undefined, expirationSeconds: number): Promise<IssuedToken>;
}

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export function apiReads(client: KubeClient): ApiReads {
  const configMaps = client.resource<ConfigMap>(resources.configMaps);
  const secrets = client.resource<Secret>(resources.secrets);
  const serviceAccounts = client.resource(resources.serviceAccounts);
  const claims = client.resource<PersistentVolumeClaim>(resources.persistentVolumeClaims);
  const volumes = client.resource<PersistentVolume>(resources.persistentVolumes);
  return {
    persistentVolumeClaim: (ns, name) => orUndefined(claims.get(ns, name)),
    persistentVolume: (name) => orUndefined(volumes.get('', name)),
    configMap: (ns, name) => orUndefined(configMaps.get(ns, name)),
    secret: (ns, name) => orUndefined(secrets.get(ns, name)),
    async token(pod, audience, expirationSeconds) {
      const body = {
        apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest',
        spec: {
          audiences: audience ? [audience] : [], expirationSeconds,
          boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name, uid: pod.metadata?.uid },
        },
      };
      const r = await serviceAccounts.createSubresource<{ status?: { token?: string; expirationTimestamp?: string } }>(
        pod.metadata?.namespace ?? '', pod.spec?.serviceAccountName || 'default', 'token', body);
      return { token: r.status?.token ?? '', expiresAt: Date.parse(r.status?.expirationTimestamp ?? '') || Date.now() + expirationSeconds * 1000 };
    },
  };
}
