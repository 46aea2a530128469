// Creating and deleting pods for a controller (controller.RealPodControl): pods built from the
// owner's template, named after it, controlled by it; each create and delete recorded as the
// event Kubernetes records (SuccessfulCreate, FailedCreate, SuccessfulDelete, FailedDelete).
import { isNotFound } from '../../lib/client/api-error.js';
import type { EventRecorder, ObjectRef } from '../../lib/client/events.js';
import type { ResourceClient } from '../../lib/client/rest-client.js';
import type { OwnerReference, Pod } from '../../lib/client/types.js';
import { isDNS1123Subdomain } from '../api/validation/names.js';
import type { PodTemplateSpec } from './workload-types.js';

/** The generateName prefix of a controller's pods: "<name>-" unless that is not a valid name. */
export function podNamePrefix(controllerName: string): string {
  const prefix = `${controllerName}-`;
  return isDNS1123Subdomain(prefix.slice(0, -1)).length === 0 ? prefix : controllerName;
}

/** controller.GetPodFromTemplate: labels, annotations, finalizers and spec from the template. */
export function podFromTemplate(template: PodTemplateSpec | undefined, namespace: string, ref: OwnerReference | undefined, prefix: string): Pod {
  const meta = template?.metadata ?? {};
  const pod: Pod = {
    metadata: {
      namespace,
      generateName: prefix,
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ...(ref ? { ownerReferences: [ref] } : {}),
    },
    spec: structuredClone(template?.spec) ?? { containers: [] },
  };
  return pod;
}

export class PodControl {
  constructor(private readonly pods: ResourceClient<Pod>, private readonly recorder: EventRecorder) {}

  /** Creates a pod; records SuccessfulCreate or FailedCreate against the owner. */
  async create(pod: Pod, owner: ObjectRef): Promise<Pod> {
    try {
      const created = await this.pods.create(pod);
      this.recorder.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
      return created;
    } catch (err) {
      // A namespace being torn down refuses every create: not worth an event.
      if (!isNamespaceTerminating(err)) this.recorder.event(owner, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
      throw err;
    }
  }

  /** Deletes a pod by name with its UID as precondition; records SuccessfulDelete or FailedDelete. */
  async delete(namespace: string, name: string, uid: string | undefined, owner: ObjectRef): Promise<void> {
    try {
      await this.pods.delete(namespace, name, { preconditions: uid ? { uid } : undefined });
      this.recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
    } catch (err) {
      if (isNotFound(err)) throw err;
      this.recorder.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
      throw err;
    }
  }
}

export function isNamespaceTerminating(err: unknown): boolean {
  const causes = (err as { status?: { details?: { causes?: Array<{ reason?: string }> } } }).status?.details?.causes ?? [];
  return causes.some((c) => c.reason === 'NamespaceTerminating') || /because it is being terminated/.test((err as Error)?.message ?? '');
}

/**
 * controller.slowStartBatch: calls fn `count` times in batches of 1, 2, 4, ... run concurrently;
 * stops after the first batch with a failure. Returns how many calls succeeded and the first error.
 */
export async function slowStartBatch(count: number, initial: number, fn: () => Promise<void>): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initial); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += batch - failed.length;
    if (failed.length) return { successes, error: failed[0].reason };
    remaining -= batch;
  }
  return { successes };
}
