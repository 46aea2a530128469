// ComponentStatus (deprecated since v1.19, still served): computed on request, never stored.
import type { KubeObject } from '../object.js';
import type { TableDef } from '../table.js';
import { col } from '../table-helpers.js';

export const componentStatusWarning = 'v1 ComponentStatus is deprecated in v1.19+';

interface ComponentCondition {
  type?: string;
  status?: string;
  message?: string;
  error?: string;
}

type ComponentStatus = KubeObject & { conditions?: ComponentCondition[] };

/** A healthy component as the API reports it. */
export function healthyComponent(name: string): KubeObject {
  return {
    kind: 'ComponentStatus', apiVersion: 'v1', metadata: { name, creationTimestamp: null },
    conditions: [{ type: 'Healthy', status: 'True', message: 'ok' }],
  };
}

export const componentStatusTable: TableDef = {
  columns: [
    col('Status', 'Status of the component conditions'),
    col('Message', 'Message of the component conditions'),
    col('Error', 'Error of the component conditions'),
  ],
  cells(o) {
    const healthy = ((o as ComponentStatus).conditions ?? []).find((c) => c.type === 'Healthy');
    if (!healthy) return ['Unknown', '', ''];
    return [healthy.status === 'True' ? 'Healthy' : 'Unhealthy', healthy.message ?? '', healthy.error ?? ''];
  },
};
