// Registers every built-in resource.
import { Registry } from '../registry.js';
import { coreResources } from './core.js';
import { groupOrder, groupResources } from './groups.js';
import { workloadResources } from './workloads.js';
import { metricsResources } from './metrics.js';

export function builtinRegistry(): Registry {
  const registry = new Registry();
  registry.declareGroup('', ['v1']);
  registry.declareGroup('autoscaling', ['v2', 'v1']);
  for (const g of groupOrder) registry.declareGroup(g, []);
  for (const def of [...coreResources, ...workloadResources, ...groupResources, ...metricsResources]) registry.add(def);
  return registry;
}
