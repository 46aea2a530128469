// RuntimeClasses (node.k8s.io/v1): a DNS-label handler that never changes.
import { invalidEach, path } from '../field-errors.js';
import type { KubeObject } from '../object.js';
import type { Strategy } from '../resource.js';
import { age, ageColumn, type TableDef } from '../table.js';
import { col } from '../table-helpers.js';
import { isDNS1123Label } from '../validation/names.js';
import { canonicalizeResourceList, immutable } from './common.js';

type RuntimeClass = KubeObject & { handler?: string; overhead?: { podFixed?: Record<string, string> } | null };

export const runtimeClassStrategy: Strategy = {
  default(obj) {
    canonicalizeResourceList((obj as RuntimeClass).overhead?.podFixed, 'RuntimeClass');
  },
  validate: (obj) => invalidEach(path('handler'), (obj as RuntimeClass).handler ?? '', isDNS1123Label((obj as RuntimeClass).handler ?? '')),
  validateUpdate: (obj, old) => immutable((obj as RuntimeClass).handler, (old as RuntimeClass).handler, path('handler')),
};

export const runtimeClassTable: TableDef = {
  columns: [col('Handler', 'handler specifies the underlying runtime and configuration that the CRI implementation will use to handle pods of this class.'), ageColumn],
  cells: (o, now) => [(o as RuntimeClass).handler ?? '', age(o, now)],
};
