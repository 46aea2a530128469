// A client for parts of the server that act with its authority (kube-dns' Service, the CSI
// provisioner): requests go through an in-memory socket to the server's own HTTP handler, no
// TLS, as user `system:k8ts:<who>` in system:masters.
import { KubeClient } from '../lib/client/rest-client.js';
import { MemorySocket } from '../lib/memory-socket.js';
import type { ApiHttpServer } from './http/server.js';

export function inProcessClient(http: ApiHttpServer, port: number, who: string, userAgent = `k8ts-${who}`): KubeClient {
  return new KubeClient({ server: `https://localhost:${port}` }, {
    userAgent, maxSockets: 2,
    connect: () => {
      const [mine, theirs] = MemorySocket.pair();
      http.acceptInProcess(theirs, { name: `system:k8ts:${who}`, groups: ['system:masters', 'system:authenticated'] });
      return mine;
    },
  });
}
