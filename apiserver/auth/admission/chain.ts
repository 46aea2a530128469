// The admission chain: plugins run in order on every write; any may mutate the object
// (mutating phase, before the strategy validates it) or reject the request with a Status
// (validating phase, after), as Kubernetes orders them.
import type { Admission, AdmissionAttributes } from '../../registry/context.js';

export interface AdmissionPlugin {
  name: string;
  /** Mutating phase: may change attrs.object. */
  mutate?(attrs: AdmissionAttributes): Promise<void> | void;
  /** Validating phase: may only reject. */
  validate?(attrs: AdmissionAttributes): Promise<void> | void;
}

export class AdmissionChain implements Admission {
  private readonly plugins: AdmissionPlugin[] = [];

  register(plugin: AdmissionPlugin): void {
    this.plugins.push(plugin);
  }

  // Most plugins answer synchronously; waiting only on promises saves a turn of the microtask
  // queue per plugin and phase on every write.
  async mutate(attrs: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) {
      const pending = p.mutate?.(attrs);
      if (pending) await pending;
    }
  }

  async validate(attrs: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) {
      const pending = p.validate?.(attrs);
      if (pending) await pending;
    }
  }
}
