// A client for a component inside the server (cluster DNS, the local-path provisioner): it
// speaks HTTP to this server over in-memory sockets, no TLS, as `user` with that user's roles.
import { KubeClient } from '../../lib/client/rest-client.js';
import { MemorySocket } from '../../lib/memory-socket.js';
import type { UserInfo } from '../registry/context.js';
import type { ApiHttpServer } from './server.js';

export function inProcessClient(http: ApiHttpServer, port: number, user: UserInfo, userAgent: string): KubeClient {
  return new KubeClient({ server: `https://localhost:${port}` }, {
    userAgent, maxSockets: 2,
    connect: () => {
      const [mine, theirs] = MemorySocket.pair();
      http.acceptInProcess(theirs, user);
      return mine;
    },
  });
}
