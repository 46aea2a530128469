// Every built-in API group other than core, with the versions Kubernetes 1.32 serves.
import { builtin, createOnly } from './define.js';
import type { ResourceDef } from '../resource.js';

const gen = { generation: true };
const networking = { group: 'networking.k8s.io', version: 'v1' };
const storage = { group: 'storage.k8s.io', version: 'v1' };
const rbac = { group: 'rbac.authorization.k8s.io', version: 'v1' };

export const groupResources: ResourceDef[] = [
  builtin({ group: 'apiregistration.k8s.io', version: 'v1', kind: 'APIService', plural: 'apiservices', namespaced: false, statusStrategy: {}, categories: ['api-extensions'] }),


  builtin({ group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', shortNames: ['ev'], namespaced: true, behaviour: { allowCreateOnUpdate: true } }),

  builtin({ group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview', plural: 'selfsubjectreviews', namespaced: false, verbs: createOnly }),
  builtin({ group: 'authentication.k8s.io', version: 'v1', kind: 'TokenReview', plural: 'tokenreviews', namespaced: false, verbs: createOnly }),

  builtin({ group: 'authorization.k8s.io', version: 'v1', kind: 'LocalSubjectAccessReview', plural: 'localsubjectaccessreviews', namespaced: true, verbs: createOnly }),
  builtin({ group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', namespaced: false, verbs: createOnly }),
  builtin({ group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectRulesReview', plural: 'selfsubjectrulesreviews', namespaced: false, verbs: createOnly }),
  builtin({ group: 'authorization.k8s.io', version: 'v1', kind: 'SubjectAccessReview', plural: 'subjectaccessreviews', namespaced: false, verbs: createOnly }),



  builtin({
    group: 'certificates.k8s.io', version: 'v1', kind: 'CertificateSigningRequest', plural: 'certificatesigningrequests', shortNames: ['csr'],
    namespaced: false, statusStrategy: {},
    fieldSelectors: { 'spec.signerName': (o) => String((o.spec as { signerName?: string } | undefined)?.signerName ?? '') },
  }),

  builtin({ ...networking, kind: 'IngressClass', plural: 'ingressclasses', namespaced: false }),
  builtin({ ...networking, kind: 'Ingress', plural: 'ingresses', shortNames: ['ing'], namespaced: true, statusStrategy: {}, behaviour: gen }),
  builtin({ ...networking, kind: 'NetworkPolicy', plural: 'networkpolicies', shortNames: ['netpol'], namespaced: true, behaviour: gen }),


  builtin({ ...rbac, kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false, behaviour: { allowCreateOnUpdate: true } }),
  builtin({ ...rbac, kind: 'ClusterRole', plural: 'clusterroles', namespaced: false, behaviour: { allowCreateOnUpdate: true } }),
  builtin({ ...rbac, kind: 'RoleBinding', plural: 'rolebindings', namespaced: true, behaviour: { allowCreateOnUpdate: true } }),
  builtin({ ...rbac, kind: 'Role', plural: 'roles', namespaced: true, behaviour: { allowCreateOnUpdate: true } }),

  builtin({ ...storage, kind: 'CSIDriver', plural: 'csidrivers', namespaced: false }),
  builtin({ ...storage, kind: 'CSINode', plural: 'csinodes', namespaced: false }),
  builtin({ ...storage, kind: 'CSIStorageCapacity', plural: 'csistoragecapacities', namespaced: true }),
  builtin({ ...storage, kind: 'StorageClass', plural: 'storageclasses', shortNames: ['sc'], namespaced: false }),
  builtin({ ...storage, kind: 'VolumeAttachment', plural: 'volumeattachments', namespaced: false, statusStrategy: {} }),

  builtin({ group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', shortNames: ['crd', 'crds'], categories: ['api-extensions'], namespaced: false, statusStrategy: {}, behaviour: gen }),

  builtin({ group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass', plural: 'priorityclasses', shortNames: ['pc'], namespaced: false }),
  builtin({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true }),
  builtin({ group: 'node.k8s.io', version: 'v1', kind: 'RuntimeClass', plural: 'runtimeclasses', namespaced: false }),
  builtin({ group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', namespaced: true }),
];

/** The order Kubernetes lists groups in /apis. */
export const groupOrder = [
  'apiregistration.k8s.io', 'apps', 'events.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io', 'autoscaling', 'batch',
  'certificates.k8s.io', 'networking.k8s.io', 'policy', 'rbac.authorization.k8s.io', 'storage.k8s.io', 'admissionregistration.k8s.io',
  'apiextensions.k8s.io', 'scheduling.k8s.io', 'coordination.k8s.io', 'node.k8s.io', 'discovery.k8s.io',
];
