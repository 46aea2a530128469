// What a test environment changed on the host, undone in reverse order. teardown() runs the
// steps once however often it is called (a signal handler, a failed setup and the tests may all
// call it) and resolves with what could not be cleaned: failed steps, and problems steps report.
export interface UndoStep {
  what: string;
  fn: () => Promise<void>;
}

export class UndoStack {
  private readonly steps: UndoStep[] = [];
  /** Failed steps, plus what steps noticed while cleaning (leftovers they had to remove). */
  readonly problems: string[] = [];
  private tearing: Promise<string[]> | undefined;

  constructor(private readonly onFailure?: (step: string, err: Error) => void) {}

  push(step: UndoStep): void {
    this.steps.push(step);
  }

  readonly teardown = (): Promise<string[]> =>
    (this.tearing ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await step.fn();
        } catch (err) {
          this.problems.push(`${step.what}: ${(err as Error).message}`);
          this.onFailure?.(step.what, err as Error);
        }
      }
      return this.problems;
    })());
}
