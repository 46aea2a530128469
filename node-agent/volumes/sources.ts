// The files of configMap, secret, downwardAPI and projected volumes, as kubelet's volume plugins
// compute them (items or every key, modes, optional sources, error wording). Pure: the objects
// and tokens they read are fetched by the caller.
import type { ConfigMap, DownwardAPIVolumeFile, KeyToPath, Pod, Secret, Volume, VolumeProjection } from '../kube-types.js';
import { fieldRefValue, resourceFieldValue } from '../runtime/env.js';
import type { Payload } from './atomic-writer.js';

/**
 * A volume that cannot be set up; the message follows `<operation> failed for volume "<volume>" :`.
 * Kubelet names the volume by its spec: the PersistentVolume's name for a claim, and says which
 * step failed (MountDevice is staging); the pod's volume name and SetUp are the defaults.
 */
export class VolumeError extends Error {
  override readonly name = 'VolumeError';

  constructor(message: string, readonly where: { volume?: string; operation?: 'MountVolume.SetUp' | 'MountVolume.MountDevice' } = {}) {
    super(message);
  }
}

const DEFAULT_MODE = 0o644;

export interface SourceData {
  configMaps: Map<string, ConfigMap | null>;
  secrets: Map<string, Secret | null>;
  /** Service account tokens by projection path (already requested). */
  tokens: Map<string, string>;
  podIPs: string[];
  hostIPs: string[];
  allocatable: Record<string, string>;
  /** pod.spec.securityContext.fsGroup: files get this group. */
  fsGroup?: number;
}

/** What a volume needs fetched before its payload can be built. */
export interface VolumeNeeds {
  configMaps: string[];
  secrets: string[];
  tokens: { path: string; audience?: string; expirationSeconds: number }[];
}

export function volumeNeeds(v: Volume): VolumeNeeds {
  const needs: VolumeNeeds = { configMaps: [], secrets: [], tokens: [] };
  if (v.configMap?.name) needs.configMaps.push(v.configMap.name);
  if (v.secret?.secretName) needs.secrets.push(v.secret.secretName);
  for (const s of v.projected?.sources ?? []) {
    if (s.configMap?.name) needs.configMaps.push(s.configMap.name);
    if (s.secret?.name) needs.secrets.push(s.secret.name);
    if (s.serviceAccountToken) {
      needs.tokens.push({ path: s.serviceAccountToken.path, audience: s.serviceAccountToken.audience, expirationSeconds: s.serviceAccountToken.expirationSeconds ?? 3600 });
    }
  }
  return needs;
}

/** Whether a volume is written by the atomic writer (and read-only in containers). */
export function isDataVolume(v: Volume): boolean {
  return !!(v.configMap || v.secret || v.downwardAPI || v.projected);
}

function put(payload: Payload, path: string, data: Buffer, mode: number, fsGroup: number | undefined): void {
  payload.set(path, { data, mode, ...(fsGroup !== undefined ? { gid: fsGroup } : {}) });
}

function keyed(
  payload: Payload,
  all: Record<string, Buffer>,
  items: KeyToPath[] | undefined,
  defaultMode: number,
  optional: boolean,
  missingKey: (key: string) => string,
  fsGroup: number | undefined,
): void {
  if (!items?.length) {
    for (const [k, data] of Object.entries(all)) put(payload, k, data, defaultMode, fsGroup);
    return;
  }
  for (const it of items) {
    const data = all[it.key];
    if (data === undefined) {
      if (optional) continue;
      throw new VolumeError(missingKey(it.key));
    }
    put(payload, it.path, data, it.mode ?? defaultMode, fsGroup);
  }
}

function configMapData(cm: ConfigMap): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(cm.data ?? {})) out[k] = Buffer.from(v, 'utf8');
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out[k] = Buffer.from(v, 'base64');
  return out;
}

function secretData(s: Secret): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(s.data ?? {})) out[k] = Buffer.from(v, 'base64');
  return out;
}

function downward(payload: Payload, pod: Pod, items: DownwardAPIVolumeFile[], defaultMode: number, d: SourceData): void {
  for (const it of items) {
    let value: string;
    if (it.fieldRef) value = fieldRefValue(pod, it.fieldRef, d.podIPs, d.hostIPs);
    else if (it.resourceFieldRef) {
      const target = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === it.resourceFieldRef?.containerName);
      value = resourceFieldValue(it.resourceFieldRef, target, d.allocatable);
    } else continue;
    put(payload, it.path, Buffer.from(value, 'utf8'), it.mode ?? defaultMode, d.fsGroup);
  }
}

function projection(payload: Payload, pod: Pod, s: VolumeProjection, defaultMode: number, d: SourceData): void {
  const ns = pod.metadata?.namespace ?? '';
  if (s.configMap) {
    const name = s.configMap.name ?? '';
    const cm = d.configMaps.get(name);
    if (!cm) {
      if (s.configMap.optional) return;
      throw new VolumeError(`configmap "${name}" not found`);
    }
    keyed(payload, configMapData(cm), s.configMap.items, defaultMode, !!s.configMap.optional,
      (k) => `configmap references non-existent config key: ${k}`, d.fsGroup);
  } else if (s.secret) {
    const name = s.secret.name ?? '';
    const sec = d.secrets.get(name);
    if (!sec) {
      if (s.secret.optional) return;
      throw new VolumeError(`secret "${name}" not found`);
    }
    keyed(payload, secretData(sec), s.secret.items, defaultMode, !!s.secret.optional,
      (k) => `secret references non-existent secret key: ${k}`, d.fsGroup);
  } else if (s.downwardAPI) {
    downward(payload, pod, s.downwardAPI.items ?? [], defaultMode, d);
  } else if (s.serviceAccountToken) {
    const token = d.tokens.get(s.serviceAccountToken.path);
    if (token === undefined) throw new VolumeError(`failed to fetch token: no token for ${ns}/${pod.spec?.serviceAccountName}`);
    put(payload, s.serviceAccountToken.path, Buffer.from(token, 'utf8'), defaultMode, d.fsGroup);
  } else {
    throw new VolumeError('unsupported projected volume source');
  }
}

/** The files a data volume holds now. */
export function volumePayload(pod: Pod, v: Volume, d: SourceData): Payload {
  const payload: Payload = new Map();
  if (v.configMap) {
    const name = v.configMap.name ?? '';
    const cm = d.configMaps.get(name);
    if (!cm) {
      if (v.configMap.optional) return payload;
      throw new VolumeError(`configmap "${name}" not found`);
    }
    keyed(payload, configMapData(cm), v.configMap.items, v.configMap.defaultMode ?? DEFAULT_MODE, !!v.configMap.optional,
      (k) => `configmap references non-existent config key: ${k}`, d.fsGroup);
  } else if (v.secret) {
    const name = v.secret.secretName ?? '';
    const sec = d.secrets.get(name);
    if (!sec) {
      if (v.secret.optional) return payload;
      throw new VolumeError(`secret "${name}" not found`);
    }
    keyed(payload, secretData(sec), v.secret.items, v.secret.defaultMode ?? DEFAULT_MODE, !!v.secret.optional,
      (k) => `secret references non-existent secret key: ${k}`, d.fsGroup);
  } else if (v.downwardAPI) {
    downward(payload, pod, v.downwardAPI.items ?? [], v.downwardAPI.defaultMode ?? DEFAULT_MODE, d);
  } else if (v.projected) {
    for (const s of v.projected.sources ?? []) projection(payload, pod, s, v.projected.defaultMode ?? DEFAULT_MODE, d);
  }
  return payload;
}
