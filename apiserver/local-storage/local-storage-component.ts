// The server's `local-storage` component (k3s' name): the default `local-path` StorageClass,
// its ConfigMap and RBAC, created when absent (a user's edits stay), and the local-path
// provisioner, acting as kube-system's local-path-provisioner-service-account with only its
// ClusterRole. Optional: `--disable local-storage` leaves storage classes to the user.
import { join } from 'node:path';
import type { Component } from '../../lib/components.js';
import { inProcessClient } from '../http/in-process-client.js';
import { ensureCreated } from '../registry/ensure-created.js';
import { inProcessUser } from '../registry/serviceaccounts/token.js';
import { apiValue, httpValue, servingValue } from '../server-components.js';
import { localPathConfigMap, localPathNamespace, localPathRbac, localPathServiceAccount, localPathStorageClass } from './local-path-objects.js';
import { LocalPathProvisioner } from './local-path-provisioner.js';

export function localStorageComponent(opts: { dataDir: string }): Component {
  return {
    name: 'local-storage', requires: ['api', 'http', 'bootstrap'], optional: true,
    async start(ctx) {
      const { api } = ctx.get(apiValue);
      const [role, binding] = localPathRbac();
      await ensureCreated(api, 'rbac.authorization.k8s.io', 'clusterroles', role);
      await ensureCreated(api, 'rbac.authorization.k8s.io', 'clusterrolebindings', binding);
      await ensureCreated(api, '', 'configmaps', localPathConfigMap(join(opts.dataDir, 'storage')));
      await ensureCreated(api, 'storage.k8s.io', 'storageclasses', localPathStorageClass());
      const http = ctx.get(httpValue);
      const user = inProcessUser(`system:serviceaccount:${localPathNamespace}:${localPathServiceAccount}`);
      const client = inProcessClient(http, ctx.get(servingValue).port, user, 'local-path-provisioner');
      const done = new LocalPathProvisioner(client).run(ctx.signal);
      return async () => {
        await done.catch(() => undefined);
        client.close();
      };
    },
  };
}
