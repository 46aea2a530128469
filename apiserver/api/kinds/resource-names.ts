// Resource-name classification (core/helper): which names are standard, native, extended,
// integral or overcommittable. Shared by container validation, QoS and (later) quota.
import { isQualifiedName } from '../validation/names.js';

const standardContainerResources = new Set(['cpu', 'memory', 'ephemeral-storage']);
const integerResources = new Set([
  'pods', 'resourcequotas', 'services', 'replicationcontrollers', 'secrets', 'configmaps', 'persistentvolumeclaims',
  'services.nodeports', 'services.loadbalancers',
]);
const standardResources = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'pods', 'resourcequotas', 'services', 'replicationcontrollers',
  'secrets', 'persistentvolumeclaims', 'configmaps', 'storage', 'requests.storage', 'services.nodeports', 'services.loadbalancers',
]);

export const isHugePageResourceName = (name: string): boolean => name.startsWith('hugepages-');

/** Names in the kubernetes.io namespace (unprefixed names are implicitly there). */
export const isNativeResource = (name: string): boolean => !name.includes('/') || name.includes('kubernetes.io/');

export function isExtendedResourceName(name: string): boolean {
  if (isNativeResource(name) || name.startsWith('requests.')) return false;
  return isQualifiedName(`requests.${name}`).length === 0;
}

export const isIntegerResourceName = (name: string): boolean => integerResources.has(name) || isExtendedResourceName(name);

export const isOvercommitAllowed = (name: string): boolean => isNativeResource(name) && !isHugePageResourceName(name);

export const isStandardContainerResourceName = (name: string): boolean =>
  standardContainerResources.has(name) || isHugePageResourceName(name);

export const isStandardResourceName = (name: string): boolean =>
  standardResources.has(name) || name.startsWith('hugepages-') || name.startsWith('requests.hugepages-');
