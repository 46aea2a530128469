// The default Roles and RoleBindings inside kube-system and kube-public: reading the
// authentication ConfigMap extension API servers need, the control plane's leader locks, and
// the bootstrap token controllers.
import type { Binding, Role } from '../../../api/kinds/rbac.js';
import { allow, eventsRule, namespacedRole, read, roleBinding, serviceAccount, user } from './build.js';
import { controllerRolePrefix } from './controller-roles.js';

const system = 'kube-system';
const kcm = 'system:kube-controller-manager';
const scheduler = 'system:kube-scheduler';

export function namespaceRoles(): Role[] {
  return [
    namespacedRole(system, 'extension-apiserver-authentication-reader', [
      allow(read, '', ['configmaps'], ['extension-apiserver-authentication']),
    ]),
    namespacedRole(system, `${controllerRolePrefix}bootstrap-signer`, [allow(read, '', ['secrets'])]),
    namespacedRole(system, `${controllerRolePrefix}cloud-provider`, [allow(['create', 'get', 'list', 'watch'], '', ['configmaps'])]),
    namespacedRole(system, `${controllerRolePrefix}token-cleaner`, [allow([...read, 'delete'], '', ['secrets']), eventsRule()]),
    namespacedRole(system, 'system::leader-locking-kube-controller-manager', [
      allow(['watch'], '', ['configmaps']),
      allow(['get', 'update'], '', ['configmaps'], ['kube-controller-manager']),
      allow([...read, 'create', 'update'], 'coordination.k8s.io', ['leases']),
    ]),
    namespacedRole(system, 'system::leader-locking-kube-scheduler', [
      allow(['watch'], '', ['configmaps']),
      allow(['get', 'update'], '', ['configmaps'], ['kube-scheduler']),
    ]),
    namespacedRole('kube-public', `${controllerRolePrefix}bootstrap-signer`, [
      allow(read, '', ['configmaps']),
      allow(['update'], '', ['configmaps'], ['cluster-info']),
      eventsRule(),
    ]),
  ];
}

export function namespaceBindings(): Binding[] {
  const signer = `${controllerRolePrefix}bootstrap-signer`;
  return [
    roleBinding(system, 'system::extension-apiserver-authentication-reader', 'extension-apiserver-authentication-reader', [user(kcm), user(scheduler)]),
    roleBinding(system, 'system::leader-locking-kube-controller-manager', 'system::leader-locking-kube-controller-manager', [
      user(kcm), serviceAccount(system, 'kube-controller-manager'), serviceAccount(system, 'leader-election-controller'),
    ]),
    roleBinding(system, 'system::leader-locking-kube-scheduler', 'system::leader-locking-kube-scheduler', [user(scheduler), serviceAccount(system, 'kube-scheduler')]),
    roleBinding(system, signer, signer, [serviceAccount(system, 'bootstrap-signer')]),
    roleBinding(system, `${controllerRolePrefix}cloud-provider`, `${controllerRolePrefix}cloud-provider`, [serviceAccount(system, 'cloud-provider')]),
    roleBinding(system, `${controllerRolePrefix}token-cleaner`, `${controllerRolePrefix}token-cleaner`, [serviceAccount(system, 'token-cleaner')]),
    roleBinding('kube-public', signer, signer, [serviceAccount(system, 'bootstrap-signer')]),
  ];
}
