// The whole default RBAC policy a Kubernetes API server creates and keeps up to date.
import type { Binding, Role } from '../../../api/kinds/rbac.js';
import { clusterBindings } from './bindings.js';
import { controllerRoles } from './controller-roles.js';
import { namespaceBindings, namespaceRoles } from './namespace-roles.js';
import { systemRoles } from './system-roles.js';
import { userRoles } from './user-roles.js';

export interface BootstrapPolicy {
  clusterRoles: Role[];
  clusterRoleBindings: Binding[];
  roles: Role[];
  roleBindings: Binding[];
}

/** Fresh objects on every call: callers may keep or change them. */
export function bootstrapPolicy(): BootstrapPolicy {
  const controllers = controllerRoles();
  return {
    clusterRoles: [...userRoles(), ...systemRoles(), ...controllers.roles],
    clusterRoleBindings: [...clusterBindings(), ...controllers.bindings],
    roles: namespaceRoles(),
    roleBindings: namespaceBindings(),
  };
}
