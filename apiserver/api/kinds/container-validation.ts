// Containers of a pod spec (regular, init and ephemeral) as core validation checks them: names,
// image, ports, env, mounts, resources, probes, lifecycle hooks and security context, with
// Kubernetes' messages and paths. Shared by pods and every pod template.
import {
  duplicate, forbiddenField, GoValue, invalidEach, invalidValue, notFoundField, notSupported, required,
  type FieldError, type FieldPath,
} from '../field-errors.js';
import {
  compareQuantities, formatQuantity, isNegative, parseQuantity, quantityMilliValue, tryParseQuantity, type Quantity,
} from '../../../lib/quantity.js';
import {
  isConfigMapKey, isDNS1123Label, isDNS1123Subdomain, isValidPortName, isValidPortNum,
} from '../validation/names.js';
import { validateContainerResourceName } from './common.js';
import { goStruct } from './go-format.js';
import { asObject, num, objects, str, strings, type JsonObject } from './json.js';
import { isHugePageResourceName, isIntegerResourceName, isOvercommitAllowed } from './resource-names.js';
import {
  validateLocalDescendingPath, validateObjectFieldSelector, validatePathNoBacksteps, validateResourceFieldSelector,
} from './volume-validation.js';

export const isNegativeErrorMsg = 'must be greater than or equal to 0';
const protocols = ['SCTP', 'TCP', 'UDP'];
const pullPolicies = ['Always', 'IfNotPresent', 'Never'];
const terminationMessagePolicies = ['File', 'FallbackToLogsOnError'];
const envFieldPaths = [
  'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName',
  'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
];

/** What the containers of one spec share: volumes, claims and the pod-level settings they depend on. */
export interface ContainerContext {
  volumes: Map<string, JsonObject>;
  claimNames: Set<string>;
  /** terminationGracePeriodSeconds of the pod (sleep hooks must fit in it). */
  gracePeriod: number | undefined;
  restartPolicy: string;
  hostUsers: boolean;
}

export function validateNonnegative(v: unknown, p: FieldPath): FieldError[] {
  return typeof v === 'number' && v < 0 ? [invalidValue(p, v, isNegativeErrorMsg)] : [];
}

/** The %#v text of a resource.Quantity (what "must be an integer" shows). */
function goQuantity(q: Quantity, text: string): GoValue {
  return new GoValue(`resource.Quantity{i:resource.int64Amount{value:${q.mantissa}, scale:${q.exponent}}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:${JSON.stringify(text)}, Format:${JSON.stringify(q.format)}}`);
}

// ---- ports, env, mounts ----------------------------------------------------------------

export function validateContainerPorts(ports: unknown, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  objects(ports).forEach((port, i) => {
    const ip = p.index(i);
    const name = str(port.name);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length) errs.push(...invalidEach(ip.child('name'), name, msgs));
      else if (names.has(name)) errs.push(duplicate(ip.child('name'), name));
      else names.add(name);
    }
    const containerPort = num(port.containerPort) ?? 0;
    if (containerPort === 0) errs.push(required(ip.child('containerPort')));
    else errs.push(...invalidEach(ip.child('containerPort'), containerPort, isValidPortNum(containerPort)));
    const hostPort = num(port.hostPort) ?? 0;
    if (hostPort !== 0) errs.push(...invalidEach(ip.child('hostPort'), hostPort, isValidPortNum(hostPort)));
    const protocol = str(port.protocol);
    if (!protocol) errs.push(required(ip.child('protocol')));
    else if (!protocols.includes(protocol)) errs.push(notSupported(ip.child('protocol'), protocol, protocols));
  });
  return errs;
}

/** IsRelaxedEnvVarName (RelaxedEnvironmentVariableValidation is on in 1.32). */
function envVarNameErrors(name: string): string[] {
  const errs: string[] = [];
  if (name.length === 0) errs.push('environment variable name must be non-empty');
  if ([...name].some((ch) => ch.charCodeAt(0) > 126 || ch.charCodeAt(0) < 32 || ch === '=')) {
    errs.push("a valid environment variable name must consist only of printable ASCII characters other than '='");
  }
  return errs;
}

