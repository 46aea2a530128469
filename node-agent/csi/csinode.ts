// What kubelet's nodeinfomanager writes when a CSI driver registers or goes: the driver in the
// CSINode object named after the node (owned by the Node), and its node ID in the Node's
// `csi.volume.kubernetes.io/nodeid` annotation (a JSON map driver → node ID). Topology keys
// become Node labels.
import { isAlreadyExists, isConflict, isNotFound } from '../../lib/client/api-error.js';
import type { KubeClient } from '../../lib/client/rest-client.js';
import { resources } from '../../lib/client/resource-types.js';
import type { Node } from '../kube-types.js';
import { csiResources, type CsiNode, type CsiNodeDriver } from './csi-resources.js';

export const NODE_ID_ANNOTATION = 'csi.volume.kubernetes.io/nodeid';

/** The drivers list with `driver` added (or replaced) or, when undefined, `name` removed. */
export function withDriver(drivers: readonly CsiNodeDriver[], name: string, driver: CsiNodeDriver | undefined): CsiNodeDriver[] {
  const rest = drivers.filter((d) => d.name !== name);
  return driver ? [...rest, driver] : rest;
}

/** The annotation's new value, or null to remove it when no driver is left. */
export function nodeIdAnnotation(current: string | undefined, name: string, nodeId: string | undefined): string | null {
  let map: Record<string, string> = {};
  try {
    map = current ? (JSON.parse(current) as Record<string, string>) : {};
  } catch {
    map = {};
  }
  if (nodeId === undefined) delete map[name];
  else map[name] = nodeId;
  return Object.keys(map).length ? JSON.stringify(map) : null;
}

export class CsiNodeWriter {
  constructor(private readonly client: KubeClient, private readonly nodeName: string) {}

  /** Adds (driver given) or removes the driver; retried on conflicts. */
  async update(name: string, driver: CsiNodeDriver | undefined, topology: Record<string, string> = {}): Promise<void> {
    await this.updateNode(name, driver?.nodeID, topology);
    const csiNodes = this.client.resource<CsiNode>(csiResources.csiNodes);
    for (let attempt = 0; ; attempt++) {
      try {
        const cur = await csiNodes.get('', this.nodeName).catch((err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err)));
        if (!cur) {
          if (!driver) return;
          const node = await this.client.resource<Node>(resources.nodes).get('', this.nodeName);
          await csiNodes.create({
            apiVersion: 'storage.k8s.io/v1', kind: 'CSINode',
            metadata: { name: this.nodeName, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.nodeName, uid: node.metadata?.uid ?? '' }] },
            spec: { drivers: [driver] },
          } as CsiNode);
          return;
        }
        cur.spec = { drivers: withDriver(cur.spec?.drivers ?? [], name, driver) };
        await csiNodes.update(cur);
        return;
      } catch (err) {
        if (!(isConflict(err) || isAlreadyExists(err)) || attempt >= 5) throw err;
      }
    }
  }

  private async updateNode(name: string, nodeId: string | undefined, topology: Record<string, string>): Promise<void> {
    const nodes = this.client.resource<Node>(resources.nodes);
    const node = await nodes.get('', this.nodeName);
    const value = nodeIdAnnotation(node.metadata?.annotations?.[NODE_ID_ANNOTATION], name, nodeId);
    const patch: { metadata: { annotations: Record<string, string | null>; labels?: Record<string, string> } } = { metadata: { annotations: { [NODE_ID_ANNOTATION]: value } } };
    if (nodeId !== undefined && Object.keys(topology).length) patch.metadata.labels = topology;
    await nodes.patch('', this.nodeName, patch, 'merge');
  }
}
