// The API objects a pod reads from its node: the Secrets and ConfigMaps its volumes, env and
// image pulls name, its PersistentVolumeClaims and its service account. The agent fetches
// them; the Node authorizer lets a node read exactly these. Pure.
import type { Container, Pod } from './client/types.js';

export interface PodReferences {
  secrets: Set<string>;
  configMaps: Set<string>;
  claims: Set<string>;
  serviceAccount: string;
}

/** ConfigMaps and Secrets a container's env and envFrom read. */
export function containerReferences(container: Container): { configMaps: Set<string>; secrets: Set<string> } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const f of container.envFrom ?? []) {
    if (f.configMapRef?.name) configMaps.add(f.configMapRef.name);
    if (f.secretRef?.name) secrets.add(f.secretRef.name);
  }
  for (const e of container.env ?? []) {
    if (e.valueFrom?.configMapKeyRef?.name) configMaps.add(e.valueFrom.configMapKeyRef.name);
    if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
  }
  return { configMaps, secrets };
}

/** Volume sources that name a Secret by `secretRef` (or nodePublishSecretRef). */
const secretRefSources = ['cephfs', 'cinder', 'flexVolume', 'iscsi', 'rbd', 'scaleIO', 'storageos'] as const;

export function podReferences(pod: Pod): PodReferences {
  const refs: PodReferences = { secrets: new Set(), configMaps: new Set(), claims: new Set(), serviceAccount: pod.spec?.serviceAccountName || 'default' };
  const spec = pod.spec;
  for (const s of spec?.imagePullSecrets ?? []) if (s.name) refs.secrets.add(s.name);
  const containers = [...(spec?.initContainers ?? []), ...(spec?.containers ?? []), ...((spec?.ephemeralContainers ?? []) as Container[])];
  for (const c of containers) {
    const r = containerReferences(c);
    for (const n of r.secrets) refs.secrets.add(n);
    for (const n of r.configMaps) refs.configMaps.add(n);
  }
  for (const v of spec?.volumes ?? []) {
    if (v.secret?.secretName) refs.secrets.add(v.secret.secretName);
    if (v.configMap?.name) refs.configMaps.add(v.configMap.name);
    if (v.persistentVolumeClaim?.claimName) refs.claims.add(v.persistentVolumeClaim.claimName);
    // A generic ephemeral volume's claim is named after the pod and the volume.
    if (v.ephemeral) refs.claims.add(`${pod.metadata?.name}-${v.name}`);
    if (v.azureFile?.secretName) refs.secrets.add(v.azureFile.secretName);
    if (v.csi?.nodePublishSecretRef?.name) refs.secrets.add(v.csi.nodePublishSecretRef.name);
    for (const k of secretRefSources) {
      const name = (v[k] as { secretRef?: { name?: string } } | undefined)?.secretRef?.name;
      if (name) refs.secrets.add(name);
    }
    for (const p of v.projected?.sources ?? []) {
      if (p.secret?.name) refs.secrets.add(p.secret.name);
      if (p.configMap?.name) refs.configMaps.add(p.configMap.name);
    }
  }
  return refs;
}
