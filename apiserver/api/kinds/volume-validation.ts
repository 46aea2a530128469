// Pod volumes as core validation's ValidateVolumes: DNS-label names, unique, exactly one source
// each, and the source's own required fields, with Kubernetes' messages and field paths.
import {
  duplicate, forbiddenField, invalidEach, invalidValue, notSupported, required, tooLong, type FieldError, type FieldPath,
} from '../field-errors.js';
import { parseQuantity } from '../../../lib/quantity.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from '../validation/names.js';
import { asObject, objects, str, type JsonObject } from './json.js';
import { validatePVCSpec } from './pvc-validation.js';
import { validateTemplateObjectMeta } from './template-meta.js';

export const fileModeErrorMsg = 'must be a number between 0 and 0777 (octal), both inclusive';
const hostPathTypes = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

export interface ValidatedVolumes {
  /** Volumes that validated, by name (what volumeMounts may refer to). */
  byName: Map<string, JsonObject>;
  errs: FieldError[];
}

/** path must not contain a '..' element. */
export function validatePathNoBacksteps(target: string, p: FieldPath): FieldError[] {
  return target.split('/').includes('..') ? [invalidValue(p, target, "must not contain '..'")] : [];
}

/** A relative path without backsteps. */
export function validateLocalDescendingPath(target: string, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (target.startsWith('/')) errs.push(invalidValue(p, target, 'must be a relative path'));
  return [...errs, ...validatePathNoBacksteps(target, p)];
}

export function validateLocalNonReservedPath(target: string, p: FieldPath): FieldError[] {
  const errs = validateLocalDescendingPath(target, p);
  if (target.startsWith('..') && !target.startsWith('../')) errs.push(invalidValue(p, target, "must not start with '..'"));
  return errs;
}

function validateMode(mode: unknown, p: FieldPath): FieldError[] {
  if (typeof mode !== 'number') return [];
  return mode > 0o777 || mode < 0 ? [invalidValue(p, mode, fileModeErrorMsg)] : [];
}

function validateKeyToPath(kp: JsonObject, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!str(kp.key)) errs.push(required(p.child('key')));
  if (!str(kp.path)) errs.push(required(p.child('path')));
  errs.push(...validateLocalNonReservedPath(str(kp.path), p.child('path')));
  errs.push(...validateMode(kp.mode, p.child('mode')));
  return errs;
}

function validateItems(items: unknown, p: FieldPath): FieldError[] {
  return objects(items).flatMap((kp, i) => validateKeyToPath(kp, p.index(i)));
}

const downwardVolumePaths = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];

