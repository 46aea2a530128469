// Server-side printing: the Table (meta.k8s.io/v1) kubectl asks for on `get`.
import type { KubeObject } from './object.js';

export type Cell = string | number | boolean | null;

export interface Column {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description?: string;
  /** 0 shows by default; higher only with `-o wide`. */
  priority?: number;
}

export interface TableDef {
  /** Columns after NAME (NAME is first unless `nameFirst` is false). */
  columns: Column[];
  /** Cells for those columns. `now` is ms since epoch. */
  cells(obj: KubeObject, now: number): Cell[];
  /** False for tables that place the name elsewhere (Events lead with LAST SEEN). */
  nameFirst?: boolean;
  /** The NAME cell when it is more than the name (StorageClasses print "standard (default)"). */
  name?(obj: KubeObject): string;
}

const nameColumn: Column = {
  name: 'Name', type: 'string', format: 'name',
  description: 'Name must be unique within a namespace. Cannot be updated.',
};

export const ageColumn: Column = {
  name: 'Age', type: 'string',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
};

/** The table every kind without its own columns gets: NAME, CREATED AT. */
export const defaultTable: TableDef = {
  columns: [{ name: 'Created At', type: 'date', description: 'Time when this object was created.' }],
  cells: (o) => [o.metadata.creationTimestamp ?? null],
};

/** Just NAME and AGE, which most kinds start from. */
export const nameAgeTable: TableDef = {
  columns: [ageColumn],
  cells: (o, now) => [age(o, now)],
};

export function allColumns(def: TableDef): Column[] {
  const cols = def.nameFirst === false ? def.columns : [nameColumn, ...def.columns];
  return cols.map((c) => ({ priority: 0, description: '', format: '', ...c }));
}

export function rowCells(def: TableDef, obj: KubeObject, now: number): Cell[] {
  const cells = def.cells(obj, now);
  return def.nameFirst === false ? cells : [def.name ? def.name(obj) : obj.metadata.name ?? '', ...cells];
}

export { nameColumn };

/** Kubernetes' HumanDuration: "5s", "2m30s", "10m", "3h5m", "2d4h", "1y20d". */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${hours / 24}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 2) return `${days}d`;
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${days / 365}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

/** Time since an RFC 3339 timestamp, or "<unknown>". */
export function since(ts: string | null | undefined, now: number): string {
  if (!ts) return '<unknown>';
  return humanDuration(now - Date.parse(ts));
}

export function age(o: KubeObject, now: number): string {
  return since(o.metadata.creationTimestamp, now);
}
