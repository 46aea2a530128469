// Every controller the controller manager knows, in the order they start.
import type { ControllerDescriptor } from './context.js';
import { garbageCollector } from './garbage-collector.js';
import { namespaceController } from './namespace.js';
import { nodeLifecycleController } from './node-lifecycle.js';
import { taintEvictionController } from './taint-eviction.js';
import { podGarbageCollector } from './pod-gc.js';
import { nodeIpamController } from './node-ipam.js';
import { rootCAPublisher } from './root-ca-publisher.js';
import { serviceAccountController } from './serviceaccount.js';
import { replicaSetController, replicationControllerController } from './replicaset.js';
import { deploymentController } from './deployment.js';
import { daemonSetController } from './daemonset.js';
import { statefulSetController } from './statefulset.js';
import { jobController } from './job.js';
import { cronJobController } from './cronjob.js';
import { ttlAfterFinishedController } from './ttl-after-finished.js';
import { endpointsController } from './endpoints.js';
import { endpointSliceController } from './endpointslice.js';
import { resourceQuotaController } from './resourcequota.js';
import { disruptionController } from './disruption.js';
import { hpaController } from './hpa.js';
import { clusterRoleAggregationController } from './clusterrole-aggregation.js';
import { csrApprovingController } from './csr-approving.js';
import { csrSigningController } from './csr-signing.js';
import { tokenCleanerController } from './token-cleaner.js';
import { persistentVolumeBinderController } from './persistent-volume-binder.js';
import { pvcProtectionController, pvProtectionController } from './volume-protection.js';

export const allControllers: ControllerDescriptor[] = [
  namespaceController,
  serviceAccountController,
  rootCAPublisher,
  nodeIpamController,
  nodeLifecycleController,
  taintEvictionController,
  garbageCollector,
  podGarbageCollector,
  replicaSetController,
  replicationControllerController,
  deploymentController,
  daemonSetController,
  statefulSetController,
  jobController,
  cronJobController,
  ttlAfterFinishedController,
  endpointsController,
  endpointSliceController,
  resourceQuotaController,
  disruptionController,
  hpaController,
  clusterRoleAggregationController,
  csrApprovingController,
  csrSigningController,
  tokenCleanerController,
  persistentVolumeBinderController,
  pvcProtectionController,
  pvProtectionController,
];
