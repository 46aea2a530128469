// Pod defaulting as Kubernetes' core/v1 SetDefaults_* (and the generated defaulters that call
// them): PodSpec, containers, probes, ports, volumes, resource lists. Pods get SetDefaults_Pod
// on top (requests from limits, enableServiceLinks); specs embedded in templates do not.
import {
  formatQuantity, parseQuantity, roundUpQuantity, type Quantity,
} from '../../../lib/quantity.js';
import { defaultPullPolicy } from './image-reference.js';
import {
  asObject, ensureObject, objects, setDefault, setDefaultString, type JsonObject,
} from './json.js';

/** The containers of every kind in a pod spec (init, regular, ephemeral). */
export function allContainers(spec: JsonObject): JsonObject[] {
  return [...objects(spec.initContainers), ...objects(spec.containers), ...objects(spec.ephemeralContainers)];
}

/** Parses a quantity in an object, throwing the decoder's QuantityError when malformed. */
function quantityOf(v: unknown): Quantity {
  return parseQuantity(typeof v === 'number' ? v : String(v));
}

/** Canonicalizes every quantity of a resource list, rounded up to milli (SetDefaults_ResourceList). */
export function defaultResourceList(list: unknown): void {
  const l = asObject(list);
  if (!l) return;
  for (const [k, v] of Object.entries(l)) l[k] = formatQuantity(roundUpQuantity(quantityOf(v), -3));
}

/** Canonicalizes a single quantity field (sizeLimit, divisor): no rounding. */
export function canonicalizeQuantityField(o: JsonObject | undefined, key: string): void {
  if (!o || o[key] === undefined || o[key] === null) return;
  o[key] = formatQuantity(quantityOf(o[key]));
}

function defaultNumber(o: JsonObject, key: string, value: number): void {
  // A zero int32 is unset in Go, so 0 defaults too.
  if (o[key] === undefined || o[key] === null || o[key] === 0) o[key] = value;
}

function defaultHTTPGet(h: JsonObject | undefined): void {
  if (!h) return;
  setDefaultString(h, 'path', '/');
  setDefaultString(h, 'scheme', 'HTTP');
}

function defaultProbe(p: JsonObject | undefined): void {
  if (!p) return;
  defaultNumber(p, 'timeoutSeconds', 1);
  defaultNumber(p, 'periodSeconds', 10);
  defaultNumber(p, 'successThreshold', 1);
  defaultNumber(p, 'failureThreshold', 3);
  defaultHTTPGet(asObject(p.httpGet));
  const grpc = asObject(p.grpc);
  if (grpc) setDefault(grpc, 'service', '');
}

function defaultFieldRef(ref: JsonObject | undefined): void {
  if (ref) setDefaultString(ref, 'apiVersion', 'v1');
}

export function defaultContainer(c: JsonObject): void {
  if (c.imagePullPolicy === undefined || c.imagePullPolicy === '' || c.imagePullPolicy === null) {
    c.imagePullPolicy = defaultPullPolicy(typeof c.image === 'string' ? c.image : '');
  }
  setDefaultString(c, 'terminationMessagePath', '/dev/termination-log');
  setDefaultString(c, 'terminationMessagePolicy', 'File');
  for (const port of objects(c.ports)) setDefaultString(port, 'protocol', 'TCP');
  for (const env of objects(c.env)) {
    const from = asObject(env.valueFrom);
    defaultFieldRef(asObject(from?.fieldRef));
    canonicalizeQuantityField(asObject(from?.resourceFieldRef), 'divisor');
  }
  // ResourceRequirements is a struct: Kubernetes always serializes it, empty as {}.
  const resources = ensureObject(c, 'resources');
  defaultResourceList(resources.limits);
  defaultResourceList(resources.requests);
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) defaultProbe(asObject(c[probe]));
  const lifecycle = asObject(c.lifecycle);
  defaultHTTPGet(asObject(asObject(lifecycle?.postStart)?.httpGet));
  defaultHTTPGet(asObject(asObject(lifecycle?.preStop)?.httpGet));
}

function defaultDownwardAPIItems(items: unknown): void {
  for (const item of objects(items)) {
    defaultFieldRef(asObject(item.fieldRef));
    canonicalizeQuantityField(asObject(item.resourceFieldRef), 'divisor');
  }
}

/** Every volume source Kubernetes knows; a volume naming none of them becomes an emptyDir. */
export const volumeSourceKeys = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap',
  'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos', 'csi',
  'ephemeral', 'image',
] as const;

