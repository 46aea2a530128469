// Every built-in API group other than core, with the versions Kubernetes 1.32 serves.
import { builtin, createOnly } from './define.js';
import type { KubeObject } from '../object.js';
import type { ResourceDef, ScaleDef } from '../resource.js';
import { fromLabelSelectorSpec, type LabelSelectorSpec } from '../selectors/labels.js';

type Replicated = KubeObject & { spec?: { replicas?: number; selector?: LabelSelectorSpec }; status?: { replicas?: number } };

/** Scale of a workload with spec.replicas (default 1) and a LabelSelector. */
export const replicasScale: ScaleDef = {
  specReplicas: (o) => (o as Replicated).spec?.replicas ?? 1,
  setSpecReplicas: (o, n) => {
    const r = o as Replicated;
    r.spec = { ...r.spec, replicas: n };
  },
  statusReplicas: (o) => (o as Replicated).status?.replicas ?? 0,
  selector: (o) => {
    try {
      return fromLabelSelectorSpec((o as Replicated).spec?.selector).toString();
    } catch {
      return '';
    }
  },
};

const gen = { generation: true };
const apps = { group: 'apps', version: 'v1' };
const batch = { group: 'batch', version: 'v1' };
const networking = { group: 'networking.k8s.io', version: 'v1' };
const storage = { group: 'storage.k8s.io', version: 'v1' };
const rbac = { group: 'rbac.authorization.k8s.io', version: 'v1' };

export const groupResources: ResourceDef[] = [
  builtin({ group: 'apiregistration.k8s.io', version: 'v1', kind: 'APIService', plural: 'apiservices', namespaced: false, statusStrategy: {}, categories: ['api-extensions'] }),

  builtin({ ...apps, kind: 'ControllerRevision', plural: 'controllerrevisions', namespaced: true }),
  builtin({ ...apps, kind: 'DaemonSet', plural: 'daemonsets', shortNames: ['ds'], categories: ['all'], namespaced: true, statusStrategy: {}, behaviour: gen }),
  builtin({ ...apps, kind: 'Deployment', plural: 'deployments', shortNames: ['deploy'], categories: ['all'], namespaced: true, statusStrategy: {}, scale: replicasScale, behaviour: gen }),
  builtin({ ...apps, kind: 'ReplicaSet', plural: 'replicasets', shortNames: ['rs'], categories: ['all'], namespaced: true, statusStrategy: {}, scale: replicasScale, behaviour: gen }),
  builtin({ ...apps, kind: 'StatefulSet', plural: 'statefulsets', shortNames: ['sts'], categories: ['all'], namespaced: true, statusStrategy: {}, scale: replicasScale, behaviour: gen }),

  builtin({ group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', shortNames: ['ev'], namespaced: true, behaviour: { allowCreateOnUpdate: true } }),

  builtin({ group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview', plural: 'selfsubjectreviews', namespaced: false, verbs: createOnly }),
  builtin({ group: 'authentication.k8s.io', version: 'v1', kind: 'TokenReview', plural: 'tokenreviews', namespaced: false, verbs: createOnly }),

  builtin({ group: 'authorization.k8s.io', version: 'v1', kind: 'LocalSubjectAccessReview', plural: 'localsubjectaccessreviews', namespaced: true, verbs: createOnly }),
  builtin({ group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview', plural: 'selfsubjectaccessreviews', namespaced: false, verbs: createOnly }),
  builtin({ group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectRulesReview', plural: 'selfsubjectrulesreviews', namespaced: false, verbs: createOnly }),
  builtin({ group: 'authorization.k8s.io', version: 'v1', kind: 'SubjectAccessReview', plural: 'subjectaccessreviews', namespaced: false, verbs: createOnly }),

  builtin({
    group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', shortNames: ['hpa'],
    categories: ['all'], namespaced: true, statusStrategy: {}, behaviour: gen, versions: [{ name: 'v2' }, { name: 'v1' }],
  }),

  builtin({ ...batch, kind: 'CronJob', plural: 'cronjobs', shortNames: ['cj'], categories: ['all'], namespaced: true, statusStrategy: {}, behaviour: gen }),
  builtin({ ...batch, kind: 'Job', plural: 'jobs', categories: ['all'], namespaced: true, statusStrategy: {}, behaviour: gen }),

  builtin({
    group: 'certificates.k8s.io', version: 'v1', kind: 'CertificateSigningRequest', plural: 'certificatesigningrequests', shortNames: ['csr'],
    namespaced: false, statusStrategy: {},
    fieldSelectors: { 'spec.signerName': (o) => String((o.spec as { signerName?: string } | undefined)?.signerName ?? '') },
  }),

  builtin({ ...networking, kind: 'IngressClass', plural: 'ingressclasses', namespaced: false }),
  builtin({ ...networking, kind: 'Ingress', plural: 'ingresses', shortNames: ['ing'], namespaced: true, statusStrategy: {}, behaviour: gen }),
  builtin({ ...networking, kind: 'NetworkPolicy', plural: 'networkpolicies', shortNames: ['netpol'], namespaced: true, behaviour: gen }),

  builtin({ group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', shortNames: ['pdb'], namespaced: true, statusStrategy: {}, behaviour: gen }),

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
