// The CSI v1 messages k8ts reads and writes, as proto-loader presents them (camelCase fields,
// enums by name, int64 as number, maps as records; `oneofs: true` adds the name of the member
// that is set, e.g. `accessType: 'mount'`).

export type AccessModeName =
  | 'UNKNOWN' | 'SINGLE_NODE_WRITER' | 'SINGLE_NODE_READER_ONLY' | 'MULTI_NODE_READER_ONLY'
  | 'MULTI_NODE_SINGLE_WRITER' | 'MULTI_NODE_MULTI_WRITER' | 'SINGLE_NODE_SINGLE_WRITER' | 'SINGLE_NODE_MULTI_WRITER';

export interface VolumeCapability {
  block?: Record<string, never> | null;
  mount?: { fsType?: string; mountFlags?: string[]; volumeMountGroup?: string } | null;
  accessMode?: { mode: AccessModeName } | null;
  accessType?: 'block' | 'mount';
}

export interface CapacityRange {
  requiredBytes?: number;
  limitBytes?: number;
}

export interface CsiVolume {
  capacityBytes?: number;
  volumeId: string;
  volumeContext?: Record<string, string>;
}

export type Secrets = Record<string, string>;

export interface GetPluginInfoResponse {
  name: string;
  vendorVersion: string;
  manifest?: Record<string, string>;
}

export interface PluginCapability {
  service?: { type: 'UNKNOWN' | 'CONTROLLER_SERVICE' | 'VOLUME_ACCESSIBILITY_CONSTRAINTS' | 'GROUP_CONTROLLER_SERVICE' } | null;
  volumeExpansion?: { type: 'UNKNOWN' | 'ONLINE' | 'OFFLINE' } | null;
}

export interface CreateVolumeRequest {
  name: string;
  capacityRange?: CapacityRange | null;
  volumeCapabilities: VolumeCapability[];
  parameters?: Record<string, string>;
  secrets?: Secrets;
}

export interface DeleteVolumeRequest {
  volumeId: string;
  secrets?: Secrets;
}

export interface ControllerExpandVolumeRequest {
  volumeId: string;
  capacityRange?: CapacityRange | null;
  secrets?: Secrets;
  volumeCapability?: VolumeCapability | null;
}

export interface ControllerExpandVolumeResponse {
  capacityBytes: number;
  nodeExpansionRequired: boolean;
}

export interface NodeStageVolumeRequest {
  volumeId: string;
  publishContext?: Record<string, string>;
  stagingTargetPath: string;
  volumeCapability: VolumeCapability;
  secrets?: Secrets;
  volumeContext?: Record<string, string>;
}

export interface NodeUnstageVolumeRequest {
  volumeId: string;
  stagingTargetPath: string;
}

export interface NodePublishVolumeRequest {
  volumeId: string;
  publishContext?: Record<string, string>;
  stagingTargetPath?: string;
  targetPath: string;
  volumeCapability: VolumeCapability;
  readonly?: boolean;
  secrets?: Secrets;
  volumeContext?: Record<string, string>;
}

export interface NodeUnpublishVolumeRequest {
  volumeId: string;
  targetPath: string;
}

export type NodeCapabilityName = 'UNKNOWN' | 'STAGE_UNSTAGE_VOLUME' | 'GET_VOLUME_STATS' | 'EXPAND_VOLUME' | 'VOLUME_CONDITION' | 'SINGLE_NODE_MULTI_WRITER' | 'VOLUME_MOUNT_GROUP';
export type ControllerCapabilityName = 'UNKNOWN' | 'CREATE_DELETE_VOLUME' | 'PUBLISH_UNPUBLISH_VOLUME' | 'LIST_VOLUMES' | 'GET_CAPACITY' | 'EXPAND_VOLUME' | 'CLONE_VOLUME' | 'PUBLISH_READONLY';

export interface NodeGetInfoResponse {
  nodeId: string;
  maxVolumesPerNode?: number;
  accessibleTopology?: { segments: Record<string, string> } | null;
}

/** pluginregistration.PluginInfo */
export interface PluginInfo {
  type: string;
  name: string;
  endpoint: string;
  supportedVersions: string[];
}
