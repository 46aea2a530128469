// Every controller the controller manager knows, in the order they start.
import type { ControllerDescriptor } from './context.js';
import { namespaceController } from './namespace.js';
import { nodeIpamController } from './node-ipam.js';
import { rootCAPublisher } from './root-ca-publisher.js';
import { serviceAccountController } from './serviceaccount.js';

export const allControllers: ControllerDescriptor[] = [
  namespaceController,
  serviceAccountController,
  rootCAPublisher,
  nodeIpamController,
];
