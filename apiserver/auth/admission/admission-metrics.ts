// Admission latency under Kubernetes' names: each plugin's time per phase
// (apiserver_admission_controller_admission_duration_seconds) and each phase's time
// (apiserver_admission_step_admission_duration_seconds), split by operation and whether the
// request was rejected, as dashboards built for Kubernetes chart them.
import { HistogramVec } from '../../../lib/metrics.js';

const buckets = [0.005, 0.025, 0.1, 0.5, 1, 2.5];

export type AdmissionStepType = 'admit' | 'validate';

export class AdmissionMetrics {
  readonly controller = new HistogramVec('apiserver_admission_controller_admission_duration_seconds',
    'Admission controller latency histogram in seconds, identified by name and broken out for each operation and API resource and type (validate or admit).',
    ['name', 'type', 'operation', 'rejected'], buckets);
  readonly step = new HistogramVec('apiserver_admission_step_admission_duration_seconds',
    'Admission sub-step latency histogram in seconds, broken out for each operation and API resource and step type (validate or admit).',
    ['type', 'operation', 'rejected'], buckets);

  plugin(name: string, type: AdmissionStepType, operation: string, rejected: boolean, seconds: number): void {
    this.controller.observe([name, type, operation, String(rejected)], seconds);
  }

  phase(type: AdmissionStepType, operation: string, rejected: boolean, seconds: number): void {
    this.step.observe([type, operation, String(rejected)], seconds);
  }
}