function validateDownwardAPIFile(file: JsonObject, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!str(file.path)) errs.push(required(p.child('path')));
  errs.push(...validateLocalNonReservedPath(str(file.path), p.child('path')));
  const fieldRef = asObject(file.fieldRef);
  const resourceRef = asObject(file.resourceFieldRef);
  if (fieldRef) {
    errs.push(...validateObjectFieldSelector(fieldRef, downwardVolumePaths, p.child('fieldRef')));
    if (resourceRef) errs.push(invalidValue(p, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
  } else if (resourceRef) {
    if (!str(resourceRef.containerName)) errs.push(required(p.child('resourceFieldRef').child('containerName')));
    else errs.push(...validateResourceFieldSelector(resourceRef, p.child('resourceFieldRef')));
  } else {
    errs.push(required(p, 'one of fieldRef and resourceFieldRef is required'));
  }
  errs.push(...validateMode(file.mode, p.child('mode')));
  return errs;
}

/** An env or volume fieldRef: apiVersion, a supported path, or a labels/annotations subscript. */
export function validateObjectFieldSelector(fs: JsonObject, supported: readonly string[], p: FieldPath): FieldError[] {
  if (!str(fs.apiVersion)) return [required(p.child('apiVersion'))];
  const fieldPath = str(fs.fieldPath);
  if (!fieldPath) return [required(p.child('fieldPath'))];
  if (fs.apiVersion !== 'v1') {
    return [invalidValue(p.child('fieldPath'), fieldPath, `error converting fieldPath: field label not supported: ${fieldPath}`)];
  }
  const sub = /^(metadata\.(?:annotations|labels))\['(.*)'\]$/.exec(fieldPath) ?? /^([^[]*)\['(.*)'\]$/.exec(fieldPath);
  if (sub) {
    const [, base, key] = sub;
    if (base === 'metadata.annotations') return invalidEach(p, key.toLowerCase(), isQualifiedName(key.toLowerCase()));
    if (base === 'metadata.labels') return invalidEach(p, key, isQualifiedName(key));
    return [invalidValue(p, base, 'does not support subscript')];
  }
  if (!supported.includes(fieldPath)) return [notSupported(p.child('fieldPath'), fieldPath, [...supported].sort())];
  return [];
}

const containerResourcePaths = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];
const cpuDivisors = ['1m', '1'];
const byteDivisors = ['1', '1k', '1M', '1G', '1T', '1P', '1E', '1Ki', '1Mi', '1Gi', '1Ti', '1Pi', '1Ei'];

/** A resourceFieldRef: a supported resource and a divisor that suits it. */
export function validateResourceFieldSelector(fs: JsonObject, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const resource = str(fs.resource);
  const hugePages = resource.startsWith('requests.hugepages-') || resource.startsWith('limits.hugepages-');
  if (!resource) errs.push(required(p.child('resource')));
  else if (!containerResourcePaths.includes(resource) && !hugePages) errs.push(notSupported(p.child('resource'), resource, containerResourcePaths));
  const divisor = fs.divisor === undefined || fs.divisor === null ? '' : String(fs.divisor);
  const d = divisor ? parseQuantity(divisor) : undefined;
  if (d && d.mantissa !== 0n) {
    const text = divisor;
    const check = (allowed: string[], what: string) => {
      if (!allowed.includes(text)) errs.push(invalidValue(p.child('divisor'), resource, `only divisor's values ${allowed.join(', ')} are supported with the ${what}`));
    };
    if (resource === 'limits.cpu' || resource === 'requests.cpu') {
      if (!cpuDivisors.includes(text)) errs.push(invalidValue(p.child('divisor'), resource, "only divisor's values 1m and 1 are supported with the cpu resource"));
    } else if (resource === 'limits.memory' || resource === 'requests.memory') check(byteDivisors, 'memory resource');
    else if (resource.endsWith('ephemeral-storage')) check(byteDivisors, 'local ephemeral storage resource');
    if (hugePages) check(byteDivisors, 'hugepages resource');
  }
  return errs;
}

function validateProjection(src: JsonObject, p: FieldPath): FieldError[] {
  const errs = validateMode(src.defaultMode, p.child('defaultMode'));
  const seen = new Set<string>();
  const addPath = (path: string, value: unknown) => {
    if (!path) return;
    if (seen.has(path)) errs.push(invalidValue(p, value, 'conflicting duplicate paths'));
    seen.add(path);
  };
  objects(src.sources).forEach((source, i) => {
    const sp = p.child('sources').index(i);
    let count = 0;
    for (const kind of ['secret', 'configMap'] as const) {
      const s = asObject(source[kind]);
      if (!s) continue;
      count++;
      if (!str(s.name)) errs.push(required(sp.child(kind).child('name')));
      objects(s.items).forEach((kp, j) => {
        errs.push(...validateKeyToPath(kp, sp.child(kind).child('items').index(j)));
        addPath(str(kp.path), str(s.name));
      });
    }
    const downward = asObject(source.downwardAPI);
    if (downward) {
      count++;
      for (const file of objects(downward.items)) {
        errs.push(...validateDownwardAPIFile(file, sp.child('downwardAPI')));
        addPath(str(file.path), str(file.path));
      }
    }
    const token = asObject(source.serviceAccountToken);
    if (token) {
      count++;
      const tp = sp.child('serviceAccountToken');
      const exp = typeof token.expirationSeconds === 'number' ? token.expirationSeconds : 0;
      if (exp < 600) errs.push(invalidValue(tp.child('expirationSeconds'), exp, 'may not specify a duration less than 10 minutes'));
      if (exp > 2 ** 32) errs.push(invalidValue(tp.child('expirationSeconds'), exp, 'may not specify a duration larger than 2^32 seconds'));
      if (!str(token.path)) errs.push(required(p.child('path')));
      else errs.push(...validateLocalNonReservedPath(str(token.path), p.child('path')));
    }
    const bundle = asObject(source.clusterTrustBundle);
    if (bundle) {
      count++;
      const bp = sp.child('clusterTrustBundle');
      if (!str(bundle.path)) errs.push(required(bp.child('path')));
      errs.push(...validateLocalNonReservedPath(str(bundle.path), bp.child('path')));
      addPath(str(bundle.path), str(bundle.path));
    }
    if (count > 1) errs.push(forbiddenField(sp, 'may not specify more than 1 volume type per source'));
  });
  return errs;
}

function requireFields(src: JsonObject, p: FieldPath, ...fields: string[]): FieldError[] {
  return fields.filter((f) => !str(src[f]) && !(Array.isArray(src[f]) && src[f].length > 0)).map((f) => required(p.child(f)));
}

function validateCSIDriverName(driver: string, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!driver) errs.push(required(p));
  if (driver.length > 63) errs.push(tooLong(p, 63));
  errs.push(...invalidEach(p, driver, isDNS1123Subdomain(driver.toLowerCase())));
  return errs;
}

