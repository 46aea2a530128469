// Workloads: pods and what runs them (core pods, templates and replication controllers; apps;
// batch; autoscaling; policy). Each kind's behaviour lives in kinds/; this is the catalog.
import { builtin } from './define.js';
import { controllerRevisionStrategy, controllerRevisionTable } from '../kinds/controllerrevision.js';
import { cronJobStrategy, cronJobTable } from '../kinds/cronjob.js';
import { daemonSetStrategy, daemonSetTable } from '../kinds/daemonset.js';
import { deploymentStrategy, deploymentTable } from '../kinds/deployment.js';
import { hpaStatusStrategy, hpaStrategy, hpaTable, hpaVersions } from '../kinds/hpa.js';
import { jobFieldSelectors, jobStatusStrategy, jobStrategy, jobTable } from '../kinds/job.js';
import { asObject, ensureObject, num } from '../kinds/json.js';
import { pdbStrategy, pdbTable } from '../kinds/pdb.js';
import { podFieldSelectors, podStatusStrategy, podStrategy } from '../kinds/pod.js';
import { podTable } from '../kinds/pod-table.js';
import { podTemplateStrategy, podTemplateTable } from '../kinds/podtemplate.js';
import { replicaSetStrategy, replicaSetTable, statusReplicasSelector } from '../kinds/replicaset.js';
import { replicationControllerScale, replicationControllerStrategy, replicationControllerTable } from '../kinds/replicationcontroller.js';
import { statefulSetStrategy, statefulSetTable } from '../kinds/statefulset.js';
import type { ResourceDef, ScaleDef } from '../resource.js';
import { fromLabelSelectorSpec, type LabelSelectorSpec } from '../selectors/labels.js';
import { isDNS1123Label } from '../validation/names.js';

const core = { group: '', version: 'v1' };
const apps = { group: 'apps', version: 'v1' };
const batch = { group: 'batch', version: 'v1' };
const gen = { generation: true };

/** Scale of a workload with spec.replicas (default 1) and a LabelSelector. */
export const replicasScale: ScaleDef = {
  specReplicas: (o) => num(asObject(o.spec)?.replicas) ?? 1,
  setSpecReplicas: (o, n) => {
    ensureObject(o, 'spec').replicas = n;
  },
  statusReplicas: (o) => num(asObject(o.status)?.replicas) ?? 0,
  selector: (o) => {
    try {
      return fromLabelSelectorSpec(asObject(o.spec)?.selector as LabelSelectorSpec | undefined).toString();
    } catch {
      return '';
    }
  },
};

export const workloadResources: ResourceDef[] = [
  builtin({
    ...core, kind: 'Pod', plural: 'pods', shortNames: ['po'], categories: ['all'], namespaced: true,
    strategy: podStrategy, statusStrategy: podStatusStrategy, table: podTable, fieldSelectors: podFieldSelectors,
  }),
  builtin({ ...core, kind: 'PodTemplate', plural: 'podtemplates', namespaced: true, strategy: podTemplateStrategy, table: podTemplateTable, behaviour: gen }),
  builtin({
    ...core, kind: 'ReplicationController', plural: 'replicationcontrollers', shortNames: ['rc'], categories: ['all'], namespaced: true,
    strategy: replicationControllerStrategy, statusStrategy: {}, table: replicationControllerTable, scale: replicationControllerScale,
    behaviour: gen, fieldSelectors: statusReplicasSelector,
  }),
  builtin({ ...apps, kind: 'ControllerRevision', plural: 'controllerrevisions', namespaced: true, strategy: controllerRevisionStrategy, table: controllerRevisionTable }),
  builtin({
    ...apps, kind: 'DaemonSet', plural: 'daemonsets', shortNames: ['ds'], categories: ['all'], namespaced: true,
    strategy: daemonSetStrategy, statusStrategy: {}, table: daemonSetTable, behaviour: gen,
  }),
  builtin({
    ...apps, kind: 'Deployment', plural: 'deployments', shortNames: ['deploy'], categories: ['all'], namespaced: true,
    strategy: deploymentStrategy, statusStrategy: { statusResetsMetadata: ['labels'] }, table: deploymentTable, scale: replicasScale, behaviour: gen,
  }),
  builtin({
    ...apps, kind: 'ReplicaSet', plural: 'replicasets', shortNames: ['rs'], categories: ['all'], namespaced: true,
    strategy: replicaSetStrategy, statusStrategy: {}, table: replicaSetTable, scale: replicasScale, behaviour: gen,
    fieldSelectors: statusReplicasSelector,
  }),
  builtin({
    ...apps, kind: 'StatefulSet', plural: 'statefulsets', shortNames: ['sts'], categories: ['all'], namespaced: true,
    strategy: statefulSetStrategy, statusStrategy: {}, table: statefulSetTable, scale: replicasScale,
    behaviour: { ...gen, nameValidator: isDNS1123Label },
  }),
  builtin({
    group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', shortNames: ['hpa'],
    categories: ['all'], namespaced: true, strategy: hpaStrategy, statusStrategy: hpaStatusStrategy, table: hpaTable, behaviour: gen,
    versions: hpaVersions,
  }),
  builtin({
    ...batch, kind: 'CronJob', plural: 'cronjobs', shortNames: ['cj'], categories: ['all'], namespaced: true,
    strategy: cronJobStrategy, statusStrategy: {}, table: cronJobTable, behaviour: gen,
  }),
  builtin({
    ...batch, kind: 'Job', plural: 'jobs', categories: ['all'], namespaced: true,
    strategy: jobStrategy, statusStrategy: jobStatusStrategy, table: jobTable, behaviour: gen, fieldSelectors: jobFieldSelectors,
  }),
  builtin({
    group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', shortNames: ['pdb'], namespaced: true,
    strategy: pdbStrategy, statusStrategy: {}, table: pdbTable, behaviour: gen,
  }),
];
