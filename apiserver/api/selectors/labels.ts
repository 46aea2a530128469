// Label selectors: the string syntax of list/watch (`a=b,c in (d),!e`) and the structured
// LabelSelector of specs (matchLabels/matchExpressions), both compiled to one matcher.
import { isLabelValue, isQualifiedName } from '../validation/names.js';

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

function validateRequirement(r: Requirement): void {
  const keyErrs = isQualifiedName(r.key);
  if (keyErrs.length) throw new SelectorParseError(`unable to parse requirement: key: Invalid value: ${JSON.stringify(r.key)}: ${keyErrs.join('; ')}`);
  if (r.op === 'gt' || r.op === 'lt') {
    if (r.values.length !== 1 || !/^-?\d+$/.test(r.values[0])) {
      throw new SelectorParseError(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
    }
    return;
  }
  for (const v of r.values) {
    const errs = isLabelValue(v);
    if (errs.length) throw new SelectorParseError(`unable to parse requirement: values[0][${r.key}]: Invalid value: ${JSON.stringify(v)}: ${errs.join('; ')}`);
  }
}

type Token = { kind: 'id' | 'op' | '(' | ')' | ',' | 'end'; text: string };

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '(' || c === ')' || c === ',') { out.push({ kind: c, text: c }); i++; continue; }
    const two = s.slice(i, i + 2);
    if (two === '==' || two === '!=') { out.push({ kind: 'op', text: two }); i += 2; continue; }
    if (c === '=' || c === '!' || c === '<' || c === '>') { out.push({ kind: 'op', text: c }); i++; continue; }
    let j = i;
    while (j < s.length && !/[\s(),=!<>]/.test(s[j])) j++;
    out.push({ kind: 'id', text: s.slice(i, j) });
    i = j;
  }
  out.push({ kind: 'end', text: '' });
  return out;
}

/** Parses the `labelSelector` query syntax. Throws SelectorParseError. */
export function parseLabelSelector(s: string): LabelSelector {
  const toks = tokenize(s);
  let p = 0;
  const reqs: Requirement[] = [];
  const expectValues = (): string[] => {
    if (toks[p].kind !== '(') throw new SelectorParseError(`unable to parse requirement: found '${toks[p].text}', expected: '('`);
    p++;
    const vals: string[] = [];
    for (;;) {
      const t = toks[p];
      if (t.kind === ')') { p++; if (vals.length === 0) vals.push(''); return vals; }
      if (t.kind === 'id') { vals.push(t.text); p++; }
      else if (t.kind === ',') { if (vals.length === 0 || toks[p - 1].kind === ',') vals.push(''); p++; continue; }
      else throw new SelectorParseError(`unable to parse requirement: found '${t.text}', expected: ',', ')' or identifier`);
      if (toks[p].kind === ',') p++;
      else if (toks[p].kind !== ')') throw new SelectorParseError(`unable to parse requirement: found '${toks[p].text}', expected: ',' or ')'`);
    }
  };
  while (toks[p].kind !== 'end') {
    let r: Requirement;
    if (toks[p].kind === 'op' && toks[p].text === '!') {
      p++;
      if (toks[p].kind !== 'id') throw new SelectorParseError(`unable to parse requirement: found '${toks[p].text}', expected: identifier`);
      r = { key: toks[p++].text, op: '!', values: [] };
    } else if (toks[p].kind === 'id') {
      const key = toks[p++].text;
      const t = toks[p];
      if (t.kind === 'end' || t.kind === ',') r = { key, op: 'exists', values: [] };
      else if (t.kind === 'id' && (t.text === 'in' || t.text === 'notin')) {
        p++;
        r = { key, op: t.text, values: expectValues() };
      } else if (t.kind === 'op' && t.text !== '!') {
        p++;
        const op: Operator = t.text === '<' ? 'lt' : t.text === '>' ? 'gt' : (t.text as Operator);
        const v = toks[p].kind === 'id' ? toks[p++].text : '';
        r = { key, op, values: [v] };
      } else {
        throw new SelectorParseError(`unable to parse requirement: found '${t.text}', expected: in, notin, =, ==, !=, gt, lt`);
      }
    } else {
      throw new SelectorParseError(`unable to parse requirement: found '${toks[p].text}', expected: !, identifier`);
    }
    validateRequirement(r);
    reqs.push(r);
    if (toks[p].kind === ',') {
      p++;
      if (toks[p].kind === 'end') throw new SelectorParseError(`found '', expected: !, identifier`);
    } else if (toks[p].kind !== 'end') {
      throw new SelectorParseError(`found '${toks[p].text}', expected: ',' or 'end of string'`);
    }
  }
  return selectorOf(reqs);
}

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
