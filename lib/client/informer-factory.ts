// Shared informers: every controller in a process that asks for the same resource and
// selection gets the same informer, so one watch and one cache serve them all.
import type { Clock } from './clock.js';
import { Informer, listWatch, stripManagedFields, type Selection } from './informer.js';
import type { KubeClient } from './rest-client.js';
import { apiVersionOf, type ResourceType } from './resource-types.js';
import type { KubeObject } from './types.js';

export class InformerFactory {
  private readonly informers = new Map<string, Informer<KubeObject>>();
  private readonly started = new Set<string>();
  private readonly runs: Promise<void>[] = [];

  constructor(readonly client: KubeClient, private readonly opts: { clock?: Clock; resyncMs?: number } = {}) {}

  /** The shared informer for a resource (and optional selection). */
  informer<T extends KubeObject>(type: ResourceType, sel: Selection = {}): Informer<T> {
    return this.shared(type, sel, false) as unknown as Informer<T>;
  }

  /**
   * The shared metadata-only informer for a resource: objects come as PartialObjectMetadata
   * (kind, apiVersion meta.k8s.io/v1, metadata), for controllers that read nothing else, as
   * Kubernetes' metadata informers. The server sends and this process parses only metadata.
   */
  metadataInformer(type: ResourceType, sel: Selection = {}): Informer<KubeObject> {
    return this.shared(type, sel, true);
  }

  private shared(type: ResourceType, sel: Selection, metadataOnly: boolean): Informer<KubeObject> {
    const key = informerKey(type, sel, metadataOnly);
    let inf = this.informers.get(key);
    if (!inf) {
      inf = new Informer<KubeObject>(listWatch(this.client.resource(type), sel, metadataOnly), {
        name: metadataOnly ? `${type.resource}-metadata` : type.resource, clock: this.opts.clock, resyncMs: this.opts.resyncMs, transform: stripManagedFields,
      });
      this.informers.set(key, inf);
    }
    return inf;
  }

  /**
   * The shared informer of a whole resource if a controller already asked for one, typed or
   * metadata-only: a controller that reads only metadata uses it instead of opening a second
   * watch of the same objects, as Kubernetes' garbage collector prefers the shared informers.
   */
  existing<T extends KubeObject>(type: ResourceType): Informer<T> | undefined {
    return (this.informers.get(informerKey(type, {}, false)) ?? this.informers.get(informerKey(type, {}, true))) as unknown as Informer<T> | undefined;
  }

  /** Runs every informer not yet running, until the signal aborts. */
  start(signal: AbortSignal): void {
    for (const [key, inf] of this.informers) {
      if (this.started.has(key)) continue;
      this.started.add(key);
      this.runs.push(inf.run(signal));
    }
  }

  /** Resolves true once every informer has synced (false if the signal aborts first). */
  async waitForSync(signal: AbortSignal): Promise<boolean> {
    const results = await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
    return results.every(Boolean);
  }

  /** Resolves when every started informer has stopped. */
  async stopped(): Promise<void> {
    await Promise.allSettled(this.runs);
  }
}

function informerKey(type: ResourceType, sel: Selection, metadataOnly: boolean): string {
  return [metadataOnly ? 'metadata' : 'typed', apiVersionOf(type), type.resource, sel.namespace ?? '', sel.labelSelector ?? '', sel.fieldSelector ?? ''].join('|');
}
