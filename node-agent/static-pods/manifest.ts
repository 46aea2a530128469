// A static pod from a manifest file, as kubelet's file source makes it: UID = md5 of the
// manifest plus node and file (so an edit is a new pod), name suffixed with the node name,
// bound to this node, the config.hash/source/seen annotations, a NoExecute toleration, and
// the API server's defaults (nothing else defaults a pod that never went through it).
import { createHash } from 'node:crypto';
import { parseAllDocuments } from 'yaml';
import type { Container, Pod, Probe } from '../kube-types.js';
import { defaultPullPolicy } from '../runtime/image-manager.js';
import { stableJson } from '../runtime/labels.js';

export const CONFIG_HASH_ANNOTATION = 'kubernetes.io/config.hash';
export const CONFIG_SOURCE_ANNOTATION = 'kubernetes.io/config.source';
export const CONFIG_SEEN_ANNOTATION = 'kubernetes.io/config.seen';
export const CONFIG_MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

/** The single Pod in a manifest file (YAML or JSON). */
export function parseManifest(text: string, file: string): Pod {
  const docs = parseAllDocuments(text).filter((d) => d.contents !== null);
  if (docs.length !== 1) throw new ManifestError(`${file}: want exactly one Pod, found ${docs.length} documents`);
  const doc = docs[0];
  if (!doc || doc.errors.length) throw new ManifestError(`${file}: ${doc?.errors[0]?.message ?? 'unreadable'}`);
  const obj = doc.toJS() as Pod;
  if (!obj || typeof obj !== 'object' || obj.kind !== 'Pod') throw new ManifestError(`${file}: not a Pod (kind ${JSON.stringify(obj?.kind)})`);
  if (!obj.metadata?.name) throw new ManifestError(`${file}: metadata.name is required`);
  if (!obj.spec?.containers?.length) throw new ManifestError(`${file}: spec.containers is required`);
  return obj;
}

function probeDefaults(p: Probe | undefined): Probe | undefined {
  if (!p) return p;
  return { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3, ...p };
}

function containerDefaults(c: Container): Container {
  return {
    ...c,
    imagePullPolicy: c.imagePullPolicy ?? defaultPullPolicy(c.image ?? ''),
    terminationMessagePath: c.terminationMessagePath ?? '/dev/termination-log',
    terminationMessagePolicy: c.terminationMessagePolicy ?? 'File',
    resources: c.resources ?? {},
    ports: c.ports?.map((p) => ({ protocol: 'TCP', ...p })),
    livenessProbe: probeDefaults(c.livenessProbe),
    readinessProbe: probeDefaults(c.readinessProbe),
    startupProbe: probeDefaults(c.startupProbe),
  };
}

/** The static pod for a parsed manifest on `nodeName`. */
export function staticPod(manifest: Pod, file: string, nodeName: string, seen: Date): Pod {
  const uid = manifest.metadata?.uid || createHash('md5').update(stableJson(manifest)).update(`host:${nodeName}`).update(`file:${file}`).digest('hex');
  const spec = manifest.spec ?? { containers: [] };
  const tolerations = [...(spec.tolerations ?? [])];
  if (!tolerations.some((t) => t.operator === 'Exists' && t.effect === 'NoExecute' && !t.key)) tolerations.push({ operator: 'Exists', effect: 'NoExecute' });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...manifest.metadata,
      name: `${manifest.metadata?.name}-${nodeName}`,
      namespace: manifest.metadata?.namespace || 'default',
      uid,
      annotations: {
        ...(manifest.metadata?.annotations ?? {}),
        [CONFIG_HASH_ANNOTATION]: uid,
        [CONFIG_SOURCE_ANNOTATION]: 'file',
        [CONFIG_SEEN_ANNOTATION]: seen.toISOString().replace('Z', '000000Z'),
      },
    },
    spec: {
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      terminationGracePeriodSeconds: 30,
      schedulerName: 'default-scheduler',
      securityContext: {},
      enableServiceLinks: true,
      ...spec,
      nodeName,
      tolerations,
      containers: spec.containers.map(containerDefaults),
      initContainers: spec.initContainers?.map(containerDefaults),
    },
    status: { phase: 'Pending' },
  };
}

/** The mirror pod the API shows for a static pod: its copy with the config.mirror annotation, owned by the Node. */
export function mirrorPod(pod: Pod, nodeUid: string): Pod {
  const { uid: _uid, resourceVersion: _rv, creationTimestamp: _ct, ...meta } = pod.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...meta,
      annotations: { ...(pod.metadata?.annotations ?? {}), [CONFIG_MIRROR_ANNOTATION]: pod.metadata?.uid ?? '' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: pod.spec?.nodeName ?? '', uid: nodeUid, controller: true }],
    },
    spec: pod.spec,
  };
}

/** Whether an API pod is a mirror pod (never run: its static pod is). */
export function isMirrorPod(pod: Pod): boolean {
  return pod.metadata?.annotations?.[CONFIG_MIRROR_ANNOTATION] !== undefined;
}

export function isStaticPod(pod: Pod): boolean {
  const src = pod.metadata?.annotations?.[CONFIG_SOURCE_ANNOTATION];
  return src !== undefined && src !== 'api';
}
