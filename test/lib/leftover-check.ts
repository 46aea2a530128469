// A test that asserts the host is clean after teardown must look while it still holds the host
// lock: once the lock goes, another test run may take it and change the host before the check
// reads it. Teardown's last step (lockStep) runs the check, then releases the lock.
export class LeftoverCheck<E> {
  env?: E;
  private found?: string[];

  constructor(private readonly find: (env: E) => Promise<string[]>) {}

  /** The teardown step that runs the check, then releases the host lock. */
  lockStep(release: () => Promise<void>): { what: string; fn: () => Promise<void> } {
    return {
      what: 'host lock',
      fn: async () => {
        if (this.env) this.found = await this.find(this.env).catch((err: Error) => [`leftover check failed: ${err.message}`]);
        await release();
      },
    };
  }

  /** What was left: as found under the lock when teardown has run, else as the host is now. */
  result(): Promise<string[]> {
    if (this.found) return Promise.resolve(this.found);
    return this.env ? this.find(this.env) : Promise.resolve([]);
  }
}