/** The checks of one source, keyed by its JSON name (validateVolumeSource's per-type calls). */
const sourceChecks: Record<string, (src: JsonObject, p: FieldPath, volName: string) => FieldError[]> = {
  emptyDir: (src, p) => {
    const limit = src.sizeLimit;
    if (limit === undefined || limit === null) return [];
    return parseQuantity(String(limit)).mantissa < 0n ? [forbiddenField(p.child('sizeLimit'), 'SizeLimit field must be a valid resource quantity')] : [];
  },
  hostPath: (src, p) => {
    if (!str(src.path)) return [required(p.child('path'))];
    const errs = validatePathNoBacksteps(str(src.path), p.child('path'));
    if (typeof src.type === 'string' && !hostPathTypes.includes(src.type)) errs.push(notSupported(p.child('type'), src.type, hostPathTypes));
    return errs;
  },
  gitRepo: (src, p) => [...requireFields(src, p, 'repository'), ...validateLocalDescendingPath(str(src.directory), p.child('directory'))],
  gcePersistentDisk: (src, p) => requireFields(src, p, 'pdName'),
  awsElasticBlockStore: (src, p) => requireFields(src, p, 'volumeID'),
  secret: (src, p) => [...requireFields(src, p, 'secretName'), ...validateMode(src.defaultMode, p.child('defaultMode')), ...validateItems(src.items, p.child('items'))],
  nfs: (src, p) => {
    const errs = requireFields(src, p, 'server', 'path');
    if (!str(src.path).startsWith('/')) errs.push(invalidValue(p.child('path'), str(src.path), 'must be an absolute path'));
    return errs;
  },
  iscsi: (src, p) => requireFields(src, p, 'targetPortal', 'iqn'),
  glusterfs: (src, p) => requireFields(src, p, 'endpoints', 'path'),
  flocker: (src, p) => (!str(src.datasetName) && !str(src.datasetUUID) ? [required(p, 'one of datasetName and datasetUUID is required')] : []),
  persistentVolumeClaim: (src, p) => requireFields(src, p, 'claimName'),
  rbd: (src, p) => requireFields(src, p, 'monitors', 'image'),
  cinder: (src, p) => requireFields(src, p, 'volumeID'),
  cephfs: (src, p) => requireFields(src, p, 'monitors'),
  quobyte: (src, p) => requireFields(src, p, 'volume'),
  downwardAPI: (src, p) => [...validateMode(src.defaultMode, p.child('defaultMode')), ...objects(src.items).flatMap((f) => validateDownwardAPIFile(f, p))],
  fc: (src, p) => ((src.targetWWNs as unknown[] | undefined)?.length || (src.wwids as unknown[] | undefined)?.length
    ? [] : [required(p.child('targetWWNs'), 'must specify either targetWWNs or wwids, but not both')]),
  flexVolume: (src, p) => requireFields(src, p, 'driver'),
  configMap: (src, p) => [...requireFields(src, p, 'name'), ...validateMode(src.defaultMode, p.child('defaultMode')), ...validateItems(src.items, p.child('items'))],
  azureFile: (src, p) => requireFields(src, p, 'secretName', 'shareName'),
  vsphereVolume: (src, p) => requireFields(src, p, 'volumePath'),
  photonPersistentDisk: (src, p) => requireFields(src, p, 'pdID'),
  portworxVolume: (src, p) => requireFields(src, p, 'volumeID'),
  azureDisk: (src, p) => requireFields(src, p, 'diskName', 'diskURI'),
  storageos: (src, p) => (str(src.volumeName) ? invalidEach(p.child('volumeName'), src.volumeName, isDNS1123Label(str(src.volumeName))) : [required(p.child('volumeName'))]),
  projected: (src, p) => validateProjection(src, p),
  scaleIO: (src, p) => requireFields(src, p, 'gateway', 'system', 'volumeName'),
  csi: (src, p) => validateCSIDriverName(str(src.driver), p.child('driver')),
  ephemeral: (src, p) => {
    const template = asObject(src.volumeClaimTemplate);
    if (!template) return [required(p.child('volumeClaimTemplate'))];
    const tp = p.child('volumeClaimTemplate');
    return [...validateTemplateObjectMeta(asObject(template.metadata) ?? {}, tp.child('metadata')), ...validatePVCSpec(asObject(template.spec) ?? {}, tp.child('spec'))];
  },
  image: (src, p) => requireFields(src, p, 'reference'),
};

