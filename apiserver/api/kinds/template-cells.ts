// Table cells the workload printers share: the wide CONTAINERS and IMAGES columns, and the
// column definitions that go with them.
import { col } from '../table-helpers.js';
import type { Column } from '../table.js';
import { asObject, objects, str } from './json.js';

/** layoutContainerCells: container names and images, comma separated. */
export function containerCells(template: unknown): [string, string] {
  const containers = objects(asObject(asObject(template)?.spec)?.containers);
  return [containers.map((c) => str(c.name)).join(','), containers.map((c) => str(c.image)).join(',')];
}

export const containersColumn: Column = col('Containers', 'Names of each container in the template.', 1);
export const imagesColumn: Column = col('Images', 'Images referenced by each container in the template.', 1);
