// The core ("") group, v1.
import { builtin, createOnly, noCollectionDelete, readOnly } from './define.js';
import { namespaceStrategy, namespaceTable } from '../kinds/namespace.js';
import { isDNS1123Label, isDNS1035Label } from '../validation/names.js';
import type { KubeObject } from '../object.js';
import type { ResourceDef } from '../resource.js';

const core = { group: '', version: 'v1' };
const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
const field = (o: KubeObject, ...path: string[]) => str(path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o));

export const coreResources: ResourceDef[] = [
  builtin({ ...core, kind: 'Binding', plural: 'bindings', namespaced: true, verbs: createOnly }),
  builtin({ ...core, kind: 'ComponentStatus', plural: 'componentstatuses', shortNames: ['cs'], namespaced: false, verbs: readOnly }),
  builtin({ ...core, kind: 'ConfigMap', plural: 'configmaps', shortNames: ['cm'], namespaced: true }),
  builtin({ ...core, kind: 'Endpoints', plural: 'endpoints', shortNames: ['ep'], namespaced: true, singular: 'endpoints', behaviour: { allowCreateOnUpdate: true } }),
  builtin({
    ...core, kind: 'Event', plural: 'events', shortNames: ['ev'], namespaced: true, behaviour: { allowCreateOnUpdate: true },
    fieldSelectors: {
      'involvedObject.kind': (o) => field(o, 'involvedObject', 'kind'),
      'involvedObject.namespace': (o) => field(o, 'involvedObject', 'namespace'),
      'involvedObject.name': (o) => field(o, 'involvedObject', 'name'),
      'involvedObject.uid': (o) => field(o, 'involvedObject', 'uid'),
      'involvedObject.apiVersion': (o) => field(o, 'involvedObject', 'apiVersion'),
      'involvedObject.resourceVersion': (o) => field(o, 'involvedObject', 'resourceVersion'),
      'involvedObject.fieldPath': (o) => field(o, 'involvedObject', 'fieldPath'),
      reason: (o) => field(o, 'reason'),
      reportingComponent: (o) => field(o, 'reportingComponent'),
      source: (o) => field(o, 'source', 'component'),
      type: (o) => field(o, 'type'),
    },
  }),
  builtin({ ...core, kind: 'LimitRange', plural: 'limitranges', shortNames: ['limits'], namespaced: true }),
  builtin({
    ...core, kind: 'Namespace', plural: 'namespaces', shortNames: ['ns'], namespaced: false, verbs: noCollectionDelete,
    strategy: namespaceStrategy, statusStrategy: {}, table: namespaceTable,
    behaviour: { nameValidator: isDNS1123Label },
    fieldSelectors: { 'status.phase': (o) => field(o, 'status', 'phase') },
  }),
  builtin({
    ...core, kind: 'Node', plural: 'nodes', shortNames: ['no'], namespaced: false, statusStrategy: {},
    fieldSelectors: { 'spec.unschedulable': (o) => String(!!(o.spec as { unschedulable?: boolean } | undefined)?.unschedulable) },
  }),
  builtin({ ...core, kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', shortNames: ['pvc'], namespaced: true, statusStrategy: {} }),
  builtin({ ...core, kind: 'PersistentVolume', plural: 'persistentvolumes', shortNames: ['pv'], namespaced: false, statusStrategy: {} }),
  builtin({ ...core, kind: 'ResourceQuota', plural: 'resourcequotas', shortNames: ['quota'], namespaced: true, statusStrategy: {} }),
  builtin({
    ...core, kind: 'Secret', plural: 'secrets', namespaced: true,
    fieldSelectors: { type: (o) => field(o, 'type') },
  }),
  builtin({ ...core, kind: 'ServiceAccount', plural: 'serviceaccounts', shortNames: ['sa'], namespaced: true }),
  builtin({
    ...core, kind: 'Service', plural: 'services', shortNames: ['svc'], categories: ['all'], namespaced: true, statusStrategy: {},
    behaviour: { nameValidator: isDNS1035Label },
  }),
];
