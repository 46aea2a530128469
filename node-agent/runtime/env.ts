// A container's environment as kubelet builds it (makeEnvironmentVariables): envFrom sources,
// then env entries in order ($(VAR) expanded against what came before and the service links),
// then service link variables for names not already set. Pure: the ConfigMaps, Secrets and
// Services it reads are fetched by the caller (lib/pod-references.ts says which).
import { compareStrings } from '../../lib/go-order.js';
import { parseQuantity, quantityMilliValue, quantityValue } from '../../lib/quantity.js';
import type { Container, EnvVar, ObjectFieldSelector, Pod, ResourceFieldSelector, Service } from '../kube-types.js';

/** A failure kubelet reports as CreateContainerConfigError with this message. */
export class ContainerConfigError extends Error {
  override readonly name = 'ContainerConfigError';
}

export interface KeyValue {
  key: string;
  value: string;
}

/** Data of an object by name; null when it does not exist. Secret values are already decoded. */
export type ObjectData = Map<string, Record<string, string> | null>;

export interface EnvInputs {
  configMaps: ObjectData;
  secrets: ObjectData;
  /** Services for link variables: the pod's namespace (when enabled) and `kubernetes` in default. */
  services: Service[];
  podIPs: string[];
  hostIPs: string[];
  /** Node allocatable, used for resourceFieldRef limits a container does not set. */
  allocatable: Record<string, string>;
}

export interface EnvResult {
  env: KeyValue[];
  /** Events to record (reason, message), e.g. skipped invalid envFrom keys. */
  warnings: { reason: string; message: string }[];
}

/**
 * Kubernetes' $(VAR) expansion: defined names are replaced, undefined ones stay as written,
 * `$$` is a literal `$` (so `$$(VAR)` yields `$(VAR)`).
 */
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const end = input.indexOf(')', i + 2);
      if (end < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, end);
      const value = name ? lookup(name) : undefined;
      out += value ?? `$(${name})`;
      i = end;
    } else {
      out += c;
    }
  }
  return out;
}

/** Env var names kubelet accepts from envFrom (relaxed validation: printable ASCII without '='). */
export function isValidEnvName(name: string): boolean {
  return /^[\x20-\x3c\x3e-\x7e]+$/.test(name);
}

/** The value of a downward API field (kubelet's podFieldSelectorRuntimeValue). */
export function fieldRefValue(pod: Pod, ref: ObjectFieldSelector, podIPs: string[], hostIPs: string[]): string {
  const path = ref.fieldPath;
  const m = pod.metadata ?? {};
  const subscript = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (subscript) {
    const map = subscript[1] === 'labels' ? m.labels : m.annotations;
    return map?.[subscript[2] as string] ?? '';
  }
  switch (path) {
    case 'metadata.name':
      return m.name ?? '';
    case 'metadata.namespace':
      return m.namespace ?? '';
    case 'metadata.uid':
      return m.uid ?? '';
    case 'metadata.labels':
      return formatMap(m.labels);
    case 'metadata.annotations':
      return formatMap(m.annotations);
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP':
      return podIPs[0] ?? '';
    case 'status.podIPs':
      return podIPs.join(',');
    case 'status.hostIP':
      return hostIPs[0] ?? '';
    case 'status.hostIPs':
      return hostIPs.join(',');
    default:
      throw new ContainerConfigError(`unsupported fieldPath: ${path}`);
  }
}

/** `key="value"` lines sorted by key, values quoted as Go's %q: the downward API's map format. */
export function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify((map ?? {})[k])}`)
    .join('\n');
}

/** The value of a resourceFieldRef (kubelet's ExtractContainerResourceValue with node allocatable defaults). */
export function resourceFieldValue(ref: ResourceFieldSelector, container: Container | undefined, allocatable: Record<string, string>): string {
  const [kind, resource] = ref.resource.split('.', 2) as [string, string];
  const list = kind === 'limits' ? { ...pick(allocatable), ...(container?.resources?.limits ?? {}) } : container?.resources?.requests ?? {};
  if (kind !== 'limits' && kind !== 'requests') throw new ContainerConfigError(`unsupported container resource : ${ref.resource}`);
  const raw = list[resource] ?? '0';
  const divisor = parseQuantity(ref.divisor !== undefined ? String(ref.divisor) : '1');
  const q = parseQuantity(raw);
  if (resource === 'cpu') {
    const d = Number(quantityMilliValue(divisor)) || 1;
    return String(Math.ceil(Number(quantityMilliValue(q)) / d));
  }
  if (resource === 'memory' || resource === 'ephemeral-storage' || resource.startsWith('hugepages-')) {
    const d = quantityValue(divisor) || 1;
    return String(Math.ceil(quantityValue(q) / d));
  }
  throw new ContainerConfigError(`unsupported container resource : ${ref.resource}`);
}

/** Node allocatable entries that stand in for unset container limits. */
function pick(allocatable: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['cpu', 'memory', 'ephemeral-storage']) if (allocatable[k] !== undefined) out[k] = allocatable[k] as string;
  return out;
}

/** Kubernetes' service link variables (FOO_SERVICE_HOST, FOO_PORT_80_TCP_ADDR, ...) for one Service. */
export function serviceEnv(svc: Service): KeyValue[] {
  const ip = svc.spec?.clusterIP;
  if (!ip || ip === 'None') return [];
  const name = (svc.metadata?.name ?? '').toUpperCase().replace(/-/g, '_');
  const ports = svc.spec?.ports ?? [];
  const out: KeyValue[] = [{ key: `${name}_SERVICE_HOST`, value: ip }];
  const first = ports[0];
  if (first) out.push({ key: `${name}_SERVICE_PORT`, value: String(first.port) });
  for (const p of ports) {
    if (p.name) out.push({ key: `${name}_SERVICE_PORT_${p.name.toUpperCase().replace(/-/g, '_')}`, value: String(p.port) });
  }
  if (first) {
    const proto = (first.protocol ?? 'TCP').toLowerCase();
    out.push({ key: `${name}_PORT`, value: `${proto}://${ip.includes(':') ? `[${ip}]` : ip}:${first.port}` });
  }
  for (const p of ports) {
    const protoUpper = p.protocol ?? 'TCP';
    const proto = protoUpper.toLowerCase();
    const prefix = `${name}_PORT_${p.port}_${protoUpper}`;
    out.push(
      { key: prefix, value: `${proto}://${ip.includes(':') ? `[${ip}]` : ip}:${p.port}` },
      { key: `${prefix}_PROTO`, value: proto },
      { key: `${prefix}_PORT`, value: String(p.port) },
      { key: `${prefix}_ADDR`, value: ip },
    );
  }
  return out;
}

