// Priority: resolves a pod's priorityClassName (or the cluster's globalDefault class) into
// spec.priority and spec.preemptionPolicy, refuses unknown classes and hand-set priorities
// that disagree, and keeps PriorityClasses to one globalDefault, as Kubernetes' plugin does.
import { forbidden } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { Store } from '../../storage/interfaces.js';
import type { AdmissionPlugin } from './chain.js';

interface PriorityClass extends KubeObject {
  value?: number;
  globalDefault?: boolean;
  preemptionPolicy?: string;
}

interface PodSpecPriority {
  priorityClassName?: string;
  priority?: number;
  preemptionPolicy?: string;
}

/** Pods get 0 when no class is named and none is the global default. */
const defaultPriority = 0;

export function priorityAdmission(store: Store, classPrefix: string): AdmissionPlugin {
  const classes = (): PriorityClass[] => store.list(classPrefix).items.map((kv) => JSON.parse(kv.value) as PriorityClass);
  /** The global default with the lowest value wins when several claim it (as Kubernetes picks). */
  const globalDefault = () => classes().filter((c) => c.globalDefault).sort((a, b) => (a.value ?? 0) - (b.value ?? 0))[0];
  return {
    name: 'Priority',
    mutate(a) {
      if (a.def.group !== '' || a.def.plural !== 'pods' || a.subresource || !a.object) return;
      if (a.operation === 'UPDATE') {
        // Set at creation: an update that leaves them out (a replace of a pod read back without
        // them) keeps them, as Kubernetes' plugin does, instead of failing pod validation.
        const spec = ((a.object.spec ??= {}) as PodSpecPriority);
        const old = (a.oldObject?.spec ?? {}) as PodSpecPriority;
        if ((spec.priority === undefined || spec.priority === null) && old.priority !== undefined) spec.priority = old.priority;
        if (!spec.preemptionPolicy && old.preemptionPolicy) spec.preemptionPolicy = old.preemptionPolicy;
        return;
      }
      if (a.operation !== 'CREATE') return;
      const spec = ((a.object.spec ??= {}) as PodSpecPriority);
      const gr = { group: '', resource: 'pods' };
      let priority = defaultPriority;
      let policy = 'PreemptLowerPriority';
      if (!spec.priorityClassName) {
        const d = globalDefault();
        if (d) {
          spec.priorityClassName = d.metadata.name;
          priority = d.value ?? 0;
          policy = d.preemptionPolicy ?? policy;
        }
      } else {
        const pc = classes().find((c) => c.metadata.name === spec.priorityClassName);
        if (!pc) throw forbidden(gr, a.name, `no PriorityClass with name ${spec.priorityClassName} was found`);
        priority = pc.value ?? 0;
        policy = pc.preemptionPolicy ?? policy;
      }
      if (spec.priority !== undefined && spec.priority !== null && spec.priority !== priority) {
        throw forbidden(gr, a.name, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`);
      }
      if (spec.preemptionPolicy && spec.preemptionPolicy !== policy) {
        throw forbidden(gr, a.name, `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`);
      }
      spec.priority = priority;
      spec.preemptionPolicy = policy;
    },
    validate(a) {
      if (a.def.group !== 'scheduling.k8s.io' || a.def.plural !== 'priorityclasses' || !a.object) return;
      if (a.operation !== 'CREATE' && a.operation !== 'UPDATE') return;
      const pc = a.object as PriorityClass;
      if (!pc.globalDefault) return;
      const other = classes().find((c) => c.globalDefault && c.metadata.name !== pc.metadata.name);
      if (other) {
        throw forbidden({ group: 'scheduling.k8s.io', resource: 'priorityclasses' }, a.name, `PriorityClass ${other.metadata.name} is already marked as default. Only one default can exist`);
      }
    },
  };
}
