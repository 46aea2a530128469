// Workloads: pods and what runs them (core pods, templates and replication controllers; apps;
// batch; autoscaling; policy).
import { builtin } from './define.js';
import { podTable } from '../kinds/pod-table.js';
import type { KubeObject } from '../object.js';
import type { ResourceDef, ScaleDef } from '../resource.js';
import { fromLabelSelectorSpec, type LabelSelectorSpec } from '../selectors/labels.js';

const core = { group: '', version: 'v1' };
const apps = { group: 'apps', version: 'v1' };
const batch = { group: 'batch', version: 'v1' };
const gen = { generation: true };
const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
const field = (o: KubeObject, ...path: string[]) => str(path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o));

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

export const workloadResources: ResourceDef[] = [
  builtin({
    ...core, kind: 'Pod', plural: 'pods', shortNames: ['po'], categories: ['all'], namespaced: true, statusStrategy: {},
    table: podTable,
    fieldSelectors: {
      'spec.nodeName': (o) => field(o, 'spec', 'nodeName'),
      'spec.restartPolicy': (o) => field(o, 'spec', 'restartPolicy'),
      'spec.schedulerName': (o) => field(o, 'spec', 'schedulerName'),
      'spec.serviceAccountName': (o) => field(o, 'spec', 'serviceAccountName'),
      'spec.hostNetwork': (o) => String(!!(o.spec as { hostNetwork?: boolean } | undefined)?.hostNetwork),
      'status.phase': (o) => field(o, 'status', 'phase'),
      'status.podIP': (o) => field(o, 'status', 'podIP'),
      'status.nominatedNodeName': (o) => field(o, 'status', 'nominatedNodeName'),
    },
  }),
  builtin({ ...core, kind: 'PodTemplate', plural: 'podtemplates', namespaced: true }),
  builtin({
    ...core, kind: 'ReplicationController', plural: 'replicationcontrollers', shortNames: ['rc'], categories: ['all'], namespaced: true,
    statusStrategy: {}, behaviour: { generation: true },
    fieldSelectors: { 'status.replicas': (o) => field(o, 'status', 'replicas') },
  }),
  builtin({ ...apps, kind: 'ControllerRevision', plural: 'controllerrevisions', namespaced: true }),
  builtin({ ...apps, kind: 'DaemonSet', plural: 'daemonsets', shortNames: ['ds'], categories: ['all'], namespaced: true, statusStrategy: {}, behaviour: gen }),
  builtin({ ...apps, kind: 'Deployment', plural: 'deployments', shortNames: ['deploy'], categories: ['all'], namespaced: true, statusStrategy: {}, scale: replicasScale, behaviour: gen }),
  builtin({ ...apps, kind: 'ReplicaSet', plural: 'replicasets', shortNames: ['rs'], categories: ['all'], namespaced: true, statusStrategy: {}, scale: replicasScale, behaviour: gen }),
  builtin({ ...apps, kind: 'StatefulSet', plural: 'statefulsets', shortNames: ['sts'], categories: ['all'], namespaced: true, statusStrategy: {}, scale: replicasScale, behaviour: gen }),
  builtin({
    group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', shortNames: ['hpa'],
    categories: ['all'], namespaced: true, statusStrategy: {}, behaviour: gen, versions: [{ name: 'v2' }, { name: 'v1' }],
  }),
  builtin({ ...batch, kind: 'CronJob', plural: 'cronjobs', shortNames: ['cj'], categories: ['all'], namespaced: true, statusStrategy: {}, behaviour: gen }),
  builtin({ ...batch, kind: 'Job', plural: 'jobs', categories: ['all'], namespaced: true, statusStrategy: {}, behaviour: gen }),
  builtin({ group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', shortNames: ['pdb'], namespaced: true, statusStrategy: {}, behaviour: gen }),
];
