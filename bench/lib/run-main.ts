import { pathToFileURL } from 'node:url';

/** Runs a bench's `main` when its file is the program (not when another bench imports it). */
export function runIfMain(moduleUrl: string, main: () => Promise<void>): void {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
