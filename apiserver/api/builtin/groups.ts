// Every built-in API group other than core, with the versions Kubernetes 1.32 serves; each
// kind's behaviour lives in ../kinds.
import { builtin, createOnly } from './define.js';
import { eventFieldSelectors } from './core.js';
import { apiServiceNameValidator, apiServiceStatusStrategy, apiServiceStrategy, apiServiceTable } from '../kinds/apiservice.js';
import { csiDriverStrategy, csiDriverTable, csiNodeStrategy, csiNodeTable, csiStorageCapacityStrategy, csiStorageCapacityTable } from '../kinds/csi.js';
import { csrStatusStrategy, csrStrategy, csrTable } from '../kinds/csr.js';
import { endpointSliceStrategy, endpointSliceTable } from '../kinds/endpoint-slice.js';
import { eventTable, eventsV1Strategy, eventsV1Version } from '../kinds/event.js';
import { ingressStatusStrategy, ingressStrategy, ingressTable } from '../kinds/ingress.js';
import { ingressClassStrategy, ingressClassTable } from '../kinds/ingress-class.js';
import { leaseStrategy, leaseTable } from '../kinds/lease.js';
import { networkPolicyStrategy, networkPolicyTable } from '../kinds/network-policy.js';
import { priorityClassStrategy, priorityClassTable } from '../kinds/priority-class.js';
import {
  clusterRoleBindingStrategy, clusterRoleBindingTable, clusterRoleStrategy, rbacNameValidator, roleBindingStrategy, roleBindingTable,
  roleStrategy,
} from '../kinds/rbac.js';
import { runtimeClassStrategy, runtimeClassTable } from '../kinds/runtime-class.js';
import { storageClassStrategy, storageClassTable } from '../kinds/storage-class.js';
import { volumeAttachmentStrategy, volumeAttachmentTable } from '../kinds/volume-attachment.js';
import type { KubeObject } from '../object.js';
import type { ResourceDef } from '../resource.js';

const gen = { generation: true };
const networking = { group: 'networking.k8s.io', version: 'v1' };
const storage = { group: 'storage.k8s.io', version: 'v1' };
const rbac = { group: 'rbac.authorization.k8s.io', version: 'v1' };
const rbacBehaviour = { allowCreateOnUpdate: true, nameValidator: rbacNameValidator };

/** events.k8s.io field names read from the stored core/v1 Event. */
const eventsV1FieldSelectors: Record<string, (o: KubeObject) => string> = {
  'regarding.kind': eventFieldSelectors['involvedObject.kind'],
  'regarding.namespace': eventFieldSelectors['involvedObject.namespace'],
  'regarding.name': eventFieldSelectors['involvedObject.name'],
  'regarding.uid': eventFieldSelectors['involvedObject.uid'],
  'regarding.apiVersion': eventFieldSelectors['involvedObject.apiVersion'],
  'regarding.resourceVersion': eventFieldSelectors['involvedObject.resourceVersion'],
  'regarding.fieldPath': eventFieldSelectors['involvedObject.fieldPath'],
  reason: eventFieldSelectors.reason,
  reportingController: eventFieldSelectors.reportingComponent,
  type: eventFieldSelectors.type,
};

