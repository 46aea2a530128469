// Label selector matching, shared by the API server (list/watch, workloads, scheduling) and the
// node agent (NetworkPolicy): requirements compiled to one matcher, and the structured
// LabelSelector of specs (matchLabels/matchExpressions). Parsing the query string syntax, which
// validates names, stays with the server (apiserver/api/selectors/labels.ts).

export type Labels = Readonly<Record<string, string>> | undefined;

export type Operator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  op: Operator;
  values: string[];
}

export interface LabelSelector {
  readonly requirements: readonly Requirement[];
  /** True when it selects everything. */
  readonly empty: boolean;
  matches(labels: Labels): boolean;
  toString(): string;
}

export class SelectorParseError extends Error {}

function matchOne(r: Requirement, labels: Labels): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = has ? labels![r.key] : undefined;
  switch (r.op) {
    case '=': case '==': case 'in': return has && r.values.includes(v!);
    case '!=': case 'notin': return !has || !r.values.includes(v!);
    case 'exists': return has;
    case '!': return !has;
    case 'gt': case 'lt': {
      if (!has) return false;
      const n = Number(v);
      if (!Number.isInteger(n)) return false;
      return r.op === 'gt' ? n > Number(r.values[0]) : n < Number(r.values[0]);
    }
  }
}

function requirementString(r: Requirement): string {
  switch (r.op) {
    case 'exists': return r.key;
    case '!': return `!${r.key}`;
    case 'in': case 'notin': return `${r.key} ${r.op} (${r.values.join(',')})`;
    case 'gt': return `${r.key}>${r.values[0]}`;
    case 'lt': return `${r.key}<${r.values[0]}`;
    default: return `${r.key}${r.op}${r.values[0]}`;
  }
}

export function selectorOf(requirements: Requirement[]): LabelSelector {
  const sorted = [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    requirements: sorted,
    empty: sorted.length === 0,
    matches: (labels) => sorted.every((r) => matchOne(r, labels)),
    toString: () => sorted.map(requirementString).join(','),
  };
}

export const everything: LabelSelector = selectorOf([]);

/** A selector that matches nothing (a nil LabelSelector in a spec). */
export const nothing: LabelSelector = {
  requirements: [], empty: false, matches: () => false, toString: () => '<none>',
};

/** A spec's LabelSelector object (matchLabels + matchExpressions). */
export interface LabelSelectorSpec {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** Compiles a spec selector; a missing selector matches nothing, an empty one everything. */
export function fromLabelSelectorSpec(spec: LabelSelectorSpec | null | undefined): LabelSelector {
  if (!spec) return nothing;
  const reqs: Requirement[] = [];
  for (const [key, v] of Object.entries(spec.matchLabels ?? {})) reqs.push({ key, op: '=', values: [v] });
  for (const e of spec.matchExpressions ?? []) {
    const op = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' } as const)[e.operator as 'In'];
    if (!op) throw new SelectorParseError(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    reqs.push({ key: e.key, op, values: [...(e.values ?? [])].sort() });
  }
  return selectorOf(reqs);
}

/** A map selector (as Services and ReplicationControllers use): empty matches nothing. */
export function fromMapSelector(m: Record<string, string> | null | undefined): LabelSelector {
  if (!m || Object.keys(m).length === 0) return nothing;
  return selectorOf(Object.entries(m).map(([key, v]) => ({ key, op: '=', values: [v] })));
}
