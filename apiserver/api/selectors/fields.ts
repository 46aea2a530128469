// Field selectors: `a=b,c!=d` over a per-kind set of selectable fields.

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  readonly empty: boolean;
  matches(fields: Readonly<Record<string, string>>): boolean;
  /** The value the selector pins `field` to, if any (used to narrow lists by namespace/name). */
  exactValue(field: string): string | undefined;
}

export class FieldSelectorError extends Error {}

export const everyField: FieldSelector = makeFieldSelector([]);

function makeFieldSelector(reqs: FieldRequirement[]): FieldSelector {
  return {
    requirements: reqs,
    empty: reqs.length === 0,
    matches: (fields) => reqs.every((r) => (fields[r.field] === r.value) === (r.op === '=')),
    exactValue: (f) => reqs.find((r) => r.field === f && r.op === '=')?.value,
  };
}

/** Splits on unescaped commas; `\,` `\=` `\\` escape as in Kubernetes. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) { cur += c + s[++i]; continue; }
    if (c === ',') { out.push(cur); cur = ''; continue; }
    cur += c;
  }
  out.push(cur);
  return out;
}

const unescape = (s: string) => s.replace(/\\(.)/g, '$1');

/** Parses and checks every field against `supported` ('any': no check). Throws FieldSelectorError. */
export function parseFieldSelector(s: string, supported: ReadonlySet<string> | 'any'): FieldSelector {
  if (s.trim() === '') return everyField;
  const reqs: FieldRequirement[] = [];
  for (const term of splitTerms(s)) {
    if (term === '') continue;
    const m = /^(.*?)(!=|==|=)(.*)$/s.exec(term.replace(/\\./g, (x) => (x === '\\=' ? '\u0000' : x)));
    if (!m) throw new FieldSelectorError(`invalid selector: '${s}'; can't understand '${term}'`);
    const field = unescape(m[1].trim().replace(/\u0000/g, '\\='));
    const value = unescape(m[3].replace(/\u0000/g, '\\='));
    if (supported !== 'any' && !supported.has(field)) throw new FieldSelectorError(`field label not supported: ${field}`);
    reqs.push({ field, op: m[2] === '!=' ? '!=' : '=', value });
  }
  return makeFieldSelector(reqs);
}
