// The bindings that let nodes join, as kubeadm creates them: bootstrappers may ask for a node
// client certificate and have it approved; nodes may renew their own; and nodes may read what
// their service proxy and DNS follow (system:node-proxier), since a k8ts agent runs both.
import type { KubeObject } from '../api/object.js';

const binding = (name: string, role: string, group: string): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding',
  metadata: { name },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
  subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group }],
} as KubeObject);

export function joinBindings(): KubeObject[] {
  return [
    binding('k8ts:kubelet-bootstrap', 'system:node-bootstrapper', 'system:bootstrappers'),
    binding('k8ts:node-autoapprove-bootstrap', 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', 'system:bootstrappers'),
    binding('k8ts:node-autoapprove-certificate-rotation', 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', 'system:nodes'),
    binding('k8ts:node-proxier', 'system:node-proxier', 'system:nodes'),
  ];
}
