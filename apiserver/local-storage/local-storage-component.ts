// The server's `local-storage` component (k3s' name): the default `local-path` StorageClass,
// its ConfigMap and RBAC, created when absent (a user's edits stay), and the local-path
// provisioner, acting as kube-system's local-path-provisioner-service-account with only its
// ClusterRole. Optional: `--disable local-storage` leaves storage classes to the user.
import { join } from 'node:path';
import { isStatusError } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import type { ApiContext } from '../registry/api-context.js';
import { systemUser } from '../registry/context.js';
import { KubeClient } from '../../lib/client/rest-client.js';
import type { Component } from '../../lib/components.js';
import { MemorySocket } from '../../lib/memory-socket.js';
import { inProcessUser } from '../registry/serviceaccounts/token.js';
import { apiValue, httpValue, servingValue } from '../server-components.js';
import { localPathConfigMap, localPathNamespace, localPathRbac, localPathServiceAccount, localPathStorageClass } from './local-path-objects.js';
import { LocalPathProvisioner } from './local-path-provisioner.js';

async function createIfAbsent(api: ApiContext, group: string, plural: string, obj: KubeObject): Promise<void> {
  try {
    await api.storeFor(group, plural).create(obj.metadata.namespace ?? '', obj, { user: systemUser, namespace: obj.metadata.namespace ?? '', dryRun: false });
  } catch (err) {
    if (!isStatusError(err, 'AlreadyExists')) throw err;
  }
}

export function localStorageComponent(opts: { dataDir: string }): Component {
  return {
    name: 'local-storage', requires: ['api', 'http', 'bootstrap'], optional: true,
    async start(ctx) {
      const { api } = ctx.get(apiValue);
      const [role, binding] = localPathRbac();
      await createIfAbsent(api, 'rbac.authorization.k8s.io', 'clusterroles', role);
      await createIfAbsent(api, 'rbac.authorization.k8s.io', 'clusterrolebindings', binding);
      await createIfAbsent(api, '', 'configmaps', localPathConfigMap(join(opts.dataDir, 'storage')));
      await createIfAbsent(api, 'storage.k8s.io', 'storageclasses', localPathStorageClass());
      const http = ctx.get(httpValue);
      const user = inProcessUser(`system:serviceaccount:${localPathNamespace}:${localPathServiceAccount}`);
      const client = new KubeClient({ server: `https://localhost:${ctx.get(servingValue).port}` }, {
        userAgent: 'local-path-provisioner', maxSockets: 2,
        connect: () => {
          const [mine, theirs] = MemorySocket.pair();
          http.acceptInProcess(theirs, user);
          return mine;
        },
      });
      const done = new LocalPathProvisioner(client).run(ctx.signal);
      return async () => {
        await done.catch(() => undefined);
        client.close();
      };
    },
  };
}
