// ControllerRevisions as DaemonSets and StatefulSets keep them (pkg/controller/history): each
// revision stores the pod template as a patch, is named <owner>-<hash> with the hash also as
// the controller-revision-hash label, and carries a revision number. Hash collisions bump a
// collision count on the owner. Pure helpers plus one function that creates a revision.
import { isAlreadyExists } from '../../lib/client/api-error.js';
import type { ResourceClient } from '../../lib/client/rest-client.js';
import type { KubeObject, OwnerReference } from '../../lib/client/types.js';
import { sortedJSON } from '../../lib/go-order.js';
import { semanticEqual } from '../api/kinds/semantic.js';
import { controllerRefOf } from './pod-helpers.js';
import type { ControllerRevision, PodTemplateSpec } from './workload-types.js';

export const revisionHashLabel = 'controller-revision-hash';

const safeAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** FNV-1 (32 bit), as hash/fnv.New32 computes it. */
function fnv32(text: string, h = 0x811c9dc5): number {
  for (const b of Buffer.from(text, 'utf8')) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h ^= b;
  }
  return h >>> 0;
}

/** The revision data of a template: a strategic merge patch that replaces spec.template. */
export function templatePatch(template: PodTemplateSpec | undefined): Record<string, unknown> {
  return { spec: { template: { ...structuredClone(template ?? {}), $patch: 'replace' } } };
}

/** HashControllerRevision: FNV-1 of the data (and the collision count), safely encoded. */
export function revisionHash(data: unknown, collisionCount?: number): string {
  let h = fnv32(sortedJSON(data ?? null));
  if (collisionCount !== undefined && collisionCount !== null) h = fnv32(String(collisionCount), h);
  return [...String(h)].map((c) => safeAlphabet[c.charCodeAt(0) % safeAlphabet.length]).join('');
}

/** NewControllerRevision: named <owner>-<hash>, labelled like the template plus the hash. */
export interface RevisionInput {
  owner: KubeObject;
  ref: OwnerReference;
  templateLabels?: Record<string, string>;
  /** DaemonSets copy their annotations onto revisions. */
  annotations?: Record<string, string>;
  data: unknown;
  revision: number;
}

export function newRevision(input: RevisionInput, collisionCount?: number): ControllerRevision {
  const hash = revisionHash(input.data, collisionCount);
  const prefix = (input.owner.metadata?.name ?? '').slice(0, 223);
  return {
    metadata: {
      name: `${prefix}-${hash}`, namespace: input.owner.metadata?.namespace,
      labels: { ...input.templateLabels, [revisionHashLabel]: hash },
      ...(input.annotations && Object.keys(input.annotations).length ? { annotations: { ...input.annotations } } : {}),
      ownerReferences: [input.ref],
    },
    data: input.data, revision: input.revision,
  };
}

/** Whether a stored revision holds the same data. */
export function sameData(a: ControllerRevision, data: unknown): boolean {
  return semanticEqual(a.data, data);
}

export function byRevisionNumber(a: ControllerRevision, b: ControllerRevision): number {
  return (a.revision ?? 0) - (b.revision ?? 0) || ((a.metadata?.creationTimestamp ?? '') < (b.metadata?.creationTimestamp ?? '') ? -1 : 1);
}

export function nextRevisionNumber(revisions: readonly ControllerRevision[]): number {
  return Math.max(0, ...revisions.map((r) => r.revision ?? 0)) + 1;
}

/**
 * CreateControllerRevision: creates the revision; a name taken by different data is a hash
 * collision, so the collision count goes up and the name is drawn again. Returns the stored
 * revision and the collision count used.
 */
export async function createRevision(
  api: ResourceClient<ControllerRevision>, input: RevisionInput, collisionCount: number | undefined,
): Promise<{ revision: ControllerRevision; collisionCount: number | undefined }> {
  let count = collisionCount;
  for (let attempt = 0; attempt < 100; attempt++) {
    const cr = newRevision(input, count);
    try {
      return { revision: await api.create(cr), collisionCount: count };
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await api.get(cr.metadata?.namespace ?? '', cr.metadata?.name ?? '');
      if (sameData(existing, input.data) && controllerRefOf(existing)?.uid === input.ref.uid) return { revision: existing, collisionCount: count };
      count = (count ?? 0) + 1;
    }
  }
  throw new Error(`could not find a free name for a revision of ${input.owner.metadata?.name}`);
}

/**
 * Which old revisions to delete (cleanupHistory): as many of the oldest as exceed `limit`,
 * skipping the current one and any a live pod still runs.
 */
export function revisionsToDelete(revisions: readonly ControllerRevision[], current: string, live: ReadonlySet<string>, limit: number): ControllerRevision[] {
  const old = revisions.filter((r) => r.metadata?.name !== current).sort(byRevisionNumber);
  let excess = old.length - limit;
  const out: ControllerRevision[] = [];
  for (const r of old) {
    if (excess <= 0) break;
    if (live.has(r.metadata?.labels?.[revisionHashLabel] ?? '')) continue;
    out.push(r);
    excess--;
  }
  return out;
}
