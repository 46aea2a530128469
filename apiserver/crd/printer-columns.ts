// Table output of custom resources: the CRD's additionalPrinterColumns (JSONPath into the
// object) after NAME, or NAME and AGE when it declares none, as Kubernetes prints them.
import type { KubeObject } from '../api/object.js';
import { isPlainObject } from '../api/object.js';
import { ageColumn, age, since, type Cell, type Column, type TableDef } from '../api/table.js';

export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

/** Evaluates the simple JSONPath printer columns use: .a.b, .a['b.c'], .a[0], .a[*].b */
export function jsonPathValues(obj: unknown, expr: string): unknown[] {
  const steps: (string | number | '*')[] = [];
  const re = /\.([A-Za-z0-9_\-$]+)|\[(\d+|\*)\]|\['([^']*)'\]|\["([^"]*)"\]/gy;
  const text = expr.trim().replace(/^\{|\}$/g, '').replace(/^\$/, '');
  let m: RegExpExecArray | null;
  re.lastIndex = 0;
  while (re.lastIndex < text.length && (m = re.exec(text))) {
    if (m[1] !== undefined) steps.push(m[1]);
    else if (m[2] !== undefined) steps.push(m[2] === '*' ? '*' : Number(m[2]));
    else steps.push(m[3] ?? m[4]);
  }
  let cur: unknown[] = [obj];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (step === '*') {
        if (Array.isArray(v)) next.push(...v);
        else if (isPlainObject(v)) next.push(...Object.values(v));
      } else if (typeof step === 'number') {
        if (Array.isArray(v) && step < v.length) next.push(v[step]);
      } else if (isPlainObject(v) && v[step] !== undefined) {
        next.push(v[step]);
      }
    }
    cur = next;
  }
  return cur;
}

function cell(values: unknown[], type: string, now: number): Cell {
  if (values.length === 0) return null;
  const v = values.length === 1 ? values[0] : values;
  if (type === 'date' && typeof v === 'string') return since(v, now);
  if (type === 'integer' && typeof v === 'number') return Math.trunc(v);
  if ((type === 'number' && typeof v === 'number') || (type === 'boolean' && typeof v === 'boolean')) return v;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return type === 'string' ? String(v) : v;
  return JSON.stringify(v);
}

const columnTypes = new Set(['integer', 'number', 'string', 'boolean', 'date']);

export function printerTable(columns: readonly PrinterColumn[]): TableDef {
  if (columns.length === 0) {
    return { columns: [ageColumn], cells: (o, now) => [age(o, now)] };
  }
  const cols: Column[] = columns.map((c) => ({
    name: c.name, type: (columnTypes.has(c.type) ? c.type : 'string') as Column['type'], format: c.format ?? '',
    description: c.description ?? '', priority: c.priority ?? 0,
  }));
  return {
    columns: cols,
    cells: (o: KubeObject, now: number) => columns.map((c) => cell(jsonPathValues(o, c.jsonPath), c.type, now)),
  };
}
