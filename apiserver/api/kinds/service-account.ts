// ServiceAccounts: the SECRETS column counts the secrets listed on the account.
import type { KubeObject } from '../object.js';
import { age, ageColumn, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';

type ServiceAccount = KubeObject & { secrets?: unknown[] };

export const serviceAccountTable: TableDef = {
  columns: [col('Secrets', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'), ageColumn],
  cells: (o, now) => [((o as ServiceAccount).secrets ?? []).length, age(o, now)],
};
