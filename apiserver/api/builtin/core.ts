// The core ("") group, v1: each kind's definition wires its strategy, table and selectable
// fields; the behaviour lives in ../kinds.
import { builtin, createOnly, noCollectionDelete, readOnly } from './define.js';
import { componentStatusTable, componentStatusWarning } from '../kinds/component-status.js';
import { configMapStrategy, configMapTable } from '../kinds/configmap.js';
import { endpointsStrategy, endpointsTable } from '../kinds/endpoints.js';
import { eventStrategy, eventTable } from '../kinds/event.js';
import { limitRangeStrategy } from '../kinds/limit-range.js';
import { namespaceStrategy, namespaceTable } from '../kinds/namespace.js';
import { nodeStatusStrategy, nodeStrategy, nodeTable } from '../kinds/node.js';
import { persistentVolumeStatusStrategy, persistentVolumeStrategy, persistentVolumeTable } from '../kinds/persistent-volume.js';
import {
  persistentVolumeClaimStatusStrategy, persistentVolumeClaimStrategy, persistentVolumeClaimTable,
} from '../kinds/persistent-volume-claim.js';
import { resourceQuotaStatusStrategy, resourceQuotaStrategy, resourceQuotaTable } from '../kinds/resource-quota.js';
import { secretStrategy, secretTable } from '../kinds/secret.js';
import { serviceAccountTable } from '../kinds/service-account.js';
import { serviceStatusStrategy, serviceStrategy } from '../kinds/service.js';
import { serviceTable } from '../kinds/service-table.js';
import { isDNS1123Label, isDNS1035Label } from '../validation/names.js';
import type { KubeObject } from '../object.js';
import type { ResourceDef } from '../resource.js';

const core = { group: '', version: 'v1' };
const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
const field = (o: KubeObject, ...path: string[]) => str(path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o));

/** Selectable fields of Events (core/v1 names; events.k8s.io maps its own names onto these). */
export const eventFieldSelectors: Record<string, (o: KubeObject) => string> = {
  'involvedObject.kind': (o) => field(o, 'involvedObject', 'kind'),
  'involvedObject.namespace': (o) => field(o, 'involvedObject', 'namespace'),
  'involvedObject.name': (o) => field(o, 'involvedObject', 'name'),
  'involvedObject.uid': (o) => field(o, 'involvedObject', 'uid'),
  'involvedObject.apiVersion': (o) => field(o, 'involvedObject', 'apiVersion'),
  'involvedObject.resourceVersion': (o) => field(o, 'involvedObject', 'resourceVersion'),
  'involvedObject.fieldPath': (o) => field(o, 'involvedObject', 'fieldPath'),
  reason: (o) => field(o, 'reason'),
  reportingComponent: (o) => field(o, 'reportingComponent'),
  source: (o) => field(o, 'source', 'component') || field(o, 'reportingComponent'),
  type: (o) => field(o, 'type'),
};

export const coreResources: ResourceDef[] = [
  builtin({ ...core, kind: 'Binding', plural: 'bindings', namespaced: true, verbs: createOnly }),
  builtin({
    ...core, kind: 'ComponentStatus', plural: 'componentstatuses', shortNames: ['cs'], namespaced: false, verbs: readOnly,
    table: componentStatusTable, deprecationWarning: componentStatusWarning,
  }),
  builtin({ ...core, kind: 'ConfigMap', plural: 'configmaps', shortNames: ['cm'], namespaced: true, strategy: configMapStrategy, table: configMapTable }),
  builtin({
    ...core, kind: 'Endpoints', plural: 'endpoints', shortNames: ['ep'], namespaced: true, singular: 'endpoints',
    behaviour: { allowCreateOnUpdate: true }, strategy: endpointsStrategy, table: endpointsTable,
  }),
  builtin({
    ...core, kind: 'Event', plural: 'events', shortNames: ['ev'], namespaced: true, strategy: eventStrategy, table: eventTable,
    // core/v1 Event names are only checked to be usable in a path, as Kubernetes does.
    behaviour: { allowCreateOnUpdate: true, nameValidator: () => [] },
    fieldSelectors: eventFieldSelectors,
  }),
  builtin({ ...core, kind: 'LimitRange', plural: 'limitranges', shortNames: ['limits'], namespaced: true, strategy: limitRangeStrategy }),
  builtin({
    ...core, kind: 'Namespace', plural: 'namespaces', shortNames: ['ns'], namespaced: false, verbs: noCollectionDelete,
    strategy: namespaceStrategy, statusStrategy: {}, table: namespaceTable,
    behaviour: { nameValidator: isDNS1123Label },
    fieldSelectors: { 'status.phase': (o) => field(o, 'status', 'phase') },
  }),
  builtin({
    ...core, kind: 'Node', plural: 'nodes', shortNames: ['no'], namespaced: false,
    strategy: nodeStrategy, statusStrategy: nodeStatusStrategy, table: nodeTable,
    fieldSelectors: { 'spec.unschedulable': (o) => String(!!(o.spec as { unschedulable?: boolean } | undefined)?.unschedulable) },
  }),
  builtin({
    ...core, kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', shortNames: ['pvc'], namespaced: true,
    strategy: persistentVolumeClaimStrategy, statusStrategy: persistentVolumeClaimStatusStrategy, table: persistentVolumeClaimTable,
  }),
  builtin({
    ...core, kind: 'PersistentVolume', plural: 'persistentvolumes', shortNames: ['pv'], namespaced: false,
    strategy: persistentVolumeStrategy, statusStrategy: persistentVolumeStatusStrategy, table: persistentVolumeTable,
  }),
  builtin({
    ...core, kind: 'ResourceQuota', plural: 'resourcequotas', shortNames: ['quota'], namespaced: true,
    strategy: resourceQuotaStrategy, statusStrategy: resourceQuotaStatusStrategy, table: resourceQuotaTable,
  }),
  builtin({
    ...core, kind: 'Secret', plural: 'secrets', namespaced: true, strategy: secretStrategy, table: secretTable,
    fieldSelectors: { type: (o) => field(o, 'type') },
  }),
  builtin({ ...core, kind: 'ServiceAccount', plural: 'serviceaccounts', shortNames: ['sa'], namespaced: true, table: serviceAccountTable }),
  builtin({
    ...core, kind: 'Service', plural: 'services', shortNames: ['svc'], categories: ['all'], namespaced: true,
    strategy: serviceStrategy, statusStrategy: serviceStatusStrategy, table: serviceTable,
    behaviour: { nameValidator: isDNS1035Label },
    fieldSelectors: { 'spec.clusterIP': (o) => field(o, 'spec', 'clusterIP'), 'spec.type': (o) => field(o, 'spec', 'type') },
  }),
];
