// Serves CSI services (or the registration service) on a unix socket with grpc-js: handlers are
// async functions of the request; a thrown CsiError becomes its gRPC status, anything else
// INTERNAL. Methods a driver leaves out answer UNIMPLEMENTED, as the spec wants.
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { logger } from '../lib/log.js';
import { CsiError, toCsiError } from './errors.js';
import { socketPath } from './grpc-services.js';

const log = logger('csi-server');

/** Method name (as in the proto, e.g. `NodePublishVolume`) → handler. */
export type Handlers = Record<string, (req: never) => Promise<object>>;

export interface ServedService {
  definition: grpc.ServiceDefinition;
  handlers: Handlers;
}

export interface RunningServer {
  socket: string;
  stop(): Promise<void>;
}

function implementation(svc: ServedService, label: string): grpc.UntypedServiceImplementation {
  const impl: grpc.UntypedServiceImplementation = {};
  for (const name of Object.keys(svc.definition)) {
    const handler = svc.handlers[name];
    impl[name] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      if (!handler) {
        callback({ code: grpc.status.UNIMPLEMENTED, details: `${name} is not implemented` });
        return;
      }
      const started = performance.now();
      handler(call.request as never).then(
        (res) => {
          log.debug({ server: label, method: name, ms: Math.round(performance.now() - started) }, 'csi request');
          callback(null, res);
        },
        (err: unknown) => {
          const e = err instanceof CsiError ? err : toCsiError(err);
          log.info({ server: label, method: name, code: e.code, err: e.message }, 'csi request failed');
          callback({ code: e.grpcCode, details: e.message });
        },
      );
    };
  }
  return impl;
}

/** Listens on `endpoint` (unix://...), replacing a stale socket file, until stop(). */
export async function serveUnix(endpoint: string, served: ServedService[], label: string): Promise<RunningServer> {
  const socket = socketPath(endpoint);
  await mkdir(dirname(socket), { recursive: true });
  await rm(socket, { force: true });
  const server = new grpc.Server();
  for (const svc of served) server.addService(svc.definition, implementation(svc, label));
  await new Promise<void>((resolve, reject) => {
    server.bindAsync('unix://' + socket, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve()));
  });
  log.info({ server: label, socket }, 'csi server listening');
  return {
    socket,
    async stop() {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => { server.forceShutdown(); resolve(); }, 2000);
        server.tryShutdown(() => { clearTimeout(timer); resolve(); });
      });
      await rm(socket, { force: true });
    },
  };
}