export const groupResources: ResourceDef[] = [
  builtin({
    group: 'apiregistration.k8s.io', version: 'v1', kind: 'APIService', plural: 'apiservices', namespaced: false,
    strategy: apiServiceStrategy, statusStrategy: apiServiceStatusStrategy, table: apiServiceTable, categories: ['api-extensions'],
    behaviour: { nameValidator: apiServiceNameValidator },
  }),

  // One storage with core/v1 Events: same prefix, stored in the core/v1 shape.
  builtin({
    group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', shortNames: ['ev'], namespaced: true,
    behaviour: { allowCreateOnUpdate: true }, versions: [eventsV1Version], storagePrefix: '/core/events/', storageApiVersion: 'v1',
    strategy: eventsV1Strategy, table: eventTable, fieldSelectors: eventsV1FieldSelectors,
  }),

  builtin({ group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview', plural: 'selfsubjectreviews', namespaced: false, verbs: createOnly }),
  builtin({ group: 'authentication.k8s.io', version: 'v1', kind: 'TokenReview', plural: 'tokenreviews', namespaced: false, verbs: createOnly }),

  builtin({ group: 'authorization.k8s.io', version: 'v1', kind: 'LocalSubjectAccessReview', plural: 'localsubjectaccessreviews', namespaced: true, verbs: createOnly }),
  builtin({ group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', namespaced: false, verbs: createOnly }),
  builtin({ group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectRulesReview', plural: 'selfsubjectrulesreviews', namespaced: false, verbs: createOnly }),
  builtin({ group: 'authorization.k8s.io', version: 'v1', kind: 'SubjectAccessReview', plural: 'subjectaccessreviews', namespaced: false, verbs: createOnly }),

  builtin({
    group: 'certificates.k8s.io', version: 'v1', kind: 'CertificateSigningRequest', plural: 'certificatesigningrequests', shortNames: ['csr'],
    namespaced: false, strategy: csrStrategy, statusStrategy: csrStatusStrategy, table: csrTable,
    behaviour: { nameValidator: () => [] },
    fieldSelectors: { 'spec.signerName': (o) => String((o.spec as { signerName?: string } | undefined)?.signerName ?? '') },
  }),

  builtin({ ...networking, kind: 'IngressClass', plural: 'ingressclasses', namespaced: false, strategy: ingressClassStrategy, table: ingressClassTable, behaviour: gen }),
  builtin({
    ...networking, kind: 'Ingress', plural: 'ingresses', shortNames: ['ing'], namespaced: true,
    strategy: ingressStrategy, statusStrategy: ingressStatusStrategy, table: ingressTable, behaviour: gen,
  }),
  builtin({
    ...networking, kind: 'NetworkPolicy', plural: 'networkpolicies', shortNames: ['netpol'], namespaced: true,
    strategy: networkPolicyStrategy, table: networkPolicyTable, behaviour: gen,
  }),

  builtin({ ...rbac, kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false, strategy: clusterRoleBindingStrategy, table: clusterRoleBindingTable, behaviour: rbacBehaviour }),
  builtin({ ...rbac, kind: 'ClusterRole', plural: 'clusterroles', namespaced: false, strategy: clusterRoleStrategy, behaviour: rbacBehaviour }),
  builtin({ ...rbac, kind: 'RoleBinding', plural: 'rolebindings', namespaced: true, strategy: roleBindingStrategy, table: roleBindingTable, behaviour: rbacBehaviour }),
  builtin({ ...rbac, kind: 'Role', plural: 'roles', namespaced: true, strategy: roleStrategy, behaviour: rbacBehaviour }),

  builtin({ ...storage, kind: 'CSIDriver', plural: 'csidrivers', namespaced: false, strategy: csiDriverStrategy, table: csiDriverTable }),
  builtin({ ...storage, kind: 'CSINode', plural: 'csinodes', namespaced: false, strategy: csiNodeStrategy, table: csiNodeTable }),
  builtin({
    ...storage, kind: 'CSIStorageCapacity', plural: 'csistoragecapacities', namespaced: true,
    strategy: csiStorageCapacityStrategy, table: csiStorageCapacityTable,
  }),
  builtin({ ...storage, kind: 'StorageClass', plural: 'storageclasses', shortNames: ['sc'], namespaced: false, strategy: storageClassStrategy, table: storageClassTable }),
  builtin({
    ...storage, kind: 'VolumeAttachment', plural: 'volumeattachments', namespaced: false, statusStrategy: {},
    strategy: volumeAttachmentStrategy, table: volumeAttachmentTable,
  }),

  builtin({ group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', shortNames: ['crd', 'crds'], categories: ['api-extensions'], namespaced: false, statusStrategy: {}, behaviour: gen }),

  builtin({
    group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass', plural: 'priorityclasses', shortNames: ['pc'], namespaced: false,
    strategy: priorityClassStrategy, table: priorityClassTable,
  }),
  builtin({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true, strategy: leaseStrategy, table: leaseTable }),
  builtin({ group: 'node.k8s.io', version: 'v1', kind: 'RuntimeClass', plural: 'runtimeclasses', namespaced: false, strategy: runtimeClassStrategy, table: runtimeClassTable }),
  builtin({
    group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true,
    strategy: endpointSliceStrategy, table: endpointSliceTable,
  }),
];

/** The order Kubernetes lists groups in /apis. */
export const groupOrder = [
  'apiregistration.k8s.io', 'apps', 'events.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io', 'autoscaling', 'batch',
  'certificates.k8s.io', 'networking.k8s.io', 'policy', 'rbac.authorization.k8s.io', 'storage.k8s.io', 'admissionregistration.k8s.io',
  'apiextensions.k8s.io', 'scheduling.k8s.io', 'coordination.k8s.io', 'node.k8s.io', 'discovery.k8s.io',
  'metrics.k8s.io',
];