export function defaultVolume(v: JsonObject): void {
  if (!volumeSourceKeys.some((k) => v[k] !== undefined && v[k] !== null)) v.emptyDir = {};
  canonicalizeQuantityField(asObject(v.emptyDir), 'sizeLimit');
  const hostPath = asObject(v.hostPath);
  if (hostPath) setDefault(hostPath, 'type', '');
  for (const key of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const src = asObject(v[key]);
    if (src) setDefault(src, 'defaultMode', 420);
  }
  defaultDownwardAPIItems(asObject(v.downwardAPI)?.items);
  for (const source of objects(asObject(v.projected)?.sources)) {
    defaultDownwardAPIItems(asObject(source.downwardAPI)?.items);
    const token = asObject(source.serviceAccountToken);
    if (token) setDefault(token, 'expirationSeconds', 3600);
  }
  const iscsi = asObject(v.iscsi);
  if (iscsi) setDefaultString(iscsi, 'iscsiInterface', 'default');
  const rbd = asObject(v.rbd);
  if (rbd) {
    setDefaultString(rbd, 'pool', 'rbd');
    setDefaultString(rbd, 'user', 'admin');
    setDefaultString(rbd, 'keyring', '/etc/ceph/keyring');
  }
  const azureDisk = asObject(v.azureDisk);
  if (azureDisk) {
    setDefault(azureDisk, 'cachingMode', 'ReadWrite');
    setDefault(azureDisk, 'fsType', 'ext4');
    setDefault(azureDisk, 'readOnly', false);
    setDefault(azureDisk, 'kind', 'Shared');
  }
  const scaleIO = asObject(v.scaleIO);
  if (scaleIO) {
    setDefaultString(scaleIO, 'storageMode', 'ThinProvisioned');
    setDefaultString(scaleIO, 'fsType', 'xfs');
  }
  const image = asObject(v.image);
  if (image && !image.pullPolicy) image.pullPolicy = defaultPullPolicy(typeof image.reference === 'string' ? image.reference : '');
  const claimTemplate = asObject(asObject(v.ephemeral)?.volumeClaimTemplate);
  if (claimTemplate) defaultPVCSpec(ensureObject(claimTemplate, 'spec'));
}

/** SetDefaults_PersistentVolumeClaimSpec plus its resource lists. */
export function defaultPVCSpec(spec: JsonObject): void {
  setDefault(spec, 'volumeMode', 'Filesystem');
  // VolumeResourceRequirements is a struct: always serialized.
  const resources = ensureObject(spec, 'resources');
  defaultResourceList(resources.limits);
  defaultResourceList(resources.requests);
}

/** SetDefaults_PodSpec and everything the generated defaulter reaches inside a spec. */
export function defaultPodSpec(spec: JsonObject): void {
  setDefaultString(spec, 'dnsPolicy', 'ClusterFirst');
  setDefaultString(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefaultString(spec, 'schedulerName', 'default-scheduler');
  for (const v of objects(spec.volumes)) defaultVolume(v);
  for (const c of allContainers(spec)) defaultContainer(c);
  defaultResourceList(spec.overhead);
  const podResources = asObject(spec.resources);
  if (podResources) {
    defaultResourceList(podResources.limits);
    defaultResourceList(podResources.requests);
  }
}

/** SetDefaults_Pod: what only real pods get, before the spec defaults. */
export function defaultPod(pod: JsonObject): void {
  const spec = ensureObject(pod, 'spec');
  for (const c of [...objects(spec.containers), ...objects(spec.initContainers)]) {
    const resources = asObject(c.resources);
    const limits = asObject(resources?.limits);
    if (!resources || !limits) continue;
    const requests = ensureObject(resources, 'requests');
    for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = v;
  }
  setDefault(spec, 'enableServiceLinks', true);
  if (spec.hostNetwork === true) {
    // With host networking every container port is also a host port.
    for (const c of [...objects(spec.containers), ...objects(spec.initContainers)]) {
      for (const port of objects(c.ports)) if (!port.hostPort) port.hostPort = port.containerPort;
    }
  }
  defaultPodSpec(spec);
}

/**
 * A PodTemplateSpec: spec defaults, and the empty metadata Kubernetes serializes for it
 * (ObjectMeta is a struct whose zero creationTimestamp prints as null).
 */
export function defaultPodTemplateSpec(template: JsonObject): void {
  const meta = ensureObject(template, 'metadata');
  if (!('creationTimestamp' in meta)) meta.creationTimestamp = null;
  defaultPodSpec(ensureObject(template, 'spec'));
}
