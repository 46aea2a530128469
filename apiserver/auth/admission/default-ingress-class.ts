// DefaultIngressClass: an Ingress created without spec.ingressClassName (and without the legacy
// kubernetes.io/ingress.class annotation) gets the default IngressClass's name, so the default
// class's controller serves it and `kubectl get ingress` shows its CLASS. With several defaults
// the newest is chosen, as Kubernetes' plugin does since 1.28. Only on create: an existing
// Ingress keeps what it had.
import type { KubeObject } from '../../api/object.js';
import type { Store } from '../../storage/interfaces.js';
import { defaultIngressClass, legacyClassAnnotation, type IngressClass } from '../../../lib/ingress.js';
import type { AdmissionPlugin } from './chain.js';

export function defaultIngressClassAdmission(store: Store, classPrefix: string): AdmissionPlugin {
  return {
    name: 'DefaultIngressClass',
    mutate(a) {
      if (a.def.group !== 'networking.k8s.io' || a.def.plural !== 'ingresses' || a.subresource || a.operation !== 'CREATE' || !a.object) return;
      const obj = a.object as KubeObject & { spec?: { ingressClassName?: string | null } };
      if (obj.spec?.ingressClassName != null) return;
      if (obj.metadata?.annotations?.[legacyClassAnnotation] !== undefined) return;
      const classes = store.list(classPrefix).items.map((kv) => JSON.parse(kv.value) as IngressClass);
      const name = defaultIngressClass(classes)?.metadata?.name;
      if (name) (obj.spec ??= {}).ingressClassName = name;
    },
  };
}
