// Bad values as Kubernetes prints them in validation messages. field.Error formats anything that
// is not a string, number or bool with Go's %#v, so users see `map[string]string{"app":"x"}` or
// `v1.LabelSelector{MatchLabels:...}`; these helpers render the same text from JSON values.
import { compareStrings } from '../../../lib/go-order.js';
import { GoValue } from '../field-errors.js';
import { isPlainObject } from '../object.js';

const q = (s: string) => JSON.stringify(s);

/** map[string]string as %#v prints it: keys sorted, nil when absent. */
export function goStringMapText(m: unknown): string {
  if (!isPlainObject(m)) return 'map[string]string(nil)';
  const entries = Object.entries(m).sort(([a], [b]) => compareStrings(a, b));
  return `map[string]string{${entries.map(([k, v]) => `${q(k)}:${q(String(v))}`).join(', ')}}`;
}

export const goStringMap = (m: unknown): GoValue => new GoValue(goStringMapText(m));

function goStringSliceText(v: unknown): string {
  if (!Array.isArray(v)) return '[]string(nil)';
  return `[]string{${v.map((s) => q(String(s))).join(', ')}}`;
}

/** A metav1.LabelSelector (dereferenced, as field errors print pointers). */
export function goLabelSelector(sel: unknown): GoValue {
  const s = isPlainObject(sel) ? sel : {};
  const exprs = Array.isArray(s.matchExpressions) ? s.matchExpressions : undefined;
  const exprText = exprs
    ? `[]v1.LabelSelectorRequirement{${exprs.map((e) => {
      const r = isPlainObject(e) ? e : {};
      return `v1.LabelSelectorRequirement{Key:${q(String(r.key ?? ''))}, Operator:${q(String(r.operator ?? ''))}, Values:${goStringSliceText(r.values)}}`;
    }).join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return new GoValue(`v1.LabelSelector{MatchLabels:${goStringMapText(s.matchLabels)}, MatchExpressions:${exprText}}`);
}

/** An intstr.IntOrString value as %#v prints it. */
export function goIntOrString(v: unknown): GoValue {
  if (typeof v === 'string') return new GoValue(`intstr.IntOrString{Type:1, IntVal:0, StrVal:${q(v)}}`);
  const n = typeof v === 'number' ? v : 0;
  return new GoValue(`intstr.IntOrString{Type:0, IntVal:${n}, StrVal:""}`);
}

/** Go's exported field name for a JSON field ("dnsPolicy" -> "DNSPolicy"). */
export function goFieldName(jsonName: string): string {
  const special: Record<string, string> = {
    dnsPolicy: 'DNSPolicy', dnsConfig: 'DNSConfig', hostIPC: 'HostIPC', hostPID: 'HostPID', os: 'OS',
    tty: 'TTY', httpGet: 'HTTPGet', tcpSocket: 'TCPSocket', grpc: 'GRPC', uid: 'UID', ip: 'IP', ips: 'IPs',
    hostIP: 'HostIP', podIP: 'PodIP', nfs: 'NFS', csi: 'CSI', iscsi: 'ISCSI', rbd: 'RBD', fc: 'FC',
    cephfs: 'CephFS', apiVersion: 'APIVersion', fsGroup: 'FSGroup', seLinuxOptions: 'SELinuxOptions',
  };
  return special[jsonName] ?? jsonName.charAt(0).toUpperCase() + jsonName.slice(1);
}

/**
 * A JSON value in Go literal syntax, for structs messages show whole (templates, specs). `sep`
 * is ": " in cmp.Diff output and ":" in %#v output.
 */
export function goLiteral(v: unknown, sep = ': '): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return q(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `{${v.map((x) => goLiteral(x, sep)).join(', ')}}`;
  if (isPlainObject(v)) {
    const fields = Object.entries(v).filter(([, x]) => x !== undefined);
    return `{${fields.map(([k, x]) => `${goStructFieldName(k)}${sep}${goFieldValue(k, x, sep)}`).join(', ')}}`;
  }
  return String(v);
}

/** JSON fields whose Go type is map[string]string: their keys are data, printed quoted and as is. */
const stringMapFields = new Set(['labels', 'annotations', 'nodeSelector', 'matchLabels', 'data', 'stringData', 'volumeAttributes', 'parameters']);
/** JSON fields whose Go type is another map (resource lists): keys are quoted, values literal. */
const otherMapFields = new Set(['limits', 'requests', 'capacity', 'allocatable', 'overhead', 'hard', 'used']);

/** Embedded structs carry their type's name: metadata is the embedded ObjectMeta. */
const goStructFieldName = (k: string) => (k === 'metadata' ? 'ObjectMeta' : goFieldName(k));

function goFieldValue(k: string, x: unknown, sep: string): string {
  if (stringMapFields.has(k) && isPlainObject(x)) return goStringMapText(x);
  if (otherMapFields.has(k) && isPlainObject(x)) {
    return `{${Object.entries(x).sort(([a], [b]) => compareStrings(a, b)).map(([mk, mv]) => `${q(mk)}:${goLiteral(mv, sep)}`).join(', ')}}`;
  }
  return goLiteral(x, sep);
}

/** A whole struct value named by its Go type, as %#v prints it: core.PodTemplateSpec{...}. */
export const goStruct = (typeName: string, v: unknown): GoValue => new GoValue(`${typeName}${goLiteral(v ?? {}, ':')}`);
