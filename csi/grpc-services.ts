// The CSI v1 and plugin-registration services as grpc-js definitions, from proto/csi/csi.proto and
// proto/pluginregistration/api.proto through @grpc/proto-loader. Loaded on first use, once: only
// a process that talks CSI pays for the parsed protos. Unlike the CRI (node-agent/cri/wire-codec.ts)
// CSI messages use oneofs, which that codec does not support.
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { packageRoot } from '../lib/package-root.js';

export type CsiServiceName = 'Identity' | 'Controller' | 'Node';

export interface LoadedServices {
  csi: Record<CsiServiceName, grpc.ServiceDefinition>;
  registration: grpc.ServiceDefinition;
}

/** camelCase fields, enums as their names, int64 as numbers (sizes stay far below 2^53). */
const loaderOptions: protoLoader.Options = { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true };

let loaded: LoadedServices | undefined;

function definition(def: grpc.GrpcObject, path: string[]): grpc.ServiceDefinition {
  let o: unknown = def;
  for (const p of path) o = (o as Record<string, unknown>)[p];
  const ctor = o as { service?: grpc.ServiceDefinition };
  if (!ctor?.service) throw new Error(`${path.join('.')} is not a service in the loaded protos`);
  return ctor.service;
}

export function services(): LoadedServices {
  if (loaded) return loaded;
  const root = join(packageRoot(), 'proto');
  const csi = grpc.loadPackageDefinition(protoLoader.loadSync(join(root, 'csi', 'csi.proto'), loaderOptions));
  const reg = grpc.loadPackageDefinition(protoLoader.loadSync(join(root, 'pluginregistration', 'api.proto'), loaderOptions));
  loaded = {
    csi: {
      Identity: definition(csi, ['csi', 'v1', 'Identity']),
      Controller: definition(csi, ['csi', 'v1', 'Controller']),
      Node: definition(csi, ['csi', 'v1', 'Node']),
    },
    registration: definition(reg, ['pluginregistration', 'Registration']),
  };
  return loaded;
}

/** `unix:///run/x.sock`, `unix:/run/x.sock` or a bare absolute path → the socket's path. */
export function socketPath(endpoint: string): string {
  let p = endpoint;
  if (p.startsWith('unix://')) p = p.slice('unix://'.length);
  else if (p.startsWith('unix:')) p = p.slice('unix:'.length);
  if (!p.startsWith('/')) throw new Error(`unsupported CSI endpoint ${JSON.stringify(endpoint)} (want unix:///<path>)`);
  return '/' + p.replace(/^\/+/, '');
}
