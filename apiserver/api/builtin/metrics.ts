// metrics.k8s.io/v1beta1: read-only, computed from scraped figures (../../metrics), never stored.
import { builtin, readOnly } from './define.js';
import { resourceMetricsTable } from '../kinds/resource-metrics.js';
import type { ResourceDef } from '../resource.js';

const metrics = { group: 'metrics.k8s.io', version: 'v1beta1', verbs: readOnly, table: resourceMetricsTable };

export const metricsResources: ResourceDef[] = [
  builtin({ ...metrics, kind: 'NodeMetrics', plural: 'nodes', namespaced: false }),
  builtin({ ...metrics, kind: 'PodMetrics', plural: 'pods', namespaced: true }),
];
