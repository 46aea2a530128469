// Every controller the controller manager knows, in the order they start.
import type { ControllerDescriptor } from './context.js';
import { garbageCollector } from './garbage-collector.js';
import { namespaceController } from './namespace.js';
import { nodeLifecycleController } from './node-lifecycle.js';
import { taintEvictionController } from './taint-eviction.js';
import { nodeIpamController } from './node-ipam.js';
import { rootCAPublisher } from './root-ca-publisher.js';
import { serviceAccountController } from './serviceaccount.js';

export const allControllers: ControllerDescriptor[] = [
  namespaceController,
  serviceAccountController,
  rootCAPublisher,
  nodeIpamController,
  nodeLifecycleController,
  taintEvictionController,
  garbageCollector,
];
