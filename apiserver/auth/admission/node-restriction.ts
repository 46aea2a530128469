// NodeRestriction: a kubelet may write only what is its own, as Kubernetes' plugin allows.
// Pods: it creates only mirror pods bound to itself that name no Secret, ConfigMap, claim or
// service account; it updates the status of and deletes only pods bound to itself. Nodes: only
// its own, and never its taints once created. Leases: only its own. A validating plugin: it
// sees the object as it will be written.
import { forbidden } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { Pod } from '../../../lib/client/types.js';
import { podReferences } from '../../../lib/pod-references.js';
import { nodeNameOf } from '../node/node-authorizer.js';
import type { AdmissionAttributes } from '../../registry/context.js';
import type { AdmissionPlugin } from './chain.js';

const mirrorAnnotation = 'kubernetes.io/config.mirror';

type Node = KubeObject & { spec?: { taints?: unknown[] } };

function refuse(a: AdmissionAttributes, why: string): never {
  throw forbidden({ group: a.def.group, resource: a.subresource ? `${a.def.plural}/${a.subresource}` : a.def.plural }, a.name, why);
}

function admitPod(a: AdmissionAttributes, node: string): void {
  if (a.subresource === 'status') {
    if ((a.oldObject as Pod | undefined)?.spec?.nodeName !== node) refuse(a, `node "${node}" can only update pod status for pods with its own nodeName`);
    return;
  }
  if (a.subresource) return;
  if (a.operation === 'DELETE') {
    if ((a.oldObject as Pod | undefined)?.spec?.nodeName !== node) refuse(a, `node "${node}" can only delete pods with spec.nodeName set to itself`);
    return;
  }
  if (a.operation !== 'CREATE') refuse(a, `unexpected operation "${a.operation}", node "${node}" can only create and delete mirror pods`);
  const pod = a.object as Pod;
  if (pod.metadata?.annotations?.[mirrorAnnotation] === undefined) refuse(a, `pod does not have "${mirrorAnnotation}" annotation, node "${node}" can only create mirror pods`);
  if (pod.spec?.nodeName !== node) refuse(a, `node "${node}" can only create pods with spec.nodeName set to itself`);
  const refs = podReferences(pod);
  if (pod.spec?.serviceAccountName) refuse(a, `node "${node}" can not create pods that reference a service account`);
  if (refs.secrets.size) refuse(a, `node "${node}" can not create pods that reference secrets`);
  if (refs.configMaps.size) refuse(a, `node "${node}" can not create pods that reference configmaps`);
  if (refs.claims.size) refuse(a, `node "${node}" can not create pods that reference persistentvolumeclaims`);
}

function admitNode(a: AdmissionAttributes, node: string): void {
  if (a.name !== node) refuse(a, `node "${node}" is not allowed to modify node "${a.name}"`);
  if (a.operation === 'UPDATE' && !a.subresource) {
    const before = JSON.stringify((a.oldObject as Node | undefined)?.spec?.taints ?? []);
    if (JSON.stringify((a.object as Node | undefined)?.spec?.taints ?? []) !== before) refuse(a, `node "${node}" is not allowed to modify taints`);
  }
}

export function nodeRestriction(): AdmissionPlugin {
  return {
    name: 'NodeRestriction',
    validate(a) {
      const node = nodeNameOf(a.ctx.user);
      if (!node) return;
      if (a.def.group === '' && a.def.plural === 'pods') admitPod(a, node);
      else if (a.def.group === '' && a.def.plural === 'nodes') admitNode(a, node);
      else if (a.def.group === 'coordination.k8s.io' && a.def.plural === 'leases' && a.namespace === 'kube-node-lease' && a.name !== node) {
        refuse(a, 'can only access node lease with the same name as the requesting node');
      }
    },
  };
}
