// The server's CSI components:
//   csi-nfs          the controller side of the built-in NFS driver, on
//                    <data-dir>/csi/controllers/nfs.csi.k8s.io.sock, and its CSIDriver object as
//                    csi-driver-nfs deploys it (`--disable csi-nfs` turns off this and the agents');
//   csi-provisioner  CreateVolume / DeleteVolume / ControllerExpandVolume for every driver with a
//                    controller socket there (csi-provisioner.ts).
import { join } from 'node:path';
import { apiEventSink, EventRecorder } from '../../lib/client/events.js';
import type { Component } from '../../lib/components.js';
import { hostExec } from '../../lib/exec.js';
import { NfsDriver } from '../../csi/nfs/driver.js';
import { NfsMounter } from '../../csi/nfs/mounter.js';
import { NFS_DRIVER_NAME } from '../../csi/nfs/params.js';
import { serveUnix } from '../../csi/serve.js';
import { allow, eventsRule, read } from '../auth/rbac/policy/build.js';
import type { KubeObject } from '../api/object.js';
import { clientWithOwnRole } from '../component-client.js';
import { ensureCreated } from '../registry/ensure-created.js';
import { apiValue } from '../server-components.js';
import { controllersDir, CsiProvisioner } from './csi-provisioner.js';

/** csi-driver-nfs' deploy/csi-nfs-driverinfo.yaml. */
export const nfsCsiDriver = {
  apiVersion: 'storage.k8s.io/v1', kind: 'CSIDriver',
  metadata: { name: NFS_DRIVER_NAME },
  spec: { attachRequired: false, volumeLifecycleModes: ['Persistent'], fsGroupPolicy: 'File' },
};

/** Who the provisioner acts as, holding what external-provisioner and external-resizer's RBAC grant. */
const provisionerUser = 'system:k8ts:csi-provisioner';
const provisionerRules = () => [
  allow([...read, 'create', 'patch', 'delete'], '', ['persistentvolumes']),
  allow([...read, 'update', 'patch'], '', ['persistentvolumeclaims']),
  allow(['update', 'patch'], '', ['persistentvolumeclaims/status']),
  allow(read, 'storage.k8s.io', ['storageclasses', 'csinodes']),
  allow(read, '', ['nodes']),
  eventsRule(),
];

export function csiNfsServerComponent(opts: { dataDir: string }): Component {
  return {
    name: 'csi-nfs', requires: ['api', 'bootstrap'], optional: true,
    async start(ctx) {
      // An existing object is the user's to change: never overwritten.
      await ensureCreated(ctx.get(apiValue).api, 'storage.k8s.io', 'csidrivers', nfsCsiDriver as KubeObject);
      const driver = new NfsDriver({ nodeId: 'controller', workingMountDir: join(opts.dataDir, 'csi', NFS_DRIVER_NAME, 'work'), mounter: new NfsMounter(hostExec) });
      const server = await serveUnix(`unix://${join(controllersDir(opts.dataDir), `${NFS_DRIVER_NAME}.sock`)}`, driver.services({ node: false }), 'csi-nfs controller');
      return () => server.stop();
    },
  };
}

export function csiProvisionerComponent(opts: { dataDir: string }): Component {
  return {
    name: 'csi-provisioner', requires: ['api', 'http', 'bootstrap'], after: ['csi-nfs'],
    async start(ctx) {
      const client = await clientWithOwnRole(ctx, provisionerUser, provisionerRules(), 'k8ts-csi-provisioner');
      const recorder = new EventRecorder(apiEventSink(client), { component: 'csi-provisioner' });
      const stopper = new AbortController();
      const running = new CsiProvisioner(client, controllersDir(opts.dataDir), recorder).run(stopper.signal);
      return async () => {
        stopper.abort();
        await running.catch(() => undefined);
        await recorder.flush().catch(() => undefined);
        client.close();
      };
    },
  };
}
