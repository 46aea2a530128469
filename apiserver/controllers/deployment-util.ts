// Deployment bookkeeping as pkg/controller/deployment/util keeps it: the pod-template-hash that
// names a ReplicaSet, which ReplicaSet is new (same template, hash aside), revisions and the
// annotations a ReplicaSet carries (revision, revision-history, desired/max replicas, and the
// Deployment's own annotations). Pure functions.
import type { ReplicaSet } from '../../lib/client/types.js';
import { sortedJSON } from '../../lib/go-order.js';
import { semanticEqual } from '../api/kinds/semantic.js';
import { byCreation } from './pod-helpers.js';
import type { Deployment, PodTemplateSpec } from './workload-types.js';

export const podTemplateHashLabel = 'pod-template-hash';
export const revisionAnnotation = 'deployment.kubernetes.io/revision';
export const revisionHistoryAnnotation = 'deployment.kubernetes.io/revision-history';
export const desiredReplicasAnnotation = 'deployment.kubernetes.io/desired-replicas';
export const maxReplicasAnnotation = 'deployment.kubernetes.io/max-replicas';
/** How long the revision-history annotation may grow (--deployment-controller's default). */
export const revisionHistoryLimitChars = 2000;

/** Deployment annotations that are not copied to its ReplicaSets. */
const notCopied = new Set([
  'kubectl.kubernetes.io/last-applied-configuration', revisionAnnotation, revisionHistoryAnnotation,
  desiredReplicasAnnotation, maxReplicasAnnotation, 'deprecated.deployment.rollback.to',
]);

/** rand.SafeEncodeString's alphabet: no vowels, no look-alike characters. */
const safeAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

function fnv32a(text: string, h = 0x811c9dc5): number {
  const bytes = Buffer.from(text, 'utf8');
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * controller.ComputeHash: an FNV-32a hash of the template (and the collision count, when set),
 * spelled with rand.SafeEncodeString ("7d9f8c5b6").
 */
export function computeTemplateHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let h = fnv32a(sortedJSON(template ?? {}));
  if (collisionCount !== undefined && collisionCount !== null) h = fnv32a(String(collisionCount), h);
  return [...String(h)].map((c) => safeAlphabet[c.charCodeAt(0) % safeAlphabet.length]).join('');
}

function withoutHash(t: PodTemplateSpec | undefined): PodTemplateSpec {
  const copy = structuredClone(t ?? {});
  if (copy.metadata?.labels) {
    delete copy.metadata.labels[podTemplateHashLabel];
    if (Object.keys(copy.metadata.labels).length === 0) delete copy.metadata.labels;
  }
  return copy;
}

/** EqualIgnoreHash: the templates are the same once the pod-template-hash label is set aside. */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return semanticEqual(withoutHash(a), withoutHash(b));
}

/** The oldest ReplicaSet whose template is the Deployment's (FindNewReplicaSet). */
export function findNewReplicaSet(d: Deployment, all: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...all].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

export function revisionOf(rs: ReplicaSet | undefined): number {
  const v = rs?.metadata?.annotations?.[revisionAnnotation];
  const n = v === undefined ? 0 : Number(v);
  return Number.isInteger(n) ? n : 0;
}

export function maxRevision(all: readonly ReplicaSet[]): number {
  return Math.max(0, ...all.map(revisionOf));
}

/** Oldest revision first (ReplicaSetsByRevision; creation time breaks ties). */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  return revisionOf(a) - revisionOf(b) || byCreation(a, b);
}

/** Copies the Deployment's annotations (but the controller's own) to a ReplicaSet; true when one changed. */
function copyDeploymentAnnotations(d: Deployment, annotations: Record<string, string>): boolean {
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (notCopied.has(k) || annotations[k] === v) continue;
    annotations[k] = v;
    changed = true;
  }
  return changed;
}

/** Sets desired-replicas and max-replicas; true when either changed. */
export function setReplicasAnnotations(annotations: Record<string, string>, desired: number, max: number): boolean {
  let changed = false;
  for (const [k, v] of [[desiredReplicasAnnotation, String(desired)], [maxReplicasAnnotation, String(max)]] as const) {
    if (annotations[k] !== v) {
      annotations[k] = v;
      changed = true;
    }
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata?.annotations ?? {};
  return a[desiredReplicasAnnotation] !== String(desired) || a[maxReplicasAnnotation] !== String(max);
}

export function desiredReplicasOf(rs: ReplicaSet): number | undefined {
  const v = rs.metadata?.annotations?.[desiredReplicasAnnotation];
  const n = v === undefined ? NaN : Number(v);
  return Number.isInteger(n) ? n : undefined;
}

export function maxReplicasOf(rs: ReplicaSet): number | undefined {
  const v = rs.metadata?.annotations?.[maxReplicasAnnotation];
  const n = v === undefined ? NaN : Number(v);
  return Number.isInteger(n) ? n : undefined;
}

/**
 * SetNewReplicaSetAnnotations: the Deployment's annotations, the new revision (only ever
 * raised; a raised one moves the old number into revision-history, as when rolling back), and
 * for a ReplicaSet about to be created the replicas annotations. Mutates `annotations`;
 * returns whether anything changed.
 */
export function setNewReplicaSetAnnotations(
  d: Deployment, annotations: Record<string, string>, newRevision: number, exists: boolean, maxSurge: number,
): boolean {
  let changed = copyDeploymentAnnotations(d, annotations);
  const old = annotations[revisionAnnotation];
  const oldRevision = old === undefined ? 0 : Number(old);
  if (!Number.isInteger(oldRevision)) return false;
  if (oldRevision < newRevision) {
    annotations[revisionAnnotation] = String(newRevision);
    changed = true;
    if (old !== undefined) {
      const history = annotations[revisionHistoryAnnotation];
      if (!history) annotations[revisionHistoryAnnotation] = old;
      else {
        const revisions = history.split(',');
        let total = history.length + old.length + 1;
        let start = 0;
        while (total > revisionHistoryLimitChars && start < revisions.length) total -= revisions[start++].length + 1;
        if (total <= revisionHistoryLimitChars) annotations[revisionHistoryAnnotation] = [...revisions.slice(start), old].join(',');
      }
    }
  }
  const replicas = d.spec?.replicas ?? 1;
  if (!exists && setReplicasAnnotations(annotations, replicas, replicas + maxSurge)) changed = true;
  return changed;
}

/** The ReplicaSet a Deployment creates for its template (before replicas are decided). */
export function newReplicaSetFor(d: Deployment, hash: string): ReplicaSet {
  const template = structuredClone(d.spec?.template ?? {});
  template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [podTemplateHashLabel]: hash } };
  const selector = structuredClone(d.spec?.selector ?? {});
  selector.matchLabels = { ...selector.matchLabels, [podTemplateHashLabel]: hash };
  return {
    metadata: { name: `${d.metadata?.name}-${hash}`, namespace: d.metadata?.namespace, labels: { ...template.metadata.labels } },
    spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds, selector, template },
  };
}
