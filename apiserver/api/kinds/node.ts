// Nodes: any field, status included, may be set on create; pod CIDRs and the provider ID are
// set once; taints are validated with Kubernetes' (quirky) metadata.taints path.
import {
  duplicate, forbiddenField, GoValue, goStrings, invalidEach, invalidValue, notSupported, path, required, type FieldError, type FieldPath,
} from '../field-errors.js';
import { clone, type KubeObject } from '../object.js';
import type { Strategy } from '../resource.js';
import { age, ageColumn, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';
import { ipFamilyOf, validateCIDR } from '../validation/ip.js';
import { isLabelValue, isQualifiedName } from '../validation/names.js';
import { canonicalizeResourceList, validateResourceQuantity } from './common.js';

interface Taint {
  key?: string;
  value?: string;
  effect?: string;
  timeAdded?: string;
}

interface NodeAddress {
  type?: string;
  address?: string;
}

interface NodeSpec {
  podCIDR?: string;
  podCIDRs?: string[];
  providerID?: string;
  unschedulable?: boolean;
  taints?: Taint[];
  externalID?: string;
}

interface NodeStatus {
  capacity?: Record<string, string>;
  allocatable?: Record<string, string>;
  conditions?: Array<{ type?: string; status?: string }>;
  addresses?: NodeAddress[];
  nodeInfo?: { kubeletVersion?: string; osImage?: string; kernelVersion?: string; containerRuntimeVersion?: string };
}

type Node = KubeObject & { spec?: NodeSpec; status?: NodeStatus };

export const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** A taint as Go's %#v prints the internal type in a duplicate error. */
function taintValue(t: Taint): GoValue {
  const time = t.timeAdded ? `time.Date(${t.timeAdded})` : '(*v1.Time)(nil)';
  return new GoValue(`core.Taint{Key:${JSON.stringify(t.key ?? '')}, Value:${JSON.stringify(t.value ?? '')}, Effect:${JSON.stringify(t.effect ?? '')}, TimeAdded:${time}}`);
}

/** Taint keys and values, effects, and uniqueness by key and effect (validateNodeTaints). */
export function validateTaints(taints: Taint[], p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  taints.forEach((t, i) => {
    const tp = p.index(i);
    errs.push(...invalidEach(tp.child('key'), t.key ?? '', isQualifiedName(t.key ?? '')));
    const valueErrs = isLabelValue(t.value ?? '');
    if (valueErrs.length) errs.push(invalidValue(tp.child('value'), t.value ?? '', valueErrs.join(';')));
    if (!t.effect) errs.push(required(tp.child('effect')));
    else if (!taintEffects.includes(t.effect)) errs.push(notSupported(tp.child('effect'), t.effect, taintEffects));
    const id = `${t.effect}\u0000${t.key}`;
    if (seen.has(id)) {
      const d = duplicate(tp, taintValue(t));
      errs.push({ ...d, body: `${d.body}: taints must be unique by key and effect pair` });
      return;
    }
    seen.add(id);
  });
  return errs;
}

function validateNodeResources(node: Node): FieldError[] {
  const errs: FieldError[] = [];
  for (const field of ['capacity', 'allocatable'] as const) {
    for (const [k, v] of Object.entries(node.status?.[field] ?? {})) {
      errs.push(...validateResourceQuantity(k, v, path('status', field, k)));
    }
  }
  return errs;
}

function validateNode(node: Node): FieldError[] {
  const spec = node.spec ?? {};
  // Kubernetes reports taint errors under metadata, not spec.
  const errs = validateTaints(spec.taints ?? [], path('metadata', 'taints'));
  errs.push(...validateNodeResources(node));
  const cidrs = spec.podCIDRs ?? [];
  const cp = path('spec', 'podCIDRs');
  cidrs.forEach((c, i) => errs.push(...validateCIDR(cp.index(i), c)));
  if (cidrs.length > 1) {
    const families = cidrs.map(ipFamilyOf);
    if (cidrs.length > 2 || families[0] === families[1]) {
      errs.push(invalidValue(cp, goStrings(cidrs), 'may specify no more than one CIDR for each IP family'));
    }
    const seen = new Set<string>();
    cidrs.forEach((c, i) => {
      if (seen.has(c)) errs.push(duplicate(cp.index(i), c));
      seen.add(c);
    });
  }
  return errs;
}

function validateNodeUpdate(node: Node, old: Node): FieldError[] {
  const errs = validateNodeResources(node);
  const addresses = new Set<string>();
  (node.status?.addresses ?? []).forEach((a, i) => {
    const id = `${a.type}\u0000${a.address}`;
    if (addresses.has(id)) {
      errs.push(duplicate(path('status', 'addresses').index(i), new GoValue(`core.NodeAddress{Type:${JSON.stringify(a.type ?? '')}, Address:${JSON.stringify(a.address ?? '')}}`)));
    }
    addresses.add(id);
  });
  const oldCIDRs = old.spec?.podCIDRs ?? [];
  const cidrs = node.spec?.podCIDRs ?? [];
  const cidrMsg = 'node updates may not change podCIDR except from "" to valid';
  if (oldCIDRs.length) {
    if (oldCIDRs.length !== cidrs.length) errs.push(forbiddenField(path('spec', 'podCIDRs'), cidrMsg));
    else oldCIDRs.forEach((c, i) => {
      if (c !== cidrs[i]) errs.push(forbiddenField(path('spec', 'podCIDRs'), cidrMsg));
    });
  }
  const oldProvider = old.spec?.providerID ?? '';
  if (oldProvider && oldProvider !== (node.spec?.providerID ?? '')) {
    errs.push(forbiddenField(path('spec', 'providerID'), 'node updates may not change providerID except from "" to valid'));
  }
  errs.push(...validateTaints(node.spec?.taints ?? [], path('metadata', 'taints')));
  if ((node.spec?.externalID ?? '') !== (old.spec?.externalID ?? '')) errs.push(forbiddenField(path('spec', 'externalID'), 'may not be updated'));
  return errs;
}

export const nodeStrategy: Strategy = {
  default(obj) {
    const node = obj as Node;
    const spec = (node.spec ??= {});
    // The v1 API has both podCIDR and podCIDRs; the first of podCIDRs is podCIDR.
    if (!(spec.podCIDRs ?? []).length && spec.podCIDR) spec.podCIDRs = [spec.podCIDR];
    if ((spec.podCIDRs ?? []).length) spec.podCIDR = spec.podCIDRs![0];
    canonicalizeResourceList(node.status?.capacity, 'Node');
    canonicalizeResourceList(node.status?.allocatable, 'Node');
    if (node.status?.capacity && !node.status.allocatable) node.status.allocatable = clone(node.status.capacity);
  },
  validate: (obj) => validateNode(obj as Node),
  validateUpdate: (obj, old) => validateNodeUpdate(obj as Node, old as Node),
};

export const nodeStatusStrategy: Strategy = {
  validateUpdate: (obj, old) => validateNodeUpdate(obj as Node, old as Node),
};

/** "Ready", "NotReady,SchedulingDisabled" or "Unknown". */
export function nodeStatusText(node: Node): string {
  const ready = (node.status?.conditions ?? []).find((c) => c.type === 'Ready');
  const status = ready ? [ready.status === 'True' ? 'Ready' : 'NotReady'] : ['Unknown'];
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

/** Roles from node-role.kubernetes.io/<role> labels and the kubernetes.io/role label. */
export function nodeRoles(labels: Record<string, string> | undefined): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v) {
      roles.add(v);
    }
  }
  return [...roles].sort().join(',') || '<none>';
}

const addressOf = (node: Node, type: string) => (node.status?.addresses ?? []).find((a) => a.type === type)?.address || '<none>';

export const nodeTable: TableDef = {
  columns: [
    col('Status', 'The status of the node'),
    col('Roles', 'The roles of the node'),
    ageColumn,
    col('Version', 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'List of addresses reachable to the node.', 1),
    col('External-IP', 'List of addresses reachable to the node.', 1),
    col('OS-Image', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
    col('Kernel-Version', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
    col('Container-Runtime', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1),
  ],
  cells(o, now) {
    const node = o as Node;
    const info = node.status?.nodeInfo ?? {};
    return [
      nodeStatusText(node), nodeRoles(o.metadata.labels), age(o, now), info.kubeletVersion ?? '',
      addressOf(node, 'InternalIP'), addressOf(node, 'ExternalIP'),
      info.osImage || '<unknown>', info.kernelVersion || '<unknown>', info.containerRuntimeVersion || '<unknown>',
    ];
  },
};
