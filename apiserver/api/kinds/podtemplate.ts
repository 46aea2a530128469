// PodTemplates: a named PodTemplateSpec, defaulted and validated as every workload's template,
// printed with its containers, images and pod labels.
import { path } from '../field-errors.js';
import type { Strategy } from '../resource.js';
import { labelsText, col } from '../table-helpers.js';
import type { TableDef } from '../table.js';
import { withDecodeErrors } from './decode.js';
import { asObject, ensureObject, stringMap } from './json.js';
import { defaultPodTemplateSpec } from './pod-defaults.js';
import { validatePodTemplateSpec } from './pod-validation.js';
import { containerCells } from './template-cells.js';

export const podTemplateStrategy: Strategy = {
  default: (obj) => withDecodeErrors(obj, () => defaultPodTemplateSpec(ensureObject(obj, 'template'))),
  validate: (obj) => validatePodTemplateSpec(asObject(obj.template), path('template')),
};

export const podTemplateTable: TableDef = {
  columns: [
    col('Containers', 'Names of each container in the template.'),
    col('Images', 'Images referenced by each container in the template.'),
    col('Pod Labels', 'The labels for the pod template.'),
  ],
  cells(o) {
    const [names, images] = containerCells(o.template);
    return [names, images, labelsText(stringMap(asObject(asObject(o.template)?.metadata)?.labels))];
  },
};
