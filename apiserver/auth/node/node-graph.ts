// What each node may read, from the pods bound to it: the Secrets, ConfigMaps, claims and
// service accounts they name (lib/pod-references.ts), and the volumes those claims are bound
// to. Followed from storage, as the Node authorizer's graph is; references are counted, so two
// pods naming one Secret keep it readable until both are gone. Every node runs the built-in
// Ingress controller, so every node may also read the TLS Secrets that Ingresses of a class it
// serves name (and only those).
import { podReferences } from '../../../lib/pod-references.js';
import { isServedBy, tlsSecretNames, type Ingress, type IngressClass } from '../../../lib/ingress.js';
import type { Pod } from '../../../lib/client/types.js';
import type { KubeObject } from '../../api/object.js';
import type { ApiContext } from '../../registry/api-context.js';
import { decoded } from '../../registry/decoded.js';
import type { StoreEvent, Watcher } from '../../storage/interfaces.js';

interface PodEntry {
  node: string;
  keys: string[];
}

type Claim = KubeObject & { spec?: { volumeName?: string } };

export class NodeGraph {
  /** node -> "resource/ns/name" -> how many of its pods name it. */
  private readonly byNode = new Map<string, Map<string, number>>();
  /** "ns/name" -> the pod's node and what it names. */
  private readonly pods = new Map<string, PodEntry>();
  /** "ns/claim" -> the PersistentVolume it is bound to. */
  private readonly claimVolumes = new Map<string, string>();
  private watchers: Watcher[] = [];
  /** "ns/name" -> Ingress, and IngressClasses by name: whose TLS Secrets nodes may read. */
  private readonly ingresses = new Map<string, Ingress>();
  private readonly ingressClasses = new Map<string, IngressClass>();

  constructor(private readonly api: ApiContext) {}

  start(): void {
    this.follow('persistentvolumeclaims', (obj, gone) => {
      const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
      const volume = (obj as Claim).spec?.volumeName;
      if (gone || !volume) this.claimVolumes.delete(key);
      else this.claimVolumes.set(key, volume);
    });
    this.follow('pods', (obj, gone) => this.setPod(obj as Pod, gone));
    this.follow('ingressclasses', (obj, gone) => {
      if (gone) this.ingressClasses.delete(obj.metadata.name ?? '');
      else this.ingressClasses.set(obj.metadata.name ?? '', obj as IngressClass);
    }, 'networking.k8s.io');
    this.follow('ingresses', (obj, gone) => {
      const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
      if (gone) this.ingresses.delete(key);
      else this.ingresses.set(key, obj as Ingress);
    }, 'networking.k8s.io');
  }

  stop(): void {
    for (const w of this.watchers) w.stop();
    this.watchers = [];
  }

  private follow(plural: string, apply: (obj: KubeObject, gone: boolean) => void, group = ''): void {
    const prefix = this.api.storeFor(group, plural).prefix('');
    const list = this.api.store.list(prefix);
    for (const kv of list.items) apply(decoded(kv), false);
    this.watchers.push(this.api.store.watch(prefix, {
      fromRevision: list.revision,
      onEvents: (events: readonly StoreEvent[]) => {
        for (const e of events) apply(JSON.parse(e.kv.value) as KubeObject, e.type === 'DELETED');
      },
    }));
  }

  private setPod(pod: Pod, gone: boolean): void {
    const ns = pod.metadata?.namespace ?? '';
    const id = `${ns}/${pod.metadata?.name}`;
    const old = this.pods.get(id);
    if (old) this.count(old, -1);
    this.pods.delete(id);
    const node = pod.spec?.nodeName;
    if (gone || !node) return;
    const refs = podReferences(pod);
    const entry: PodEntry = {
      node,
      keys: [
        ...[...refs.secrets].map((n) => `secrets/${ns}/${n}`),
        ...[...refs.configMaps].map((n) => `configmaps/${ns}/${n}`),
        ...[...refs.claims].map((n) => `persistentvolumeclaims/${ns}/${n}`),
        `serviceaccounts/${ns}/${refs.serviceAccount}`,
      ],
    };
    this.pods.set(id, entry);
    this.count(entry, 1);
  }

  private count(entry: PodEntry, by: number): void {
    let m = this.byNode.get(entry.node);
    if (!m) this.byNode.set(entry.node, (m = new Map()));
    for (const k of entry.keys) {
      const n = (m.get(k) ?? 0) + by;
      if (n > 0) m.set(k, n);
      else m.delete(k);
    }
    if (!m.size) this.byNode.delete(entry.node);
  }

  /** Whether a pod bound to `node` names this object. */
  names(node: string, resource: string, namespace: string, name: string): boolean {
    return this.byNode.get(node)?.has(`${resource}/${namespace}/${name}`) ?? false;
  }

  /** Whether an Ingress served by k8ts' controller (which runs on every node) names this Secret for TLS. */
  ingressTlsSecret(namespace: string, name: string): boolean {
    const classes = [...this.ingressClasses.values()];
    for (const ing of this.ingresses.values()) {
      if (ing.metadata?.namespace === namespace && tlsSecretNames(ing).includes(name) && isServedBy(ing, classes)) return true;
    }
    return false;
  }

  /** Whether a claim named by one of the node's pods is bound to this PersistentVolume. */
  usesVolume(node: string, volume: string): boolean {
    for (const key of this.byNode.get(node)?.keys() ?? []) {
      if (key.startsWith('persistentvolumeclaims/') && this.claimVolumes.get(key.slice('persistentvolumeclaims/'.length)) === volume) return true;
    }
    return false;
  }

  /** The node a pod is bound to (undefined: not bound, or no such pod). */
  podNode(namespace: string, name: string): string | undefined {
    return this.pods.get(`${namespace}/${name}`)?.node;
  }
}
