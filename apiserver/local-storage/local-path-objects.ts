// What the `local-storage` component puts in the cluster, as k3s' local-storage manifest does:
// the default `local-path` StorageClass (WaitForFirstConsumer, Delete), the kube-system
// `local-path-config` ConfigMap (node paths and the helper pod that removes a volume's
// directory on its node), and the provisioner's ClusterRole and binding.
import { parse } from 'yaml';
import type { KubeObject } from '../api/object.js';

export const localPathProvisionerName = 'rancher.io/local-path';
export const localPathClassName = 'local-path';
export const localPathConfigName = 'local-path-config';
export const localPathNamespace = 'kube-system';
export const localPathServiceAccount = 'local-path-provisioner-service-account';
/** local-path-provisioner's key for nodes not listed in nodePathMap. */
export const defaultPathKey = 'DEFAULT_PATH_FOR_NON_LISTED_NODES';
/** The busybox k3s' helper pod runs. */
export const defaultHelperImage = 'rancher/mirrored-library-busybox:1.36.1';

export function localPathStorageClass(): KubeObject {
  return {
    apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
    metadata: { name: localPathClassName, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: localPathProvisionerName, reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer',
  } as KubeObject;
}

export function helperPodTemplate(image: string): string {
  return [
    'apiVersion: v1', 'kind: Pod', 'metadata:', '  name: helper-pod', 'spec:',
    '  priorityClassName: system-node-critical', '  tolerations:', '    - key: node.kubernetes.io/disk-pressure',
    '      operator: Exists', '      effect: NoSchedule', '  containers:', '  - name: helper-pod',
    `    image: ${image}`, '    imagePullPolicy: IfNotPresent', '',
  ].join('\n');
}

export function localPathConfigMap(storageDir: string): KubeObject {
  return {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: localPathConfigName, namespace: localPathNamespace },
    data: {
      'config.json': JSON.stringify({ nodePathMap: [{ node: defaultPathKey, paths: [storageDir] }] }, null, 2),
      'helperPod.yaml': helperPodTemplate(defaultHelperImage),
    },
  } as KubeObject;
}

export function localPathRbac(): KubeObject[] {
  const rules = [
    { apiGroups: [''], resources: ['nodes', 'persistentvolumeclaims', 'configmaps', 'pods'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete'] },
    { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch', 'update'] },
    { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch', 'update'] },
    { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get', 'list', 'watch'] },
  ];
  return [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'local-path-provisioner-role' }, rules } as KubeObject,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'local-path-provisioner-bind' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'local-path-provisioner-role' },
      subjects: [{ kind: 'ServiceAccount', name: localPathServiceAccount, namespace: localPathNamespace }],
    } as KubeObject,
  ];
}

export interface LocalPathConfig {
  /** The directory volumes go under on `node`. */
  pathFor(node: string): string | undefined;
  /** The helper pod's spec from helperPod.yaml (image, tolerations, priority...). */
  helperSpec: HelperPodSpec;
}

export interface HelperPodSpec extends Record<string, unknown> {
  containers?: Array<Record<string, unknown> & { image?: string }>;
}

/** Reads the ConfigMap's data (local-path-provisioner's format); throws on a malformed one. */
export function parseLocalPathConfig(data: Record<string, string> | undefined): LocalPathConfig {
  const cfg = JSON.parse(data?.['config.json'] ?? '{}') as { nodePathMap?: Array<{ node?: string; paths?: string[] }> };
  const byNode = new Map((cfg.nodePathMap ?? []).map((e) => [e.node ?? '', e.paths?.[0]]));
  const helper = parse(data?.['helperPod.yaml'] ?? helperPodTemplate(defaultHelperImage)) as { spec?: HelperPodSpec } | null;
  return {
    pathFor: (node) => byNode.get(node) ?? byNode.get(defaultPathKey),
    helperSpec: helper?.spec ?? {},
  };
}

/** The directory of a claim's volume, named as local-path-provisioner names it. */
export function volumeDirName(pvName: string, namespace: string, claim: string): string {
  return `${pvName}_${namespace}_${claim}`;
}
