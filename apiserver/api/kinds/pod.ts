// Pods: defaulting, the create/update strategy (status Pending with a computed QoS class, a spec
// that only changes where Kubernetes allows it, nodeName only through binding), the status
// strategy, and the fields a pod list may be selected by.
import { invalidEach, invalidValue, path, type FieldError } from '../field-errors.js';
import type { KubeObject } from '../object.js';
import type { Strategy } from '../resource.js';
import { validateIP } from '../validation/ip.js';
import { isDNS1123Subdomain } from '../validation/names.js';
import { withDecodeErrors } from './decode.js';
import { asObject, ensureObject, objects, str, type JsonObject } from './json.js';
import { defaultPod } from './pod-defaults.js';
import { computePodQOS } from '../../../lib/pod-qos.js';
import { validatePodUpdate } from './pod-update.js';
import { validatePodCreate } from './pod-validation.js';

/** Fields of features that are off in 1.32 (DropDisabledPodFields): pod-level resources. */
export function dropDisabledPodSpecFields(spec: JsonObject): void {
  delete spec.resources;
}

export const podStrategy: Strategy = {
  default: (obj) => withDecodeErrors(obj, () => defaultPod(obj)),
  prepareForCreate(obj) {
    const spec = ensureObject(obj, 'spec');
    dropDisabledPodSpecFields(spec);
    obj.status = { phase: 'Pending', qosClass: computePodQOS(spec) };
  },
  prepareForUpdate(obj) {
    dropDisabledPodSpecFields(ensureObject(obj, 'spec'));
  },
  validate: (obj) => validatePodCreate(obj, path()),
  validateUpdate: (obj, old, ctx) => validatePodUpdate(obj, old, path(), ctx.subresource === 'binding'),
};

/** ValidatePodStatusUpdate's checks that matter to writers of status. */
function validatePodStatusUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const status = asObject(obj.status) ?? {};
  const oldStatus = asObject(old.status) ?? {};
  const errs: FieldError[] = [];
  const sp = path('status');
  const nominated = str(status.nominatedNodeName);
  if (nominated && nominated !== str(oldStatus.nominatedNodeName)) {
    errs.push(...invalidEach(sp.child('nominatedNodeName'), nominated, isDNS1123Subdomain(nominated)));
  }
  if (str(status.qosClass) !== str(oldStatus.qosClass)) errs.push(invalidValue(sp.child('qosClass'), str(status.qosClass), 'field is immutable'));
  objects(status.podIPs).forEach((ip, i) => errs.push(...validateIP(sp.child('podIPs').index(i), str(ip.ip))));
  objects(status.hostIPs).forEach((ip, i) => errs.push(...validateIP(sp.child('hostIPs').index(i), str(ip.ip))));
  return errs;
}

export const podStatusStrategy: Strategy = {
  // As Kubernetes: old kubelets corrupted owner references through pods/status, breaking the GC.
  statusResetsMetadata: ['ownerReferences'],
  prepareForUpdate(obj, old) {
    // QoS is set once, at creation; old kubelets drop it from status writes.
    const status = ensureObject(obj, 'status');
    if (!status.qosClass) status.qosClass = asObject(old.status)?.qosClass;
  },
  validateUpdate: validatePodStatusUpdate,
};

const field = (o: KubeObject, ...keys: string[]): string => {
  let v: unknown = o;
  for (const k of keys) v = asObject(v)?.[k];
  return v === undefined || v === null ? '' : String(v);
};

/** PodToSelectableFields. */
export const podFieldSelectors: Record<string, (o: KubeObject) => string> = {
  'spec.nodeName': (o) => field(o, 'spec', 'nodeName'),
  'spec.restartPolicy': (o) => field(o, 'spec', 'restartPolicy'),
  'spec.schedulerName': (o) => field(o, 'spec', 'schedulerName'),
  'spec.serviceAccountName': (o) => field(o, 'spec', 'serviceAccountName'),
  'spec.hostNetwork': (o) => String(asObject(o.spec)?.hostNetwork === true),
  'status.phase': (o) => field(o, 'status', 'phase'),
  'status.podIP': (o) => str(objects(asObject(o.status)?.podIPs)[0]?.ip) || field(o, 'status', 'podIP'),
  'status.nominatedNodeName': (o) => field(o, 'status', 'nominatedNodeName'),
};
