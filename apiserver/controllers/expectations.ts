// Controller expectations (client-go's ControllerExpectations with UID tracking): after a
// controller creates or deletes pods it waits until its informer has seen those changes before
// acting on the same owner again, so a stale cache never makes it create or delete twice.
// Expectations expire after five minutes, in case a watch event never comes.
import type { Clock } from '../../lib/client/clock.js';

const expectationsTimeoutMs = 5 * 60_000;

interface Expectation {
  adds: number;
  /** Keys (namespace/name) of objects whose deletion has not been observed yet. */
  deletes: Set<string>;
  at: number;
}

export class Expectations {
  private readonly byOwner = new Map<string, Expectation>();

  constructor(private readonly clock: Clock) {}

  /** Whether the owner may be synced: nothing pending, or what was pending has expired. */
  satisfied(owner: string): boolean {
    const e = this.byOwner.get(owner);
    if (!e) return true;
    if (e.adds <= 0 && e.deletes.size === 0) return true;
    return this.clock.now() - e.at > expectationsTimeoutMs;
  }

  /** Replaces what is expected of the owner: `adds` creations and the deletion of `deleteKeys`. */
  expectBoth(owner: string, adds: number, deleteKeys: readonly string[]): void {
    this.byOwner.set(owner, { adds, deletes: new Set(deleteKeys), at: this.clock.now() });
  }

  expectCreations(owner: string, n: number): void {
    this.expectBoth(owner, n, []);
  }

  expectDeletions(owner: string, keys: readonly string[]): void {
    this.expectBoth(owner, 0, keys);
  }

  creationObserved(owner: string): void {
    const e = this.byOwner.get(owner);
    if (e && e.adds > 0) e.adds--;
  }

  deletionObserved(owner: string, key: string): void {
    this.byOwner.get(owner)?.deletes.delete(key);
  }

  /** The owner is gone: forget it. */
  delete(owner: string): void {
    this.byOwner.delete(owner);
  }

  /** Pending creations (for tests and logs). */
  pendingAdds(owner: string): number {
    return this.byOwner.get(owner)?.adds ?? 0;
  }
}
