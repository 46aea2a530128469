// The worker thread the control plane runs in (see control-plane-thread.ts). Each connection
// it opens to the API server is a MessageChannel: one end stays here as the client's socket,
// the other goes to the main thread, which serves it as the named user.
import { MessageChannel, parentPort, workerData } from 'node:worker_threads';
import { setLogLevel } from '../../lib/log.js';
import { MemorySocket } from '../../lib/memory-socket.js';
import { startControlPlane } from './control-plane.js';
import type { ConnectRequest, ControlPlaneThreadOptions, ThreadMessage } from './control-plane-thread.js';

const parent = parentPort!;
const { logLevel, ...opts } = workerData as ControlPlaneThreadOptions;
setLogLevel(logLevel);
const controlPlane = startControlPlane({
  ...opts,
  connect(user) {
    const { port1, port2 } = new MessageChannel();
    parent.postMessage({ connect: user, port: port2 } satisfies ConnectRequest, [port2]);
    return new MemorySocket(port1);
  },
});
parent.on('message', (m: ThreadMessage) => {
  if (m === 'ping') parent.postMessage('pong' satisfies ThreadMessage);
  else if (m === 'stop') void controlPlane.stop().finally(() => parent.postMessage('stopped' satisfies ThreadMessage));
});
