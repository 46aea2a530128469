// Label selectors: the string syntax of list/watch (`a=b,c in (d),!e`), parsed and validated here,
// and the structured LabelSelector of specs, both compiled to lib/label-selector.ts's matcher.
import { isLabelValue, isQualifiedName } from '../validation/names.js';
import { selectorOf, SelectorParseError, type LabelSelector, type Operator, type Requirement } from '../../../lib/label-selector.js';

export {
  everything, fromLabelSelectorSpec, fromMapSelector, nothing, selectorOf, SelectorParseError,
  type LabelSelector, type LabelSelectorSpec, type Labels, type Operator, type Requirement,
} from '../../../lib/label-selector.js';

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
