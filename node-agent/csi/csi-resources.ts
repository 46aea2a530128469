// The storage.k8s.io objects the agent's CSI code reads and writes, and the shapes it uses.
import type { ResourceType } from '../../lib/client/resource-types.js';
import type { KubeObject } from '../../lib/client/types.js';

const storage = (resource: string, kind: string): ResourceType => ({ group: 'storage.k8s.io', version: 'v1', resource, kind, namespaced: false });

export const csiResources = {
  csiNodes: storage('csinodes', 'CSINode'),
  csiDrivers: storage('csidrivers', 'CSIDriver'),
  persistentVolumes: { group: '', version: 'v1', resource: 'persistentvolumes', kind: 'PersistentVolume', namespaced: false } as ResourceType,
  persistentVolumeClaims: { group: '', version: 'v1', resource: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', namespaced: true } as ResourceType,
};

export interface CsiNodeDriver {
  name: string;
  nodeID: string;
  topologyKeys: string[] | null;
  allocatable?: { count: number };
}

export type CsiNode = KubeObject & { spec: { drivers: CsiNodeDriver[] } };

export type CsiDriverObject = KubeObject & {
  spec?: { attachRequired?: boolean; podInfoOnMount?: boolean; volumeLifecycleModes?: string[]; fsGroupPolicy?: string };
};

export interface CsiPersistentSource {
  driver: string;
  volumeHandle: string;
  readOnly?: boolean;
  fsType?: string;
  volumeAttributes?: Record<string, string>;
  nodeStageSecretRef?: { name?: string; namespace?: string };
  nodePublishSecretRef?: { name?: string; namespace?: string };
}

export type PersistentVolume = KubeObject & {
  spec?: { csi?: CsiPersistentSource; accessModes?: string[]; mountOptions?: string[]; claimRef?: { namespace?: string; name?: string; uid?: string } };
};

export type PersistentVolumeClaim = KubeObject & { spec?: { volumeName?: string }; status?: { phase?: string } };