function validateKeySelector(s: JsonObject, p: FieldPath): FieldError[] {
  const errs = invalidEach(p.child('name'), str(s.name), isDNS1123Subdomain(str(s.name)));
  const key = str(s.key);
  if (!key) errs.push(required(p.child('key')));
  else errs.push(...invalidEach(p.child('key'), key, isConfigMapKey(key)));
  return errs;
}

function validateEnvVarValueFrom(ev: JsonObject, p: FieldPath): FieldError[] {
  const from = asObject(ev.valueFrom);
  if (!from) return [];
  const errs: FieldError[] = [];
  let sources = 0;
  const fieldRef = asObject(from.fieldRef);
  if (fieldRef) {
    sources++;
    errs.push(...validateObjectFieldSelector(fieldRef, envFieldPaths, p.child('fieldRef')));
  }
  const resourceRef = asObject(from.resourceFieldRef);
  if (resourceRef) {
    sources++;
    errs.push(...validateResourceFieldSelector(resourceRef, p.child('resourceFieldRef')));
  }
  for (const key of ['configMapKeyRef', 'secretKeyRef']) {
    const sel = asObject(from[key]);
    if (!sel) continue;
    sources++;
    errs.push(...validateKeySelector(sel, p.child(key)));
  }
  if (sources === 0) errs.push(invalidValue(p, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  else if (str(ev.value)) errs.push(invalidValue(p, '', 'may not be specified when `value` is not empty'));
  else if (sources > 1) errs.push(invalidValue(p, '', 'may not have more than one field specified at a time'));
  return errs;
}

export function validateEnv(env: unknown, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  objects(env).forEach((ev, i) => {
    const ip = p.index(i);
    const name = str(ev.name);
    if (!name) errs.push(required(ip.child('name')));
    else errs.push(...invalidEach(ip.child('name'), name, envVarNameErrors(name)));
    errs.push(...validateEnvVarValueFrom(ev, ip.child('valueFrom')));
  });
  return errs;
}

export function validateEnvFrom(envFrom: unknown, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  objects(envFrom).forEach((ev, i) => {
    const ip = p.index(i);
    const prefix = str(ev.prefix);
    if (prefix) errs.push(...invalidEach(ip.child('prefix'), prefix, envVarNameErrors(prefix)));
    let sources = 0;
    for (const key of ['configMapRef', 'secretRef']) {
      const ref = asObject(ev[key]);
      if (!ref) continue;
      sources++;
      const name = str(ref.name);
      if (!name) errs.push(required(ip.child(key).child('name')));
      else errs.push(...invalidEach(ip.child(key).child('name'), name, isDNS1123Subdomain(name.endsWith('-') ? `${name}a` : name)));
    }
    if (sources === 0) errs.push(invalidValue(p, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1) errs.push(invalidValue(p, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

const propagationModes = ['Bidirectional', 'HostToContainer', 'None'];
const recursiveReadOnlyModes = ['Disabled', 'Enabled', 'IfPossible'];

function validateVolumeMounts(c: JsonObject, volumes: Map<string, JsonObject>, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const devices = new Map(objects(c.volumeDevices).map((d) => [str(d.name), str(d.devicePath)]));
  const devicePaths = new Set(devices.values());
  const mountPaths = new Set<string>();
  const privileged = asObject(c.securityContext)?.privileged === true;
  objects(c.volumeMounts).forEach((m, i) => {
    const ip = p.index(i);
    const name = str(m.name);
    const mountPath = str(m.mountPath);
    if (!name) errs.push(required(ip.child('name')));
    if (!volumes.has(name)) errs.push(notFoundField(ip.child('name'), name));
    if (!mountPath) errs.push(required(ip.child('mountPath')));
    if (mountPaths.has(mountPath)) errs.push(invalidValue(ip.child('mountPath'), mountPath, 'must be unique'));
    mountPaths.add(mountPath);
    if (devices.has(name)) errs.push(invalidValue(ip.child('name'), name, 'must not already exist in volumeDevices'));
    if (devicePaths.has(mountPath)) errs.push(invalidValue(ip.child('mountPath'), mountPath, 'must not already exist as a path in volumeDevices'));
    const subPath = str(m.subPath);
    const subPathExpr = str(m.subPathExpr);
    // Kubernetes reports these on the list path, not the item's.
    if (subPath) errs.push(...validateLocalDescendingPath(subPath, p.child('subPath')));
    if (subPathExpr) {
      if (subPath) errs.push(invalidValue(ip.child('subPathExpr'), subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...validateLocalDescendingPath(subPathExpr, p.child('subPathExpr')));
    }
    const propagation = m.mountPropagation;
    if (typeof propagation === 'string') {
      if (!propagationModes.includes(propagation)) errs.push(notSupported(p.child('mountPropagation'), propagation, propagationModes));
      if (propagation === 'Bidirectional' && !privileged) {
        errs.push(forbiddenField(p.child('mountPropagation'), 'Bidirectional mount propagation is available only to privileged containers'));
      }
    }
    const rro = m.recursiveReadOnly;
    if (typeof rro === 'string' && rro !== 'Disabled') {
      const rp = p.child('recursiveReadOnly');
      if (!recursiveReadOnlyModes.includes(rro)) errs.push(notSupported(rp, rro, recursiveReadOnlyModes));
      else {
        if (m.readOnly !== true) errs.push(forbiddenField(rp, 'may only be specified when readOnly is true'));
        if (typeof propagation === 'string' && propagation !== 'None') {
          errs.push(forbiddenField(rp, 'may only be specified when mountPropagation is None or not specified'));
        }
      }
    }
  });
  return errs;
}

function validateVolumeDevices(c: JsonObject, volumes: Map<string, JsonObject>, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const mounts = new Map(objects(c.volumeMounts).map((m) => [str(m.name), str(m.mountPath)]));
  const mountPaths = new Set(mounts.values());
  const names = new Set<string>();
  const paths = new Set<string>();
  objects(c.volumeDevices).forEach((d, i) => {
    const ip = p.index(i);
    const name = str(d.name);
    const devicePath = str(d.devicePath);
    const vol = volumes.get(name);
    if (!name) errs.push(required(ip.child('name')));
    if (names.has(name)) errs.push(invalidValue(ip.child('name'), name, 'must be unique'));
    if (vol && !vol.persistentVolumeClaim && !vol.ephemeral) {
      errs.push(invalidValue(ip.child('name'), name, 'can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode'));
    }
    if (!vol) errs.push(notFoundField(ip.child('name'), name));
    if (!devicePath) errs.push(required(ip.child('devicePath')));
    if (paths.has(devicePath)) errs.push(invalidValue(ip.child('devicePath'), devicePath, 'must be unique'));
    if (devicePath && validatePathNoBacksteps(devicePath, p).length > 0) {
      errs.push(invalidValue(ip.child('devicePath'), devicePath, "can not contain backsteps ('..')"));
    } else paths.add(devicePath);
    if (mounts.has(name)) errs.push(invalidValue(ip.child('name'), name, 'must not already exist in volumeMounts'));
    if (mountPaths.has(devicePath)) errs.push(invalidValue(ip.child('devicePath'), devicePath, 'must not already exist as a path in volumeMounts'));
    if (name) names.add(name);
  });
  return errs;
}

// ---- resources ---------------------------------------------------------------------------

/** ValidateResourceQuantityValue: not negative, and whole for integral resources. */
export function validateResourceQuantityValue(name: string, q: Quantity, text: string, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (isNegative(q)) errs.push(invalidValue(p, formatQuantity(q), isNegativeErrorMsg));
  if (isIntegerResourceName(name) && quantityMilliValue(q) % 1000n !== 0n) errs.push(invalidValue(p, goQuantity(q, text), 'must be an integer'));
  return errs;
}

function hugePageErrors(name: string, q: Quantity): string[] {
  const size = parseQuantity(name.slice('hugepages-'.length).trim() || 'x');
  const page = quantityMilliValue(size);
  if (page === 0n || quantityMilliValue(q) % page !== 0n) return [`${formatQuantity(q)} is not positive integer multiple of ${name}`];
  return [];
}

function safeHugePageErrors(name: string, q: Quantity): string[] {
  try {
    return hugePageErrors(name, q);
  } catch {
    return [`${formatQuantity(q)} is not positive integer multiple of ${name}`];
  }
}

/** A resource list's quantities (values that are not quantities were refused when decoding). */
function parsedList(list: unknown): Map<string, { q: Quantity; text: string }> {
  const out = new Map<string, { q: Quantity; text: string }>();
  for (const [k, v] of Object.entries(asObject(list) ?? {})) {
    const q = tryParseQuantity(v);
    if (q) out.set(k, { q, text: String(v) });
  }
  return out;
}

export function validateResourceRequirements(resources: unknown, claimNames: Set<string>, p: FieldPath): FieldError[] {
  const r = asObject(resources) ?? {};
  const errs: FieldError[] = [];
  const limPath = p.child('limits');
  const reqPath = p.child('requests');
  const limits = parsedList(r.limits);
  const requests = parsedList(r.requests);
  let cpuOrMemory = false;
  let hugePages = false;
  for (const [name, { q, text }] of limits) {
    const fp = limPath.key(name);
    errs.push(...validateContainerResourceName(name, fp));
    errs.push(...validateResourceQuantityValue(name, q, text, fp));
    if (isHugePageResourceName(name)) {
      hugePages = true;
      errs.push(...invalidEach(fp, formatQuantity(q), safeHugePageErrors(name, q)));
    }
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
  }
  for (const [name, { q, text }] of requests) {
    const fp = reqPath.key(name);
    errs.push(...validateContainerResourceName(name, fp));
    errs.push(...validateResourceQuantityValue(name, q, text, fp));
    const limit = limits.get(name);
    if (limit) {
      const c = compareQuantities(q, limit.q);
      if (c !== 0 && !isOvercommitAllowed(name)) {
        errs.push(invalidValue(reqPath, formatQuantity(q), `must be equal to ${name} limit of ${formatQuantity(limit.q)}`));
      } else if (c > 0) {
        errs.push(invalidValue(reqPath, formatQuantity(q), `must be less than or equal to ${name} limit of ${formatQuantity(limit.q)}`));
      }
    } else if (!isOvercommitAllowed(name)) {
      errs.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
    if (isHugePageResourceName(name)) {
      hugePages = true;
      errs.push(...invalidEach(fp, formatQuantity(q), safeHugePageErrors(name, q)));
    }
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
  }
  if (!cpuOrMemory && hugePages) errs.push(forbiddenField(p, 'HugePages require cpu or memory'));
  const seen = new Set<string>();
  objects(r.claims).forEach((claim, i) => {
    const name = str(claim.name);
    const cp = p.child('claims').index(i);
    if (!name) return errs.push(required(cp));
    const request = str(claim.request);
    const key = request ? `${name}/${request}` : name;
    if (seen.has(name) || seen.has(key)) errs.push(duplicate(cp, key));
    if (request) errs.push(...invalidEach(cp.child('request'), request, isDNS1123Label(request)));
    seen.add(key);
    if (!claimNames.has(name)) {
      const known = [...claimNames].sort();
      const e = notFoundField(cp, name);
      const detail = `must be one of the names in pod.spec.resourceClaims${known.length ? `: ${known.join(', ')}` : ' which is empty'}`;
      errs.push({ ...e, body: `${e.body}: ${detail}` });
    }
  });
  return errs;
}

const resizeResources = ['cpu', 'memory'];
const resizePolicies = ['NotRequired', 'RestartContainer'];

function validateResizePolicy(list: unknown, p: FieldPath, podRestartPolicy: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  objects(list).forEach((policy, i) => {
    const name = str(policy.resourceName);
    const restart = str(policy.restartPolicy);
    if (seen.has(name)) errs.push(duplicate(p.index(i), name));
    seen.add(name);
    if (!name) errs.push(required(p));
    else if (!resizeResources.includes(name)) errs.push(notSupported(p, name, resizeResources));
    if (!restart) errs.push(required(p));
    else if (!resizePolicies.includes(restart)) errs.push(notSupported(p, restart, resizePolicies));
    if (podRestartPolicy === 'Never' && restart !== 'NotRequired') {
      errs.push(invalidValue(p, restart, "must be 'NotRequired' when `restartPolicy` is 'Never'"));
    }
  });
  return errs;
}

// ---- probes and hooks --------------------------------------------------------------------

export function validatePortNumOrName(port: unknown, p: FieldPath): FieldError[] {
  if (typeof port === 'string') return invalidEach(p, port, isValidPortName(port));
  const n = typeof port === 'number' ? port : 0;
  return invalidEach(p, n, isValidPortNum(n));
}

const httpSchemes = ['HTTP', 'HTTPS'];
const headerName = /^[-A-Za-z0-9]+$/;

const handlerChecks: Record<string, (h: JsonObject, p: FieldPath, ctx: ContainerContext) => FieldError[]> = {
  exec: (h, p) => (strings(h.command).length === 0 ? [required(p.child('command'))] : []),
  httpGet: (h, p) => {
    const errs: FieldError[] = [];
    if (!str(h.path)) errs.push(required(p.child('path')));
    errs.push(...validatePortNumOrName(h.port, p.child('port')));
    if (!httpSchemes.includes(str(h.scheme))) errs.push(notSupported(p.child('scheme'), str(h.scheme), httpSchemes));
    for (const header of objects(h.httpHeaders)) {
      const name = str(header.name);
      if (!headerName.test(name)) {
        errs.push(invalidValue(p.child('httpHeaders'), name, "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')"));
      }
    }
    return errs;
  },
  tcpSocket: (h, p) => validatePortNumOrName(h.port, p.child('port')),
  grpc: (h, p) => validatePortNumOrName(typeof h.port === 'number' ? h.port : 0, p.child('port')),
  sleep: (h, p, ctx) => {
    const seconds = num(h.seconds) ?? 0;
    const grace = ctx.gracePeriod;
    if (grace !== undefined && (seconds <= 0 || seconds > grace)) {
      return [invalidValue(p, seconds, `must be greater than 0 and less than terminationGracePeriodSeconds (${grace}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`)];
    }
    return [];
  },
};

function validateHandler(h: JsonObject, kinds: readonly string[], p: FieldPath, ctx: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const kind of kinds) {
    const spec = asObject(h[kind]);
    if (!spec) continue;
    if (count > 0) {
      errs.push(forbiddenField(p.child(kind), 'may not specify more than 1 handler type'));
      continue;
    }
    count++;
    errs.push(...handlerChecks[kind](spec, p.child(kind), ctx));
  }
  if (count === 0) errs.push(required(p, 'must specify a handler type'));
  return errs;
}

function validateProbe(probe: JsonObject, p: FieldPath, ctx: ContainerContext): FieldError[] {
  const errs = validateHandler(probe, ['exec', 'httpGet', 'tcpSocket', 'grpc'], p, ctx);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    errs.push(...validateNonnegative(probe[f], p.child(f)));
  }
  const grace = num(probe.terminationGracePeriodSeconds);
  if (grace !== undefined && grace <= 0) errs.push(invalidValue(p.child('terminationGracePeriodSeconds'), grace, 'must be greater than 0'));
  return errs;
}

function validateProbes(c: JsonObject, p: FieldPath, ctx: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  const liveness = asObject(c.livenessProbe);
  if (liveness) {
    errs.push(...validateProbe(liveness, p.child('livenessProbe'), ctx));
    if ((num(liveness.successThreshold) ?? 0) !== 1) errs.push(invalidValue(p.child('livenessProbe').child('successThreshold'), num(liveness.successThreshold) ?? 0, 'must be 1'));
  }
  const readiness = asObject(c.readinessProbe);
  if (readiness) {
    errs.push(...validateProbe(readiness, p.child('readinessProbe'), ctx));
    if (readiness.terminationGracePeriodSeconds !== undefined && readiness.terminationGracePeriodSeconds !== null) {
      errs.push(invalidValue(p.child('readinessProbe').child('terminationGracePeriodSeconds'), readiness.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
    }
  }
  const startup = asObject(c.startupProbe);
  if (startup) {
    errs.push(...validateProbe(startup, p.child('startupProbe'), ctx));
    if ((num(startup.successThreshold) ?? 0) !== 1) errs.push(invalidValue(p.child('startupProbe').child('successThreshold'), num(startup.successThreshold) ?? 0, 'must be 1'));
  }
  return errs;
}

function validateLifecycle(lifecycle: JsonObject, p: FieldPath, ctx: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  for (const hook of ['postStart', 'preStop']) {
    const h = asObject(lifecycle[hook]);
    if (h) errs.push(...validateHandler(h, ['exec', 'httpGet', 'tcpSocket', 'sleep'], p.child(hook), ctx));
  }
  return errs;
}

// ---- security context --------------------------------------------------------------------

const maxID = 2147483647;
const seccompTypes = ['Localhost', 'RuntimeDefault', 'Unconfined'];
const appArmorTypes = ['Localhost', 'RuntimeDefault', 'Unconfined'];

export function validateIDs(sc: JsonObject, p: FieldPath, fields: readonly string[]): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of fields) {
    const v = num(sc[f]);
    if (v !== undefined && (v < 0 || v > maxID)) errs.push(invalidValue(p.child(f), v, `must be between 0 and ${maxID}, inclusive`));
  }
  return errs;
}

export function validateSeccompProfile(sp: JsonObject | undefined, p: FieldPath): FieldError[] {
  if (!sp) return [];
  const errs: FieldError[] = [];
  const type = str(sp.type);
  if (!type) errs.push(required(p.child('type'), 'type is required when seccompProfile is set'));
  else if (!seccompTypes.includes(type)) errs.push(notSupported(p.child('type'), type, seccompTypes));
  if (type === 'Localhost') {
    if (typeof sp.localhostProfile !== 'string') errs.push(required(p.child('localhostProfile'), 'must be set when seccomp type is Localhost'));
    else errs.push(...validateLocalDescendingPath(sp.localhostProfile, p.child('localhostProfile')));
  } else if (sp.localhostProfile !== undefined && sp.localhostProfile !== null) {
    errs.push(invalidValue(p.child('localhostProfile'), goStruct('core.SeccompProfile', sp), 'can only be set when seccomp type is Localhost'));
  }
  return errs;
}

export function validateAppArmorProfile(ap: JsonObject | undefined, p: FieldPath): FieldError[] {
  if (!ap) return [];
  const type = str(ap.type);
  if (type === 'Localhost') {
    const profile = ap.localhostProfile;
    if (typeof profile !== 'string' || profile.trim() === '') return [required(p.child('localhostProfile'), 'must be set when AppArmor type is Localhost')];
    if (profile.trim() !== profile) return [invalidValue(p.child('localhostProfile'), profile, 'must not be padded with whitespace')];
    return [];
  }
  if (type === 'RuntimeDefault' || type === 'Unconfined') {
    return ap.localhostProfile !== undefined && ap.localhostProfile !== null
      ? [invalidValue(p.child('localhostProfile'), ap.localhostProfile, 'can only be set when AppArmor type is Localhost')] : [];
  }
  if (!type) return [required(p.child('type'), 'type is required when appArmorProfile is set')];
  return [notSupported(p.child('type'), type, appArmorTypes)];
}

function validateSecurityContext(scv: unknown, p: FieldPath, hostUsers: boolean): FieldError[] {
  const sc = asObject(scv);
  if (!sc) return [];
  const errs = validateIDs(sc, p, ['runAsUser', 'runAsGroup']);
  const procMount = sc.procMount;
  if (typeof procMount === 'string') {
    if (procMount !== 'Default' && procMount !== 'Unmasked') errs.push(notSupported(p.child('procMount'), procMount, ['Default', 'Unmasked']));
    if (hostUsers && procMount === 'Unmasked') errs.push(invalidValue(p.child('procMount'), procMount, '`hostUsers` must be false to use `Unmasked`'));
  }
  errs.push(...validateSeccompProfile(asObject(sc.seccompProfile), p.child('seccompProfile')));
  if (sc.allowPrivilegeEscalation === false) {
    if (sc.privileged === true) errs.push(invalidValue(p, goStruct('core.SecurityContext', sc), 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
    if (strings(asObject(sc.capabilities)?.add).includes('CAP_SYS_ADMIN')) {
      errs.push(invalidValue(p, goStruct('core.SecurityContext', sc), 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN'));
    }
  }
  errs.push(...validateAppArmorProfile(asObject(sc.appArmorProfile), p.child('appArmorProfile')));
  return errs;
}

// ---- containers --------------------------------------------------------------------------

/** validateContainerCommon: what every kind of container must satisfy. */
function validateContainerCommon(c: JsonObject, p: FieldPath, ctx: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(c.name);
  if (!name) errs.push(required(p.child('name')));
  else errs.push(...invalidEach(p.child('name'), name, isDNS1123Label(name)));
  if (!str(c.image)) errs.push(required(p.child('image')));
  const tmp = str(c.terminationMessagePolicy);
  if (!tmp) errs.push(required(p.child('terminationMessagePolicy')));
  else if (!terminationMessagePolicies.includes(tmp)) errs.push(notSupported(p.child('terminationMessagePolicy'), tmp, terminationMessagePolicies));
  errs.push(...validateContainerPorts(c.ports, p.child('ports')));
  errs.push(...validateEnv(c.env, p.child('env')));
  errs.push(...validateEnvFrom(c.envFrom, p.child('envFrom')));
  errs.push(...validateVolumeMounts(c, ctx.volumes, p.child('volumeMounts')));
  errs.push(...validateVolumeDevices(c, ctx.volumes, p.child('volumeDevices')));
  const pull = str(c.imagePullPolicy);
  if (!pull) errs.push(required(p.child('imagePullPolicy')));
  else if (!pullPolicies.includes(pull)) errs.push(notSupported(p.child('imagePullPolicy'), pull, pullPolicies));
  errs.push(...validateResourceRequirements(c.resources, ctx.claimNames, p.child('resources')));
  errs.push(...validateResizePolicy(c.resizePolicy, p.child('resizePolicy'), ctx.restartPolicy));
  errs.push(...validateSecurityContext(c.securityContext, p.child('securityContext'), ctx.hostUsers));
  return errs;
}

/** Host ports may not repeat across the given containers (protocol/hostIP/port). */
function checkHostPortConflicts(containers: JsonObject[], p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((c, ci) => {
    objects(c.ports).forEach((port, pi) => {
      const hostPort = num(port.hostPort) ?? 0;
      if (hostPort === 0) return;
      const key = `${str(port.protocol)}/${str(port.hostIP)}/${hostPort}`;
      if (seen.has(key)) errs.push(duplicate(p.index(ci).child('ports').index(pi).child('hostPort'), key));
      else seen.add(key);
    });
  });
  return errs;
}

export function validateContainers(containers: unknown, p: FieldPath, ctx: ContainerContext): FieldError[] {
  const list = objects(containers);
  if (list.length === 0) return [required(p)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  list.forEach((c, i) => {
    const cp = p.index(i);
    errs.push(...validateContainerCommon(c, cp, ctx));
    const name = str(c.name);
    if (names.has(name)) errs.push(duplicate(cp.child('name'), name));
    else names.add(name);
    const lifecycle = asObject(c.lifecycle);
    if (lifecycle) errs.push(...validateLifecycle(lifecycle, cp.child('lifecycle'), ctx));
    errs.push(...validateProbes(c, cp, ctx));
    if (c.restartPolicy !== undefined && c.restartPolicy !== null) errs.push(forbiddenField(cp.child('restartPolicy'), 'may not be set for non-init containers'));
  });
  errs.push(...checkHostPortConflicts(list, p));
  return errs;
}

export function validateInitContainers(init: unknown, regular: unknown, p: FieldPath, ctx: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set(objects(regular).map((c) => str(c.name)));
  objects(init).forEach((c, i) => {
    const cp = p.index(i);
    errs.push(...validateContainerCommon(c, cp, ctx));
    let restartable = false;
    if (c.restartPolicy !== undefined && c.restartPolicy !== null) {
      const rp = str(c.restartPolicy);
      if (rp !== 'Always') errs.push(notSupported(cp.child('restartPolicy'), rp, ['Always']));
      restartable = rp === 'Always';
    }
    const name = str(c.name);
    if (names.has(name)) errs.push(duplicate(cp.child('name'), name));
    else if (name) names.add(name);
    // Init containers run one at a time, so host ports are checked one container at a time.
    errs.push(...checkHostPortConflicts([c], p));
    if (restartable) {
      const lifecycle = asObject(c.lifecycle);
      if (lifecycle) errs.push(...validateLifecycle(lifecycle, cp.child('lifecycle'), ctx));
      errs.push(...validateProbes(c, cp, ctx));
    } else {
      for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (c[f] !== undefined && c[f] !== null) errs.push(forbiddenField(cp.child(f), 'may not be set for init containers without restartPolicy=Always'));
      }
    }
    if (Array.isArray(c.resizePolicy) && c.resizePolicy.length > 0) {
      errs.push(invalidValue(cp.child('resizePolicy'), goStruct('[]core.ContainerResizePolicy', c.resizePolicy), 'must not be set for init containers'));
    }
  });
  return errs;
}

const ephemeralForbidden = ['ports', 'resources', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle'];

export function validateEphemeralContainers(eph: unknown, init: unknown, regular: unknown, p: FieldPath, ctx: ContainerContext): FieldError[] {
  const list = objects(eph);
  if (list.length === 0) return [];
  const errs: FieldError[] = [];
  const others = new Set([...objects(regular), ...objects(init)].map((c) => str(c.name)));
  const all = new Set(others);
  list.forEach((c, i) => {
    const cp = p.index(i);
    errs.push(...validateContainerCommon(c, cp, ctx));
    const name = str(c.name);
    if (all.has(name)) errs.push(duplicate(cp.child('name'), name));
    else all.add(name);
    const target = str(c.targetContainerName);
    if (target && !others.has(target)) errs.push(notFoundField(cp.child('targetContainerName'), target));
    for (const f of ephemeralForbidden) {
      const v = c[f];
      const empty = v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (asObject(v) && Object.keys(asObject(v)!).length === 0);
      if (!empty) errs.push(forbiddenField(cp.child(f), 'cannot be set for an Ephemeral Container'));
    }
    objects(c.volumeMounts).forEach((m, mi) => {
      if (str(m.subPath)) errs.push(forbiddenField(cp.child('volumeMounts').index(mi).child('subPath'), 'cannot be set for an Ephemeral Container'));
      if (str(m.subPathExpr)) errs.push(forbiddenField(cp.child('volumeMounts').index(mi).child('subPathExpr'), 'cannot be set for an Ephemeral Container'));
    });
  });
  return errs;
}

/** validateContainerOnlyForPod: pods (not templates) may not pad images with whitespace. */
export function validateImageWhitespace(containers: unknown, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  objects(containers).forEach((c, i) => {
    const image = str(c.image);
    if (image.trim() !== image) errs.push(invalidValue(p.index(i).child('image'), image, 'must not have leading or trailing whitespace'));
  });
  return errs;
}