/** Services whose link variables a pod gets (kubelet's getServiceEnvVarMap). */
export function linkedServices(pod: Pod, services: Service[]): Service[] {
  const ns = pod.metadata?.namespace ?? '';
  const enable = pod.spec?.enableServiceLinks ?? true;
  const byName = new Map<string, Service>();
  for (const s of services) {
    const name = s.metadata?.name ?? '';
    if (!s.spec?.clusterIP || s.spec.clusterIP === 'None') continue;
    if (s.metadata?.namespace === 'default' && name === 'kubernetes') {
      if (!byName.has(name)) byName.set(name, s);
    } else if (s.metadata?.namespace === ns && enable) {
      byName.set(name, s);
    }
  }
  return [...byName.values()].sort((a, b) => compareStrings(a.metadata?.name ?? '', b.metadata?.name ?? ''));
}

function notFound(kind: 'configmap' | 'secret', name: string): ContainerConfigError {
  return new ContainerConfigError(`${kind} "${name}" not found`);
}

function valueFrom(pod: Pod, container: Container, e: EnvVar, inputs: EnvInputs): string | undefined {
  const vf = e.valueFrom;
  if (!vf) return undefined;
  const ns = pod.metadata?.namespace ?? '';
  if (vf.configMapKeyRef) {
    const { name = '', key, optional } = vf.configMapKeyRef;
    const data = inputs.configMaps.get(name);
    if (!data) {
      if (optional) return undefined;
      throw notFound('configmap', name);
    }
    if (!(key in data)) {
      if (optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${key} in ConfigMap ${ns}/${name}`);
    }
    return data[key];
  }
  if (vf.secretKeyRef) {
    const { name = '', key, optional } = vf.secretKeyRef;
    const data = inputs.secrets.get(name);
    if (!data) {
      if (optional) return undefined;
      throw notFound('secret', name);
    }
    if (!(key in data)) {
      if (optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${key} in Secret ${ns}/${name}`);
    }
    return data[key];
  }
  if (vf.fieldRef) return fieldRefValue(pod, vf.fieldRef, inputs.podIPs, inputs.hostIPs);
  if (vf.resourceFieldRef) {
    const target = vf.resourceFieldRef.containerName
      ? [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === vf.resourceFieldRef?.containerName)
      : container;
    return resourceFieldValue(vf.resourceFieldRef, target, inputs.allocatable);
  }
  return undefined;
}

export function makeEnvironment(pod: Pod, container: Container, inputs: EnvInputs): EnvResult {
  const warnings: EnvResult['warnings'] = [];
  const ns = pod.metadata?.namespace ?? '';
  const vars = new Map<string, string>();
  const serviceVars = new Map<string, string>();
  for (const svc of linkedServices(pod, inputs.services)) for (const kv of serviceEnv(svc)) serviceVars.set(kv.key, kv.value);

  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const isConfigMap = !!from.configMapRef;
    const name = ref.name ?? '';
    const data = (isConfigMap ? inputs.configMaps : inputs.secrets).get(name);
    if (!data) {
      if (ref.optional) continue;
      throw notFound(isConfigMap ? 'configmap' : 'secret', name);
    }
    const invalid: string[] = [];
    for (const [k, v] of Object.entries(data)) {
      const key = prefix + k;
      if (!isValidEnvName(key)) {
        invalid.push(key);
        continue;
      }
      vars.set(key, v);
    }
    if (invalid.length) {
      invalid.sort();
      warnings.push({
        reason: 'InvalidEnvironmentVariableNames',
        message: `Keys [${invalid.join(', ')}] from the EnvFrom ${isConfigMap ? 'configMap' : 'secret'} ${ns}/${name} were skipped since they are considered invalid environment variable names.`,
      });
    }
  }

  const lookup = (n: string): string | undefined => vars.get(n) ?? serviceVars.get(n);
  for (const e of container.env ?? []) {
    let value: string | undefined;
    if (e.value !== undefined && e.value !== '') value = expand(e.value, lookup);
    else if (e.valueFrom) {
      value = valueFrom(pod, container, e, inputs);
      if (value === undefined) continue;
    } else value = '';
    vars.set(e.name, value);
  }
  const env: KeyValue[] = [...vars].map(([key, value]) => ({ key, value }));
  for (const [key, value] of serviceVars) if (!vars.has(key)) env.push({ key, value });
  return { env, warnings };
}

/** Command and args with $(VAR) expanded against the final environment. */
export function expandCommand(container: Container, env: KeyValue[]): { command: string[]; args: string[] } {
  const map = new Map(env.map((kv) => [kv.key, kv.value]));
  const lookup = (n: string): string | undefined => map.get(n);
  return {
    command: (container.command ?? []).map((c) => expand(c, lookup)),
    args: (container.args ?? []).map((a) => expand(a, lookup)),
  };
}
