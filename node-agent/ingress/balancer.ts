// Picks an endpoint for each attempt: round robin per backend, skipping endpoints that refused a
// connection in the last few seconds (every endpoint is tried before none is), and never one
// this request already failed on.
import type { Upstream } from './backends.js';

const FAILED_FOR_MS = 5_000;

export class Balancer {
  private readonly next = new Map<string, number>();
  private readonly failedUntil = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  pick(key: string, upstreams: readonly Upstream[], tried: ReadonlySet<string>): Upstream | undefined {
    const n = upstreams.length;
    if (n === 0) return undefined;
    const start = this.next.get(key) ?? 0;
    this.next.set(key, (start + 1) % n);
    let fallback: Upstream | undefined;
    const now = this.failedUntil.size ? this.now() : 0;
    for (let i = 0; i < n; i++) {
      const u = upstreams[(start + i) % n];
      if (tried.has(u.address)) continue;
      const until = now && this.failedUntil.get(u.address);
      if (until && until > now) {
        fallback ??= u;
        continue;
      }
      return u;
    }
    return fallback;
  }

  /** The endpoint could not be reached: others go first for a while. */
  failed(u: Upstream): void {
    this.failedUntil.set(u.address, this.now() + FAILED_FOR_MS);
    if (this.failedUntil.size > 1024) {
      const now = this.now();
      for (const [a, until] of this.failedUntil) if (until <= now) this.failedUntil.delete(a);
    }
  }

  /** It answered again. */
  succeeded(u: Upstream): void {
    if (this.failedUntil.size) this.failedUntil.delete(u.address);
  }
}
