// A test that asserts the host is clean after teardown must look while it still holds the host
// lock: once the lock goes, another test run may take it and change the host before the check
// reads it. Teardown's last step runs the check, then releases the lock.
export class LeftoverCheck<E> {
  env?: E;
  private found?: string[];

  constructor(private readonly find: (env: E) => Promise<string[]>) {}

  /** Runs the check (teardown calls this just before it releases the lock). */
  async beforeRelease(): Promise<void> {
    if (this.env) this.found = await this.find(this.env).catch((err: Error) => [`leftover check failed: ${err.message}`]);
  }

  /** What was left: as found under the lock when teardown has run, else as the host is now. */
  result(): Promise<string[]> {
    if (this.found) return Promise.resolve(this.found);
    return this.env ? this.find(this.env) : Promise.resolve([]);
  }
}