/** Kubernetes' (historical) path names for the "more than 1 volume type" error. */
const forbiddenPathNames: Record<string, string> = { cephfs: 'cephFS', downwardAPI: 'downwarAPI' };
const validationPathNames: Record<string, string> = { gcePersistentDisk: 'persistentDisk' };
const sourceOrder = [
  'emptyDir', 'hostPath', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'flocker', 'persistentVolumeClaim', 'rbd', 'cinder', 'cephfs', 'quobyte', 'downwardAPI', 'fc', 'flexVolume', 'configMap',
  'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk', 'storageos', 'projected', 'scaleIO',
  'csi', 'ephemeral', 'image',
];

export function validateVolumeSource(v: JsonObject, p: FieldPath, volName: string, podName: string | undefined): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const key of sourceOrder) {
    const src = v[key];
    if (src === undefined || src === null) continue;
    if (count > 0) {
      errs.push(forbiddenField(p.child(forbiddenPathNames[key] ?? key), 'may not specify more than 1 volume type'));
      continue;
    }
    count++;
    errs.push(...sourceChecks[key](asObject(src) ?? {}, p.child(validationPathNames[key] ?? key), volName));
    if (key === 'ephemeral' && podName && volName) {
      const pvcName = `${podName}-${volName}`;
      for (const msg of isDNS1123Subdomain(pvcName)) errs.push(invalidValue(p.child('name'), volName, `PVC name ${JSON.stringify(pvcName)}: ${msg}`));
    }
  }
  if (count === 0) errs.push(required(p, 'must specify a volume type'));
  return errs;
}

/** ValidateVolumes: the valid volumes by name, and every error. */
export function validateVolumes(volumes: unknown, p: FieldPath, podName?: string): ValidatedVolumes {
  const byName = new Map<string, JsonObject>();
  const errs: FieldError[] = [];
  const list = objects(volumes);
  const createdClaims = new Set(podName ? list.filter((v) => v.ephemeral).map((v) => `${podName}-${str(v.name)}`) : []);
  list.forEach((vol, i) => {
    const ip = p.index(i);
    const name = str(vol.name);
    const el = validateVolumeSource(vol, ip, name, podName);
    if (!name) el.push(required(ip.child('name')));
    else el.push(...invalidEach(ip.child('name'), name, isDNS1123Label(name)));
    if (byName.has(name)) el.push(duplicate(ip.child('name'), name));
    if (el.length === 0) byName.set(name, vol);
    else errs.push(...el);
    const claim = asObject(vol.persistentVolumeClaim);
    if (claim && createdClaims.has(str(claim.claimName))) {
      errs.push(invalidValue(ip.child('persistentVolumeClaim').child('claimName'), str(claim.claimName), 'must not reference a PVC that gets created for an ephemeral volume'));
    }
  });
  return { byName, errs };
}
