// The CSI client the agent and the server's provisioner use: one channel to a driver's unix
// socket, each RPC a promise with a deadline, failures as CsiError. Thin on purpose, as cri/.
import * as grpc from '@grpc/grpc-js';
import { logger } from '../lib/log.js';
import { CsiError, toCsiError } from './errors.js';
import { services, socketPath, type CsiServiceName } from './grpc-services.js';
import type {
  ControllerCapabilityName, ControllerExpandVolumeRequest, ControllerExpandVolumeResponse, CreateVolumeRequest, CsiVolume,
  DeleteVolumeRequest, GetPluginInfoResponse, NodeCapabilityName, NodeGetInfoResponse, NodePublishVolumeRequest,
  NodeStageVolumeRequest, NodeUnpublishVolumeRequest, NodeUnstageVolumeRequest, PluginCapability, PluginInfo,
} from './types.js';

const log = logger('csi-client');

/** kubelet's csiTimeout for node operations is 2 min; mounts of NFS take up to 90 s in csi-driver-nfs. */
const DEFAULT_TIMEOUT_MS = 120_000;

type AnyClient = grpc.Client & Record<string, (req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: unknown) => void) => void>;

function unary<Res>(client: AnyClient, method: string, req: object, timeoutMs: number): Promise<Res> {
  const started = performance.now();
  return new Promise<Res>((resolve, reject) => {
    client[method](req, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) => {
      const ms = Math.round(performance.now() - started);
      if (err) {
        const e = toCsiError(err);
        log.debug({ method, ms, code: e.code, err: e.message }, 'csi call failed');
        reject(e);
      } else {
        log.trace({ method, ms }, 'csi call');
        resolve(res as Res);
      }
    });
  });
}

function clientFor(def: grpc.ServiceDefinition, target: string, channel: grpc.Channel): AnyClient {
  const Ctor = grpc.makeGenericClientConstructor(def, '');
  return new Ctor(target, grpc.credentials.createInsecure(), { channelOverride: channel }) as unknown as AnyClient;
}

export class CsiClient {
  readonly target: string;
  private readonly channel: grpc.Channel;
  private readonly clients: Record<CsiServiceName, AnyClient>;

  constructor(readonly endpoint: string, private readonly timeoutMs = DEFAULT_TIMEOUT_MS) {
    this.target = 'unix://' + socketPath(endpoint);
    this.channel = new grpc.Channel(this.target, grpc.credentials.createInsecure(), {
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 2000,
    });
    const defs = services().csi;
    this.clients = {
      Identity: clientFor(defs.Identity, this.target, this.channel),
      Controller: clientFor(defs.Controller, this.target, this.channel),
      Node: clientFor(defs.Node, this.target, this.channel),
    };
  }

  private call<Res>(service: CsiServiceName, method: string, req: object, timeoutMs = this.timeoutMs): Promise<Res> {
    return unary<Res>(this.clients[service], method, req, timeoutMs);
  }

  getPluginInfo(): Promise<GetPluginInfoResponse> {
    return this.call('Identity', 'GetPluginInfo', {}, 10_000);
  }

  async getPluginCapabilities(): Promise<PluginCapability[]> {
    return (await this.call<{ capabilities: PluginCapability[] }>('Identity', 'GetPluginCapabilities', {}, 10_000)).capabilities;
  }

  async controllerCapabilities(): Promise<ControllerCapabilityName[]> {
    const res = await this.call<{ capabilities: Array<{ rpc?: { type: ControllerCapabilityName } | null }> }>('Controller', 'ControllerGetCapabilities', {}, 10_000);
    return res.capabilities.flatMap((c) => (c.rpc ? [c.rpc.type] : []));
  }

  async createVolume(req: CreateVolumeRequest): Promise<CsiVolume> {
    const res = await this.call<{ volume?: CsiVolume | null }>('Controller', 'CreateVolume', req);
    if (!res.volume?.volumeId) throw new CsiError('INTERNAL', 'CreateVolume returned no volume');
    return res.volume;
  }

  async deleteVolume(req: DeleteVolumeRequest): Promise<void> {
    await this.call('Controller', 'DeleteVolume', req);
  }

  controllerExpandVolume(req: ControllerExpandVolumeRequest): Promise<ControllerExpandVolumeResponse> {
    return this.call('Controller', 'ControllerExpandVolume', req);
  }

  nodeGetInfo(): Promise<NodeGetInfoResponse> {
    return this.call('Node', 'NodeGetInfo', {}, 10_000);
  }

  async nodeCapabilities(): Promise<NodeCapabilityName[]> {
    const res = await this.call<{ capabilities: Array<{ rpc?: { type: NodeCapabilityName } | null }> }>('Node', 'NodeGetCapabilities', {}, 10_000);
    return res.capabilities.flatMap((c) => (c.rpc ? [c.rpc.type] : []));
  }

  async nodeStageVolume(req: NodeStageVolumeRequest): Promise<void> {
    await this.call('Node', 'NodeStageVolume', req);
  }

  async nodeUnstageVolume(req: NodeUnstageVolumeRequest): Promise<void> {
    await this.call('Node', 'NodeUnstageVolume', req);
  }

  async nodePublishVolume(req: NodePublishVolumeRequest): Promise<void> {
    await this.call('Node', 'NodePublishVolume', req);
  }

  async nodeUnpublishVolume(req: NodeUnpublishVolumeRequest): Promise<void> {
    await this.call('Node', 'NodeUnpublishVolume', req);
  }

  close(): void {
    for (const c of Object.values(this.clients)) c.close();
    this.channel.close();
  }
}

/** The kubelet side of plugin registration: one call to a registration socket, then closed. */
export class RegistrationClient {
  private readonly client: AnyClient;

  constructor(socket: string, private readonly timeoutMs = 10_000) {
    const Ctor = grpc.makeGenericClientConstructor(services().registration, '');
    this.client = new Ctor('unix://' + socketPath(socket), grpc.credentials.createInsecure()) as unknown as AnyClient;
  }

  getInfo(): Promise<PluginInfo> {
    return unary(this.client, 'GetInfo', {}, this.timeoutMs);
  }

  async notifyRegistrationStatus(registered: boolean, error = ''): Promise<void> {
    await unary(this.client, 'NotifyRegistrationStatus', { pluginRegistered: registered, error }, this.timeoutMs);
  }

  close(): void {
    this.client.close();
  }
}
