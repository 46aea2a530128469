// The admission chain: plugins run in order on every write; any may mutate the object
// (mutating phase, before the strategy validates it) or reject the request with a Status
// (validating phase, after), as Kubernetes orders them.
import type { Admission, AdmissionAttributes } from '../../registry/context.js';
import { AdmissionMetrics, type AdmissionStepType } from './admission-metrics.js';

export interface AdmissionPlugin {
  name: string;
  /** Mutating phase: may change attrs.object. */
  mutate?(attrs: AdmissionAttributes): Promise<void> | void;
  /** Validating phase: may only reject. */
  validate?(attrs: AdmissionAttributes): Promise<void> | void;
}

export class AdmissionChain implements Admission {
  private readonly plugins: AdmissionPlugin[] = [];
  /** Latency per plugin and per phase, served on the API server's /metrics. */
  readonly metrics = new AdmissionMetrics();

  register(plugin: AdmissionPlugin): void {
    this.plugins.push(plugin);
  }

  mutate(attrs: AdmissionAttributes): Promise<void> {
    return this.run(attrs, 'admit', (p) => p.mutate?.(attrs));
  }

  validate(attrs: AdmissionAttributes): Promise<void> {
    return this.run(attrs, 'validate', (p) => p.validate?.(attrs));
  }

  // Most plugins answer synchronously; waiting only on promises saves a turn of the microtask
  // queue per plugin and phase on every write.
  private async run(attrs: AdmissionAttributes, type: AdmissionStepType, call: (p: AdmissionPlugin) => Promise<void> | void): Promise<void> {
    const phaseStart = performance.now();
    let rejected = false;
    try {
      for (const p of this.plugins) {
        if (!(type === 'admit' ? p.mutate : p.validate)) continue;
        const t0 = performance.now();
        try {
          const pending = call(p);
          if (pending) await pending;
        } catch (err) {
          rejected = true;
          this.metrics.plugin(p.name, type, attrs.operation, true, (performance.now() - t0) / 1000);
          throw err;
        }
        this.metrics.plugin(p.name, type, attrs.operation, false, (performance.now() - t0) / 1000);
      }
    } finally {
      this.metrics.phase(type, attrs.operation, rejected, (performance.now() - phaseStart) / 1000);
    }
  }
}
