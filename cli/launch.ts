// How the `k8ts` command starts Node. The shebang of cli/main.ts runs
//   env MALLOC_ARENA_MAX=2 node --v8-pool-size=1 main.js ...
// Both settings are read only when a process starts, so they cannot be set from inside it.
// Node's four V8 worker threads and glibc's per-thread malloc arenas each keep memory, for an
// agent whose heap is ~20 MiB: with 110 pods its anonymous memory went from 34.3-35.1 MiB to
// 28.6-30.9 (RSS 72.3-74.6 MiB; docs/benchmarks.md). The API server's create rate and CPU per
// create were unchanged within the noise of an A/B run.
// Whatever starts k8ts another way (tests, benchmarks) uses k8tsProcess(), so that what is
// tested and measured is what users run; a unit test keeps the shebang equal to these values.

/** Environment the shebang sets: at most two malloc arenas (glibc's default is 8 per core). */
export const launchEnv: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };
/** Node flags the shebang passes: one V8 worker thread for GC and compilation (default 4). */
export const launchNodeFlags: readonly string[] = ['--v8-pool-size=1'];

/**
 * Node flags for `k8ts agent` alone (the installed `k8ts` command and k8tsProcess add them; a
 * shebang cannot): young-generation semi-spaces of at most 4 MiB instead of 16. A proxy sync
 * allocates megabytes of rule text at once and V8 then keeps the young generation grown (three
 * semi-spaces): with 1,000 Services the proxier's extra RSS was +42-44 MiB, and +22-25 MiB with
 * this, its sync times unchanged within the noise (docs/benchmarks.md). `k8ts server` keeps V8's
 * default: its request throughput was not measured with smaller semi-spaces.
 */
export const agentNodeFlags: readonly string[] = ['--max-semi-space-size=4'];

/** The Node flags `k8ts <args>` runs with. */
export function nodeFlagsFor(args: readonly string[]): readonly string[] {
  return args[0] === 'agent' ? [...launchNodeFlags, ...agentNodeFlags] : launchNodeFlags;
}

/** The shebang line that launches main.js with these settings. */
export function launchShebang(): string {
  const env = Object.entries(launchEnv).map(([k, v]) => `${k}=${v}`);
  return `#!/usr/bin/env -S ${[...env, 'node', ...launchNodeFlags].join(' ')}`;
}

/** Program, arguments and environment that run `k8ts <args>` as its shebang does. */
export function k8tsProcess(cliPath: string, args: readonly string[], nodeFlags: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
  return { file: process.execPath, args: [...nodeFlagsFor(args), ...nodeFlags, cliPath, ...args], env: { ...env, ...launchEnv } };
}
