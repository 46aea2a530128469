// ServiceAccount: pods run as the `default` service account unless they name one; the account
// must exist; its token, the cluster CA and the namespace are mounted at
// /var/run/secrets/kubernetes.io/serviceaccount through a kube-api-access-xxxxx projected volume,
// and its imagePullSecrets are copied to pods that have none, as Kubernetes' plugin does.
import { forbidden } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { generateNameSuffix } from '../../registry/names.js';
import type { Store } from '../../storage/interfaces.js';
import type { AdmissionPlugin } from './chain.js';

interface ServiceAccount extends KubeObject {
  automountServiceAccountToken?: boolean;
  imagePullSecrets?: Array<{ name?: string }>;
}

interface Container {
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}

interface PodSpec {
  serviceAccountName?: string;
  serviceAccount?: string;
  automountServiceAccountToken?: boolean;
  volumes?: Array<{ name: string; projected?: unknown }>;
  containers?: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
  imagePullSecrets?: Array<{ name?: string }>;
}

export const serviceAccountMountPath = '/var/run/secrets/kubernetes.io/serviceaccount';
const mirrorAnnotation = 'kubernetes.io/config.mirror';

/** The projected volume Kubernetes mounts for a service account token (bound, ~1 h). */
export function tokenVolume(name: string) {
  return {
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

export interface ServiceAccountLookup {
  /** The service account, or undefined if it does not exist. */
  get(namespace: string, name: string): ServiceAccount | undefined;
}

export function storeServiceAccounts(store: Store, key: (namespace: string, name: string) => string): ServiceAccountLookup {
  return {
    get(namespace, name) {
      const kv = store.get(key(namespace, name));
      return kv ? (JSON.parse(kv.value) as ServiceAccount) : undefined;
    },
  };
}

/** The default service account of a new namespace appears a moment after it: wait this long for it. */
const lookupAttempts = 20;
const lookupIntervalMs = 50;

export function serviceAccountAdmission(accounts: ServiceAccountLookup): AdmissionPlugin {
  return {
    name: 'ServiceAccount',
    async mutate(a) {
      if (a.def.group !== '' || a.def.plural !== 'pods' || a.subresource || a.operation !== 'CREATE' || !a.object) return;
      // Static pods' mirrors must not use service accounts.
      if (a.object.metadata.annotations?.[mirrorAnnotation] !== undefined) return;
      const spec = (a.object.spec ??= {}) as PodSpec;
      if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || 'default';
      spec.serviceAccount = spec.serviceAccountName;
      let sa = accounts.get(a.namespace, spec.serviceAccountName);
      for (let i = 1; !sa && i < lookupAttempts; i++) {
        await new Promise((r) => setTimeout(r, lookupIntervalMs));
        sa = accounts.get(a.namespace, spec.serviceAccountName);
      }
      if (!sa) {
        throw forbidden({ group: '', resource: 'pods' }, a.name,
          `error looking up service account ${a.namespace}/${spec.serviceAccountName}: serviceaccount "${spec.serviceAccountName}" not found`);
      }
      if (!spec.imagePullSecrets?.length && sa.imagePullSecrets?.length) spec.imagePullSecrets = sa.imagePullSecrets.map((s) => ({ name: s.name }));
      const automount = spec.automountServiceAccountToken ?? sa.automountServiceAccountToken ?? true;
      if (!automount) return;
      const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
      // A pod that mounts something there itself keeps it.
      if (containers.some((c) => c.volumeMounts?.some((m) => m.mountPath === serviceAccountMountPath))) return;
      const volumeName = `kube-api-access-${generateNameSuffix()}`;
      spec.volumes = [...(spec.volumes ?? []), tokenVolume(volumeName)];
      for (const c of containers) c.volumeMounts = [...(c.volumeMounts ?? []), { name: volumeName, readOnly: true, mountPath: serviceAccountMountPath }];
    },
  };
}
